// Input of SSH pod forms and services: bounds the service enforces and the form offers.
import { z } from "zod";
import { imageReferenceSchema } from "@/lib/kube/image-reference";
import { formatCores, formatMib, readTypedAmount } from "@/lib/kube/quantity";
import { workloadNameSchema } from "@/lib/names";
import { POD_LIMITS } from "@/lib/pods/choices";

// Forms send "" for an empty optional field.
const blankToNull = (value: unknown) => (value === "" || value === undefined ? null : value);

// A whole number in the field's unit, typed or sent as a number; lenient forms (0x10, 1e3) refused.
function wholeNumber(label: string, min: number, max: number, describe: (n: number) => string) {
  return z
    .union([z.string(), z.number()], { error: `Enter ${label}.` })
    .transform((raw, ctx) => {
      const read = typeof raw === "number" ? { value: raw, problem: null } : readTypedAmount(raw);
      if (read.value === undefined || !Number.isFinite(read.value)) {
        ctx.addIssue({ code: "custom", message: read.problem ?? `Enter ${label}.` });
        return z.NEVER;
      }
      return read.value;
    })
    .pipe(
      z
        .number()
        .int(`Enter ${label} as a whole number.`)
        .min(min, `Use at least ${describe(min)}.`)
        .max(max, `Use at most ${describe(max)}.`),
    );
}

const minutes = (m: number) => (m >= 1440 ? `${m / 1440} days` : `${m} minutes`);

/**
 * A new SSH pod. The name must still name a Service once suffixed; the image must be a valid
 * reference (a stored catalog entry is not trusted) and is checked against the cluster's
 * catalog by the service.
 */
export const createSshPodInputSchema = z.object({
  teamId: z.uuid({ error: "No such team." }),
  clusterId: z.uuid({ error: "Choose a cluster." }),
  name: workloadNameSchema,
  image: z.string({ error: "Choose an image." }).trim().min(1, "Choose an image.").max(512, "That image name is too long.").pipe(imageReferenceSchema),
  cpuMillicores: wholeNumber("the CPU in millicores", POD_LIMITS.cpuMillicores.min, POD_LIMITS.cpuMillicores.max, formatCores),
  memoryMib: wholeNumber("the memory in MiB", POD_LIMITS.memoryMib.min, POD_LIMITS.memoryMib.max, formatMib),
  homeGib: z.preprocess(blankToNull, wholeNumber("the home size in GiB", POD_LIMITS.homeGib.min, POD_LIMITS.homeGib.max, (g) => `${g} GiB`).nullable()),
  ttlMinutes: z.preprocess(blankToNull, wholeNumber("the time-to-live in minutes", POD_LIMITS.ttlMinutes.min, POD_LIMITS.ttlMinutes.max, minutes).nullable()),
});
export type CreateSshPodInput = z.input<typeof createSshPodInputSchema>;
export type CreateSshPodRequest = z.output<typeof createSshPodInputSchema>;

/** An action on an existing pod: the workload's id (its team comes from the database). */
export const sshPodRefSchema = z.object({ workloadId: z.uuid({ error: "No such pod." }) });
