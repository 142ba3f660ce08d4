// React Query keys for data the live stream updates: the one place that names them, so the
// pages that fetch and the live-events provider that patches or invalidates always agree.

/** Every team's pods lists (invalidated on reconnect and resync). */
export const allPodsQueryKey = ["pods"] as const;

/** A team's pods list: `SshPodView[]` from GET /api/teams/[teamId]/pods. */
export function podsQueryKey(teamId: string) {
  return ["pods", teamId] as const;
}
