// The shapes the REST API answers with, as zod schemas for the OpenAPI document. Each is typed
// against the TypeScript view the handlers return, so a field added to a view and not here (or
// the other way round) fails the type check instead of documenting something else.
import { z } from "zod";
import type { UserError } from "@/lib/errors";
import type { scaleWorkerPool } from "@/lib/nested/workers/pool";
import type { ScaleWorkerPoolInput } from "@/lib/nested/workers/schemas";
import { MAX_POOL_SIZE } from "@/lib/nested/workers/types";
import type { PodRuntime } from "@/lib/pods/runtime";
import type { SshPodLogs, SshPodView } from "@/lib/pods/types";
import type { WorkloadView } from "@/lib/workloads/view";

export const rfc3339 = z.string().describe("RFC 3339 time");

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(["invalid", "not_found", "forbidden", "conflict", "unauthenticated", "rate_limited", "unavailable", "internal"]),
      message: z.string().describe("Safe to show to a person."),
      fieldErrors: z.record(z.string(), z.string()).optional().describe("Per input field, for invalid input."),
    }) satisfies z.ZodType<UserError>,
  })
  .meta({ id: "Error" });

export const workloadViewShape = {
  id: z.uuid(),
  teamId: z.uuid(),
  name: z.string().describe("Kubernetes name."),
  displayName: z.string().describe("The name as typed."),
  clusterId: z.uuid(),
  clusterName: z.string(),
  namespace: z.string(),
  owner: z.object({ id: z.uuid(), name: z.string(), email: z.string() }),
  createdAt: rfc3339,
  clusterError: z.string().nullable().describe("Set when the cluster could not be asked; its state is then unknown."),
  lifecycle: z.object({ state: z.enum(["creating", "ready", "failed", "deleting", "lost"]), reason: z.string().nullable() }),
};
const workloadViewCheck: z.ZodType<WorkloadView> = z.object(workloadViewShape);
void workloadViewCheck;

const podRuntimeSchema = z.object({
  status: z.enum(["Pending", "ContainerCreating", "Running", "Failed", "Succeeded", "Terminating", "Missing"]),
  reason: z.string().nullable(),
  node: z.string().nullable(),
  ip: z.string().nullable(),
  ready: z.boolean(),
  startedAt: rfc3339.nullable(),
  podName: z.string().nullable(),
}) satisfies z.ZodType<PodRuntime>;

export const sshPodViewSchema = z
  .object({
    ...workloadViewShape,
    clusterSlug: z.string(),
    image: z.string(),
    cpuMillicores: z.number().int(),
    memoryMib: z.number().int(),
    homeGib: z.number().int().nullable(),
    expiresAt: rfc3339.nullable().describe("When the time-to-live runs out; null without one."),
    runtime: podRuntimeSchema,
  })
  .meta({ id: "SshPod" }) satisfies z.ZodType<SshPodView>;

export const sshPodListSchema = z.object({ pods: z.array(sshPodViewSchema) }).meta({ id: "SshPodList" });

export const sshPodLogsSchema = z
  .object({ podName: z.string().nullable(), text: z.string(), truncated: z.boolean().describe("Cut to the byte limit.") })
  .meta({ id: "SshPodLogs" }) satisfies z.ZodType<SshPodLogs>;

export const workerPoolScaleSchema = z
  .object({ size: z.number().int().min(0).max(MAX_POOL_SIZE).describe("How many workers the pool should have.") })
  .meta({ id: "WorkerPoolScale" }) satisfies z.ZodType<Pick<ScaleWorkerPoolInput, "size">>;

export const workerPoolScaledSchema = z
  .object({ created: z.array(z.string()).describe("Workers (VMs) made."), removed: z.array(z.string()).describe("Workers drained and deleted.") })
  .meta({ id: "WorkerPoolScaled" }) satisfies z.ZodType<Awaited<ReturnType<typeof scaleWorkerPool>>>;

export const healthSchema = z.object({ status: z.enum(["ok", "unavailable"]) }).meta({ id: "Health" });

export const vmDiskUploadSchema = z
  .object({ bytes: z.number().int().describe("How many bytes CDI received."), format: z.enum(["qcow2", "vmdk", "vdi", "vhd", "vhdx", "iso", "gzip", "xz", "raw"]).describe("The image's format, from its first bytes.") })
  .meta({ id: "VmDiskUpload" });
