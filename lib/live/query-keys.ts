// React Query keys for data the live stream updates: the one place that names them, so the
// pages that fetch and the live-events provider that patches or invalidates always agree.

/** Every team's pods lists (invalidated on reconnect and resync). */
export const allPodsQueryKey = ["pods"] as const;

/** A team's pods list: `SshPodView[]` from GET /api/teams/[teamId]/pods. */
export function podsQueryKey(teamId: string) {
  return ["pods", teamId] as const;
}

/** Every team's VM lists and VM pages (invalidated on reconnect and resync). */
export const allVmsQueryKey = ["vms"] as const;

/** Everything of one team's VMs: its list and each VM page (invalidated when VMs appear or disappear). */
export function teamVmsQueryKey(teamId: string) {
  return ["vms", teamId] as const;
}

/** A team's VMs list: `VmView[]` from GET /api/teams/[teamId]/vms. */
export function vmsQueryKey(teamId: string) {
  return ["vms", teamId, "list"] as const;
}

/** One VM's page: `VmDetail` from GET /api/teams/[teamId]/vms/[vmId]. */
export function vmQueryKey(teamId: string, vmId: string) {
  return ["vms", teamId, "vm", vmId] as const;
}
