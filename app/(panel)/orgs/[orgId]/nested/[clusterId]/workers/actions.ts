"use server";
// A nested cluster's worker pool: scale it, retry or remove a failed worker. Same authority as
// the cluster itself (`nested:manage` on the owning team's organization); the pool service does
// the work and writes the audit rows.
import { defineAction } from "@/lib/actions/define-action";
import { nestedClusterOrgScope } from "@/lib/nested/scope";
import { removeWorker, retryWorker, scaleWorkerPool } from "@/lib/nested/workers/pool";
import { scaleWorkerPoolInputSchema, workerInputSchema } from "@/lib/nested/workers/schemas";

/** Sets the pool's size: new workers join with a fresh token; removed ones are drained first. */
export const scaleWorkerPoolAction = defineAction({
  name: "nested.workers.scale",
  input: scaleWorkerPoolInputSchema,
  permission: "nested:manage",
  scope: nestedClusterOrgScope,
  run: ({ db, actor, input }) => scaleWorkerPool(db, actor, input),
});

/** Replaces a failed worker by a new VM with a fresh token. */
export const retryWorkerAction = defineAction({
  name: "nested.workers.retry",
  input: workerInputSchema,
  permission: "nested:manage",
  scope: nestedClusterOrgScope,
  run: ({ db, actor, input }) => retryWorker(db, actor, input),
});

/** Removes one worker (drained first if it joined); the pool shrinks by one. */
export const removeWorkerAction = defineAction({
  name: "nested.workers.remove",
  input: workerInputSchema,
  permission: "nested:manage",
  scope: nestedClusterOrgScope,
  run: ({ db, actor, input }) => removeWorker(db, actor, input),
});
