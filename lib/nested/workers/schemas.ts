// What the worker pool's actions take, vetted raw.
import { z } from "zod";
import { isDns1035Label } from "@/lib/kube/object-names";
import { wholeNumber } from "@/lib/workloads/form-fields";
import { MAX_POOL_SIZE } from "@/lib/nested/workers/types";

export const scaleWorkerPoolInputSchema = z.object({
  clusterId: z.uuid({ error: "No such nested cluster." }),
  size: wholeNumber("the number of workers", 0, MAX_POOL_SIZE, (n) => `${n} worker${n === 1 ? "" : "s"}`),
});
export type ScaleWorkerPoolInput = z.input<typeof scaleWorkerPoolInputSchema>;

const workerName = z
  .string({ error: "Choose a worker." })
  .trim()
  .max(63, "No such worker.")
  .refine((name) => isDns1035Label(name), { error: "No such worker." });

/** Retry a worker that failed (a new VM with a fresh token), or remove one (the pool shrinks by one). */
export const workerInputSchema = z.object({ clusterId: z.uuid({ error: "No such nested cluster." }), worker: workerName });
export type WorkerInput = z.input<typeof workerInputSchema>;
