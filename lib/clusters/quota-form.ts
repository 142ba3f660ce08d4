// The quota as people type it (CPU in cores, memory in GiB or MiB, storage in GiB, empty for
// no limit) and the quota as stored (millicores, MiB, counts). Field messages of the service
// are keyed by the stored names; `formFieldOf` says which form field shows them.
import { z } from "zod";
import { QUOTA_LIMITS, type TeamQuota } from "@/lib/clusters/assignments";
import { ValidationError } from "@/lib/errors";

/** The quota form's field for each stored quota field. */
export const QUOTA_FORM_FIELDS: Record<keyof TeamQuota, string> = {
  cpuMillicores: "cpuCores",
  memoryMib: "memory",
  maxPods: "maxPods",
  maxVms: "maxVms",
  storageGib: "storageGib",
};

const blank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

function amount(what: string, options: { decimals: boolean; max: number }) {
  return z.union([z.string(), z.number()]).optional().transform((raw, ctx): number | null => {
    if (blank(raw)) return null;
    const text = String(raw).trim();
    const pattern = options.decimals ? /^\d+(\.\d+)?$/ : /^\d+$/;
    const value = Number(text);
    if (!pattern.test(text) || !Number.isFinite(value)) {
      ctx.addIssue({ code: "custom", message: options.decimals ? `Enter ${what} as a number, e.g. 0.5 or 2, or leave it empty for no limit.` : `Enter ${what} as a whole number, or leave it empty for no limit.` });
      return z.NEVER;
    }
    if (value > options.max) {
      ctx.addIssue({ code: "custom", message: `At most ${options.max.toLocaleString("en")}.` });
      return z.NEVER;
    }
    return value;
  });
}

/** The quota fields of the assign form → the stored quota. */
export const quotaFormSchema = z
  .object({
    cpuCores: amount("CPU cores", { decimals: true, max: QUOTA_LIMITS.cpuMillicores / 1000 }),
    memory: amount("memory", { decimals: true, max: QUOTA_LIMITS.memoryMib }),
    memoryUnit: z.enum(["GiB", "MiB"]).default("GiB"),
    maxPods: amount("the pod count", { decimals: false, max: QUOTA_LIMITS.maxPods }),
    maxVms: amount("the VM count", { decimals: false, max: QUOTA_LIMITS.maxVms }),
    storageGib: amount("storage in GiB", { decimals: false, max: QUOTA_LIMITS.storageGib }),
  })
  .transform(({ cpuCores, memory, memoryUnit, maxPods, maxVms, storageGib }, ctx): TeamQuota => {
    const memoryMib = memory === null ? null : memoryUnit === "GiB" ? memory * 1024 : memory;
    if (memoryMib !== null && !Number.isInteger(memoryMib)) ctx.addIssue({ code: "custom", path: ["memory"], message: "Use whole MiB (e.g. 1.5 GiB, or 1536 MiB)." });
    if (memoryMib !== null && memoryMib > QUOTA_LIMITS.memoryMib) ctx.addIssue({ code: "custom", path: ["memory"], message: "That is more memory than any cluster has." });
    const cpuMillicores = cpuCores === null ? null : Math.round(cpuCores * 1000);
    return { cpuMillicores, memoryMib, maxPods, maxVms, storageGib };
  });

/** The stored quota as the form shows it (memory in GiB when it is a whole number of GiB). */
export function quotaToForm(quota: TeamQuota): Record<string, string> {
  const wholeGib = quota.memoryMib !== null && quota.memoryMib % 1024 === 0;
  return {
    cpuCores: quota.cpuMillicores === null ? "" : String(quota.cpuMillicores / 1000),
    memory: quota.memoryMib === null ? "" : String(wholeGib ? quota.memoryMib / 1024 : quota.memoryMib),
    memoryUnit: quota.memoryMib === null || wholeGib ? "GiB" : "MiB",
    maxPods: quota.maxPods === null ? "" : String(quota.maxPods),
    maxVms: quota.maxVms === null ? "" : String(quota.maxVms),
    storageGib: quota.storageGib === null ? "" : String(quota.storageGib),
  };
}

/** Re-keys a service refusal's quota field messages to the form's field names. */
export function toQuotaFormError(error: unknown): unknown {
  if (!(error instanceof ValidationError) || !error.fieldErrors) return error;
  const fields: Record<string, string> = {};
  for (const [key, message] of Object.entries(error.fieldErrors)) fields[QUOTA_FORM_FIELDS[key as keyof TeamQuota] ?? key] = message;
  const mapped = new ValidationError(error.message, fields);
  mapped.cause = error;
  return mapped;
}
