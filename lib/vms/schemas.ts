// Input of the VM forms and services: bounds the service enforces and the form offers. The
// user's cloud-config is vetted here (lib/vms/cloud-init.ts), so a refusal lands on its field.
import { z } from "zod";
import { checkboxField } from "@/lib/parse-input";
import { AppError } from "@/lib/errors";
import { formatMib } from "@/lib/kube/quantity";
import { workloadNameSchema } from "@/lib/names";
import { blankToNull, wholeNumber } from "@/lib/workloads/form-fields";
import { bootSourceFields, refineBootSource } from "@/lib/vms/disks/schemas";
import { RUN_STRATEGIES, VM_LIMITS, VM_OPERATIONS } from "@/lib/vms/choices";
import { CLOUD_CONFIG_MAX_BYTES, vetCloudConfig } from "@/lib/vms/cloud-init";
import type { InstancetypeRef } from "@/lib/vms/types";

const cores = (n: number) => `${n} ${n === 1 ? "CPU" : "CPUs"}`;
const INSTANCETYPE_KINDS = ["VirtualMachineClusterInstancetype", "VirtualMachineInstancetype"] as const;

// "" = explicit size; "<Kind>/<name>" = that instancetype (or the parsed reference again: services re-parse what actions parsed).
const sizeField = z.preprocess(
  (value) => (value && typeof value === "object" && "kind" in value && "name" in value ? `${String(value.kind)}/${String(value.name)}` : blankToNull(value)),
  z
    .string()
    .max(300)
    .transform((value, ctx): InstancetypeRef | typeof z.NEVER => {
      const slash = value.indexOf("/");
      const kind = value.slice(0, slash);
      const name = value.slice(slash + 1);
      if (slash < 0 || !(INSTANCETYPE_KINDS as readonly string[]).includes(kind) || !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) {
        ctx.addIssue({ code: "custom", message: "Choose a size from the list." });
        return z.NEVER;
      }
      return { kind: kind as InstancetypeRef["kind"], name };
    })
    .nullable(),
);

// The raw text is kept (it is stored and merged again whenever the Secret is made); vetting it now refuses early.
const cloudConfigField = z
  .preprocess((value) => value ?? "", z.string().max(CLOUD_CONFIG_MAX_BYTES * 2, `The cloud-init user data is larger than ${CLOUD_CONFIG_MAX_BYTES / 1024} KiB.`))
  .transform((text, ctx) => {
    try {
      return vetCloudConfig(text) ? text : null;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      ctx.addIssue({ code: "custom", message: error.message });
      return z.NEVER;
    }
  });

/**
 * A new VM: a boot source — a container disk from the cluster's catalog (checked there by the
 * service), or a disk CDI imports from a URL, receives as an upload, or clones from a golden
 * image, with its size (lib/vms/disks/schemas.ts) — a run
 * strategy, and a size — an instancetype, or explicit CPUs and memory (then both are required).
 */
export const createVmInputSchema = z
  .object({
    teamId: z.uuid({ error: "No such team." }),
    clusterId: z.uuid({ error: "Choose a cluster." }),
    name: workloadNameSchema,
    ...bootSourceFields,
    runStrategy: z.enum(RUN_STRATEGIES, { error: "Choose how the VM runs." }).default("Always"),
    size: sizeField,
    cpuCores: z.preprocess(blankToNull, wholeNumber("the number of CPUs", VM_LIMITS.cpuCores.min, VM_LIMITS.cpuCores.max, cores).nullable()).default(null),
    memoryMib: z.preprocess(blankToNull, wholeNumber("the memory in MiB", VM_LIMITS.memoryMib.min, VM_LIMITS.memoryMib.max, formatMib).nullable()).default(null),
    meshSidecar: checkboxField,
    cloudInit: cloudConfigField,
  })
  .superRefine((value, ctx) => {
    refineBootSource(value, ctx);
    if (value.size) return;
    if (value.cpuCores === null) ctx.addIssue({ code: "custom", path: ["cpuCores"], message: "Enter the number of CPUs, or choose an instancetype." });
    if (value.memoryMib === null) ctx.addIssue({ code: "custom", path: ["memoryMib"], message: "Enter the memory, or choose an instancetype." });
  });
export type CreateVmInput = z.input<typeof createVmInputSchema>;
export type CreateVmRequest = z.output<typeof createVmInputSchema>;

/** An operation on an existing VM: the workload's id (its team comes from the database). */
export const vmOperationSchema = z.object({
  workloadId: z.uuid({ error: "No such VM." }),
  operation: z.enum(VM_OPERATIONS, { error: "No such operation." }),
});
export type VmOperationInput = z.input<typeof vmOperationSchema>;
