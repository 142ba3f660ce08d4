// Whether a new pod fits in the team's quota, decided before anything is created. The team
// namespace's ResourceQuota (made with the cluster assignment; Kubernetes keeps what is in
// use) is the truth; a refusal names, for each exceeded resource, what was asked, what is in
// use and the limit.
import type { V1ResourceQuota } from "@kubernetes/client-node";
import { cpuMillicoresOf, formatCores, formatMib, mibOf, parseQuantity } from "@/lib/kube/quantity";

/** What one new SSH pod adds to a namespace. */
export interface PodAsk {
  cpuMillicores: number;
  memoryMib: number;
  /** Size of the home volume; null when there is none. */
  homeGib: number | null;
}

/** One resource the pod would push past its limit. */
export interface QuotaShortfall {
  resource: "cpu" | "memory" | "pods" | "storage" | "volumes";
  /** The form field it concerns, if any. */
  field: "cpuMillicores" | "memoryMib" | "homeGib" | null;
  message: string;
}

// Each resource, the quota keys that limit it (requests and limits are equal for our pods),
// how to read a quantity in the unit we ask in, and how to say an amount.
const RESOURCES = [
  {
    resource: "cpu",
    field: "cpuMillicores",
    keys: ["requests.cpu", "limits.cpu", "cpu"],
    read: cpuMillicoresOf,
    ask: (a: PodAsk) => a.cpuMillicores,
    say: (asked: string, used: string, limit: string) => `Not enough CPU quota: asked ${asked}, ${used} of ${limit} in use.`,
    amount: formatCores,
  },
  {
    resource: "memory",
    field: "memoryMib",
    keys: ["requests.memory", "limits.memory", "memory"],
    read: mibOf,
    ask: (a: PodAsk) => a.memoryMib,
    say: (asked: string, used: string, limit: string) => `Not enough memory quota: asked ${asked}, ${used} of ${limit} in use.`,
    amount: formatMib,
  },
  {
    resource: "pods",
    field: null,
    keys: ["pods", "count/pods"],
    read: parseQuantity,
    ask: () => 1,
    say: (asked: string, used: string, limit: string) => `Not enough pod quota: asked ${asked}, ${used} of ${limit} in use.`,
    amount: (n: number, unit = true) => (unit ? `${n} ${n === 1 ? "pod" : "pods"}` : `${n}`),
  },
  {
    resource: "storage",
    field: "homeGib",
    keys: ["requests.storage"],
    read: (q: string) => {
      const mib = mibOf(q);
      return mib === null ? null : mib / 1024;
    },
    ask: (a: PodAsk) => a.homeGib ?? 0,
    say: (asked: string, used: string, limit: string) => `Not enough storage quota: asked ${asked}, ${used} of ${limit} in use.`,
    amount: (gib: number, unit = true) => formatMib(gib * 1024, unit, 1024),
  },
  {
    resource: "volumes",
    field: "homeGib",
    keys: ["persistentvolumeclaims", "count/persistentvolumeclaims"],
    read: parseQuantity,
    ask: (a: PodAsk) => (a.homeGib ? 1 : 0),
    say: (asked: string, used: string, limit: string) => `Not enough volume quota: asked ${asked}, ${used} of ${limit} in use.`,
    amount: (n: number, unit = true) => (unit ? `${n} ${n === 1 ? "volume" : "volumes"}` : `${n}`),
  },
] as const;

/**
 * What would exceed the quota if the pod were created; empty when it fits (or there is no
 * quota). Uses the tightest of the keys that limit a resource.
 */
export function quotaShortfalls(quota: V1ResourceQuota | null, ask: PodAsk): QuotaShortfall[] {
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
    out.push({ resource: spec.resource, field: spec.field, message: spec.say(spec.amount(asked), usedText, spec.amount(worst.limit)) });
  }
  return out;
}
