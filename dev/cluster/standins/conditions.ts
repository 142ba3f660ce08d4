// Reading Kubernetes-style status conditions.

/** True when `status.conditions` holds a condition of `type` with status "True". */
export function hasTrueCondition(obj: { status?: { conditions?: { type?: string; status?: string }[] } }, type: string): boolean {
  return obj.status?.conditions?.some((c) => c.type === type && c.status === "True") ?? false;
}
