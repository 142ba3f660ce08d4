// Input of SSH pod forms and services: bounds the service enforces and the form offers.
import { z } from "zod";
import { nameSchema } from "@/lib/names";
import { POD_LIMITS } from "@/lib/pods/choices";

// Forms send "" for an empty optional field.
const blankToNull = (value: unknown) => (value === "" || value === undefined ? null : value);

function wholeNumber(label: string, min: number, max: number, describe: (n: number) => string) {
  return z.coerce
    .number({ error: `Enter ${label}.` })
    .int(`Enter ${label} as a whole number.`)
    .min(min, `Use at least ${describe(min)}.`)
    .max(max, `Use at most ${describe(max)}.`);
}

const cores = (m: number) => `${m / 1000} ${m === 1000 ? "core" : "cores"}`;
const mib = (m: number) => (m >= 1024 ? `${m / 1024} GiB` : `${m} MiB`);
const minutes = (m: number) => (m >= 1440 ? `${m / 1440} days` : `${m} minutes`);

/** A new SSH pod. The image is checked against the cluster's catalog by the service. */
export const createSshPodInputSchema = z.object({
  teamId: z.uuid({ error: "No such team." }),
  clusterId: z.uuid({ error: "Choose a cluster." }),
  name: nameSchema,
  image: z.string({ error: "Choose an image." }).trim().min(1, "Choose an image.").max(512, "That image name is too long."),
  cpuMillicores: wholeNumber("the CPU in millicores", POD_LIMITS.cpuMillicores.min, POD_LIMITS.cpuMillicores.max, cores),
  memoryMib: wholeNumber("the memory in MiB", POD_LIMITS.memoryMib.min, POD_LIMITS.memoryMib.max, mib),
  homeGib: z.preprocess(blankToNull, wholeNumber("the home size in GiB", POD_LIMITS.homeGib.min, POD_LIMITS.homeGib.max, (g) => `${g} GiB`).nullable()),
  ttlMinutes: z.preprocess(blankToNull, wholeNumber("the time-to-live in minutes", POD_LIMITS.ttlMinutes.min, POD_LIMITS.ttlMinutes.max, minutes).nullable()),
});
export type CreateSshPodInput = z.input<typeof createSshPodInputSchema>;
export type CreateSshPodRequest = z.output<typeof createSshPodInputSchema>;

/** An action on an existing pod: the workload's id (its team comes from the database). */
export const sshPodRefSchema = z.object({ workloadId: z.uuid({ error: "No such pod." }) });
