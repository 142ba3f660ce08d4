// Input of SSH pod forms and services: bounds the service enforces and the form offers.
import { z } from "zod";
import { formatCores, formatMib } from "@/lib/kube/quantity";
import { blankToNull, catalogImageField, wholeNumber } from "@/lib/workloads/form-fields";
import { workloadNameSchema } from "@/lib/names";
import { POD_LIMITS } from "@/lib/pods/choices";

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
  image: catalogImageField,
  cpuMillicores: wholeNumber("the CPU in millicores", POD_LIMITS.cpuMillicores.min, POD_LIMITS.cpuMillicores.max, formatCores),
  memoryMib: wholeNumber("the memory in MiB", POD_LIMITS.memoryMib.min, POD_LIMITS.memoryMib.max, formatMib),
  homeGib: z.preprocess(blankToNull, wholeNumber("the home size in GiB", POD_LIMITS.homeGib.min, POD_LIMITS.homeGib.max, (g) => `${g} GiB`).nullable()),
  ttlMinutes: z.preprocess(blankToNull, wholeNumber("the time-to-live in minutes", POD_LIMITS.ttlMinutes.min, POD_LIMITS.ttlMinutes.max, minutes).nullable()),
});
export type CreateSshPodInput = z.input<typeof createSshPodInputSchema>;
export type CreateSshPodRequest = z.output<typeof createSshPodInputSchema>;

/** An action on an existing pod: the workload's id (its team comes from the database). */
export const sshPodRefSchema = z.object({ workloadId: z.uuid({ error: "No such pod." }) });
