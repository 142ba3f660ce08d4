// The quota as people type it (CPU in cores or millicores, memory in GiB or MiB, storage in
// GiB, empty for no limit) and the quota as stored (millicores, MiB, counts). Numbers are
// plain decimals (no hexadecimal, no exponents); a CPU or memory quota of 0, or one that
// would round to 0, is refused: no pod could start under it. Field messages of the service
// are keyed by the stored names; `formFieldOf` says which form field shows them.
import { z } from "zod";
import { QUOTA_LIMITS, type TeamQuota } from "@/lib/clusters/assignments";
import { ValidationError } from "@/lib/errors";
import { readTypedAmount } from "@/lib/kube/quantity";

/** The quota form's field for each stored quota field. */
export const QUOTA_FORM_FIELDS: Record<keyof TeamQuota, string> = {
  cpuMillicores: "cpuCores",
  memoryMib: "memory",
  maxPods: "maxPods",
  maxVms: "maxVms",
  storageGib: "storageGib",
};

const blank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

// An amount typed in the field's unit (CPU may also carry Kubernetes' "m"); empty is no limit.
function amount(what: string, options: { decimals: boolean; max: number; suffixes?: readonly string[] }) {
  return z.union([z.string(), z.number()]).optional().transform((raw, ctx): number | null => {
    if (blank(raw)) return null;
    const read = readTypedAmount(String(raw), options.suffixes);
    const value = read.value;
    if (value === undefined || !Number.isFinite(value) || (!options.decimals && !Number.isInteger(value))) {
      const plain = options.decimals ? `Enter ${what} as a number, e.g. 0.5 or 2, or leave it empty for no limit.` : `Enter ${what} as a whole number, or leave it empty for no limit.`;
      ctx.addIssue({ code: "custom", message: read.problem ?? plain });
      return z.NEVER;
    }
    if (value > options.max) {
      ctx.addIssue({ code: "custom", message: `At most ${options.max.toLocaleString("en")}.` });
      return z.NEVER;
    }
    return value;
  });
}

// Why a CPU or memory quota that is (or rounds to) zero is refused: no pod could start under it.
const zeroQuota = (what: string, typed: number, smallest: string) =>
  typed === 0
    ? `A ${what} quota of 0 lets no pod start; leave it empty for no limit (to stop new pods, set the pod count to 0).`
    : `That is less than ${smallest} and would round to a ${what} quota of 0; enter at least ${smallest}, or leave it empty for no limit.`;

/** The quota fields of the assign form → the stored quota. */
export const quotaFormSchema = z
  .object({
    cpuCores: amount("CPU cores", { decimals: true, max: QUOTA_LIMITS.cpuMillicores / 1000, suffixes: ["m"] }),
    memory: amount("memory", { decimals: true, max: QUOTA_LIMITS.memoryMib }),
    memoryUnit: z.enum(["GiB", "MiB"]).default("GiB"),
    maxPods: amount("the pod count", { decimals: false, max: QUOTA_LIMITS.maxPods }),
    maxVms: amount("the VM count", { decimals: false, max: QUOTA_LIMITS.maxVms }),
    storageGib: amount("storage in GiB", { decimals: false, max: QUOTA_LIMITS.storageGib }),
  })
  .transform(({ cpuCores, memory, memoryUnit, maxPods, maxVms, storageGib }, ctx): TeamQuota => {
    const memoryMib = memory === null ? null : memoryUnit === "GiB" ? memory * 1024 : memory;
    if (memory !== null && memoryMib! < 1) ctx.addIssue({ code: "custom", path: ["memory"], message: zeroQuota("memory", memory, "1 MiB") });
    else if (memoryMib !== null && !Number.isInteger(memoryMib)) ctx.addIssue({ code: "custom", path: ["memory"], message: "Use whole MiB (e.g. 1.5 GiB, or 1536 MiB)." });
    if (memoryMib !== null && memoryMib > QUOTA_LIMITS.memoryMib) ctx.addIssue({ code: "custom", path: ["memory"], message: "That is more memory than any cluster has." });
    const cpuMillicores = cpuCores === null ? null : Math.round(cpuCores * 1000);
    if (cpuCores !== null && cpuMillicores === 0) ctx.addIssue({ code: "custom", path: ["cpuCores"], message: zeroQuota("CPU", cpuCores, "0.001 cores (1m)") });
    else if (cpuCores !== null && Math.abs(cpuCores * 1000 - cpuMillicores!) > 1e-6) {
      ctx.addIssue({ code: "custom", path: ["cpuCores"], message: "CPU is counted in millicores: use at most three decimals (e.g. 0.25), or write millicores (250m)." });
    }
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
