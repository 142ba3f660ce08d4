// The shapes of the VMs API (lib/api/vms.ts) for the OpenAPI document. Answers are typed
// against the views the handlers return (a field added to a view and not here fails the type
// check); the request bodies describe the JSON a client sends, which the handlers then read with
// the panel's own schemas (createVmInputSchema; the power operations of REST_VM_OPERATIONS) —
// test/unit/vm-api-schemas.test.ts checks that what is documented is accepted.
import { z } from "zod";
import { rfc3339, workloadViewShape } from "@/lib/api/openapi/schemas";
import { RUN_STRATEGIES, VM_LIMITS, VM_OPERATIONS } from "@/lib/vms/choices";
import type { CreatedVm } from "@/lib/vms/service";
import type { VmConditionView, VmDetail, VmRuntime, VmView } from "@/lib/vms/types";

const vmRuntimeSchema = z.object({
  printableStatus: z.string().describe("KubeVirt's printable status: Stopped, Provisioning, Starting, Running, Paused, Stopping, Terminating, ErrorUnschedulable, …; Missing when the VM object is gone."),
  phase: z.string().nullable().describe("The instance's phase (Pending, Scheduling, Scheduled, Running, Succeeded, Failed); null without an instance."),
  ready: z.boolean(),
  ip: z.string().nullable(),
  node: z.string().nullable(),
  reason: z.string().nullable().describe("Why, when the status alone does not say."),
  startedAt: rfc3339.nullable().describe("When the instance reached Running."),
  bootMs: z.number().nullable().describe("Milliseconds from the instance's Pending to Running."),
  runStrategy: z.string().nullable().describe("As the cluster holds it now (start and stop rewrite it)."),
}) satisfies z.ZodType<VmRuntime>;

const instancetypeSchema = z.object({ kind: z.enum(["VirtualMachineClusterInstancetype", "VirtualMachineInstancetype"]), name: z.string() });

export const vmViewSchema = z
  .object({
    ...workloadViewShape,
    image: z.string().describe("The container disk it boots."),
    cpuCores: z.number().int(),
    memoryMib: z.number().int(),
    instancetype: instancetypeSchema.nullable(),
    runtime: vmRuntimeSchema,
  })
  .meta({ id: "Vm" }) satisfies z.ZodType<VmView>;

export const vmListSchema = z.object({ vms: z.array(vmViewSchema) }).meta({ id: "VmList" });

const vmConditionSchema = z.object({
  object: z.enum(["VM", "VMI"]),
  type: z.string(),
  status: z.string(),
  reason: z.string().nullable(),
  message: z.string().nullable(),
  lastTransitionTime: rfc3339.nullable(),
}) satisfies z.ZodType<VmConditionView>;

export const vmDetailSchema = z
  .object({
    vm: z
      .object({
        ...vmViewSchema.shape,
        meshSidecar: z.boolean(),
        hasCloudConfig: z.boolean(),
        service: z.object({ name: z.string(), clusterIP: z.string().nullable() }).nullable(),
        conditions: z.array(vmConditionSchema),
      })
      .meta({ id: "VmDetail" }) satisfies z.ZodType<VmDetail>,
  })
  .meta({ id: "VmDetailAnswer" });

export const createdVmSchema = z
  .object({
    vm: z.union([
      z.object({ id: z.uuid(), name: z.string(), state: z.literal("ready") }),
      z.object({ id: z.uuid(), name: z.string(), state: z.literal("creating"), message: z.string().describe("Why it is not known yet; the panel finishes or cleans up.") }),
    ]) satisfies z.ZodType<CreatedVm>,
  })
  .meta({ id: "CreatedVm" });

export const createVmBodySchema = z
  .object({
    clusterId: z.uuid().describe("A cluster assigned to the team."),
    name: z.string().describe("Starts with a letter; letters, digits, spaces and dashes, at most 57. Becomes the host name, with a short suffix."),
    image: z.string().describe("A container disk from the cluster's VM disk catalog."),
    runStrategy: z.enum(RUN_STRATEGIES).optional().describe("Default Always."),
    size: z.string().nullable().optional().describe('An instancetype, "VirtualMachineClusterInstancetype/<name>" or "VirtualMachineInstancetype/<name>"; otherwise give cpuCores and memoryMib.'),
    cpuCores: z.number().int().min(VM_LIMITS.cpuCores.min).max(VM_LIMITS.cpuCores.max).optional(),
    memoryMib: z.number().int().min(VM_LIMITS.memoryMib.min).max(VM_LIMITS.memoryMib.max).optional(),
    meshSidecar: z.boolean().optional().describe("Ask the service mesh to inject its sidecar into the VM's pod."),
    cloudInit: z.string().optional().describe("A #cloud-config document (at most 32 KiB), merged with the injected keys and host name."),
  })
  .meta({ id: "CreateVm" });

export const vmPowerBodySchema = z
  .object({ operation: z.enum(["start", "stop", "force-stop", "restart", "pause", "unpause"]) })
  .meta({ id: "VmPower" });

export const vmPowerAnswerSchema = z.object({ operation: z.enum(VM_OPERATIONS) }).meta({ id: "VmPowerAnswer" });

export const vmDeletedSchema = z.object({ state: z.enum(["deleted", "deleting"]) }).meta({ id: "VmDeleted" });
