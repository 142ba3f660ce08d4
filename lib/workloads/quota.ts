// Whether a new workload fits in the team's quota, decided before anything is created. The
// team namespace's ResourceQuota (made with the cluster assignment; Kubernetes keeps what is in
// use) is the truth; a refusal names, for each exceeded resource, what was asked, what is in
// use and the limit. Every kind asks through here (an SSH pod: CPU, memory, a pod, maybe a
// volume; a VM: CPU, memory, a VM and the pod it runs in).
import type { V1ResourceQuota } from "@kubernetes/client-node";
import { VM_COUNT_KEY } from "@/lib/clusters/team-namespace";
import { ValidationError } from "@/lib/errors";
import { cpuMillicoresOf, formatCores, formatMib, mibOf, parseQuantity } from "@/lib/kube/quantity";

/** What one new workload adds to a namespace (counts left out ask for none). */
export interface QuotaAsk {
  cpuMillicores: number;
  memoryMib: number;
  pods?: number;
  vms?: number;
  storageGib?: number;
  volumes?: number;
}

/** A resource a quota limits. */
export type QuotaResource = "cpu" | "memory" | "pods" | "vms" | "storage" | "volumes";

/** One resource the workload would push past its limit. */
export interface QuotaShortfall {
  resource: QuotaResource;
  message: string;
}

const count = (one: string, many: string) => (n: number, unit = true) => (unit ? `${n} ${n === 1 ? one : many}` : `${n}`);

// Each resource, the quota keys that limit it (requests and limits are equal for our pods),
// how to read a quantity in the unit we ask in, and how to say an amount.
const RESOURCES: { resource: QuotaResource; noun: string; keys: string[]; read: (q: string) => number | null; ask: (a: QuotaAsk) => number; amount: (n: number, unit?: boolean) => string }[] = [
  { resource: "cpu", noun: "CPU", keys: ["requests.cpu", "limits.cpu", "cpu"], read: cpuMillicoresOf, ask: (a) => a.cpuMillicores, amount: formatCores },
  { resource: "memory", noun: "memory", keys: ["requests.memory", "limits.memory", "memory"], read: mibOf, ask: (a) => a.memoryMib, amount: formatMib },
  { resource: "pods", noun: "pod", keys: ["pods", "count/pods"], read: parseQuantity, ask: (a) => a.pods ?? 0, amount: count("pod", "pods") },
  { resource: "vms", noun: "VM", keys: [VM_COUNT_KEY], read: parseQuantity, ask: (a) => a.vms ?? 0, amount: count("VM", "VMs") },
  {
    resource: "storage",
    noun: "storage",
    keys: ["requests.storage"],
    read: (q) => {
      const mib = mibOf(q);
      return mib === null ? null : mib / 1024;
    },
    ask: (a) => a.storageGib ?? 0,
    amount: (gib, unit = true) => formatMib(gib * 1024, unit, 1024),
  },
  { resource: "volumes", noun: "volume", keys: ["persistentvolumeclaims", "count/persistentvolumeclaims"], read: parseQuantity, ask: (a) => a.volumes ?? 0, amount: count("volume", "volumes") },
];

/**
 * What would exceed the quota if the workload were created; empty when it fits (or there is
 * no quota). Uses the tightest of the keys that limit a resource.
 */
export function quotaShortfalls(quota: V1ResourceQuota | null, ask: QuotaAsk): QuotaShortfall[] {
  const hard = quota?.status?.hard ?? quota?.spec?.hard ?? {};
  const used = quota?.status?.used ?? {};
  const out: QuotaShortfall[] = [];
  for (const spec of RESOURCES) {
    const asked = spec.ask(ask);
    if (asked <= 0) continue;
    let worst: { limit: number; inUse: number } | null = null;
    for (const key of spec.keys) {
      const limit = hard[key] === undefined ? null : spec.read(hard[key]);
      if (limit === null) continue;
      const inUse = used[key] === undefined ? 0 : (spec.read(used[key]) ?? 0);
      if (inUse + asked > limit && (!worst || limit - inUse < worst.limit - worst.inUse)) worst = { limit, inUse };
    }
    if (!worst) continue;
    // "3.5 of 4 cores": the unit once, after the limit; for MiB/GiB the used figure takes the limit's unit.
    const usedText = spec.resource === "memory" ? formatMib(worst.inUse, false, worst.limit) : spec.amount(worst.inUse, false);
    out.push({ resource: spec.resource, message: `Not enough ${spec.noun} quota: asked ${spec.amount(asked)}, ${usedText} of ${spec.amount(worst.limit)} in use.` });
  }
  return out;
}

/** The refusal of a create over the quota: every shortfall in one sentence, each under the form field of its resource (`fields`). */
export function quotaRefusal(shortfalls: QuotaShortfall[], fields: Partial<Record<QuotaResource, string>>): ValidationError {
  const fieldErrors: Record<string, string> = {};
  for (const s of shortfalls) {
    const field = fields[s.resource];
    if (field) fieldErrors[field] = fieldErrors[field] ? `${fieldErrors[field]} ${s.message}` : s.message;
  }
  return new ValidationError(shortfalls.map((s) => s.message).join(" "), fieldErrors);
}
