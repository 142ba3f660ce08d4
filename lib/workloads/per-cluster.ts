// Lists of workloads joined with what their clusters hold: one question per cluster (for all its
// namespaces of the list at once), and a cluster that cannot be asked does not fail the list —
// its rows carry the reason instead. Shared by the SSH pod and VM lists.
import { toUserError } from "@/lib/errors";

/**
 * Joins `rows` (in their order) with what `fetch` finds per cluster, keyed by workload id;
 * `view` makes each row's answer from its objects (undefined when none) or its cluster's error.
 */
export async function joinPerCluster<R extends { row: { id: string; clusterId: string; namespace: string } }, O, V>(
  rows: R[],
  fetch: (clusterId: string, namespaces: string[]) => Promise<Map<string, O>>,
  view: (listed: R, found: O | undefined, clusterError: string | null) => V,
): Promise<V[]> {
  const byCluster = new Map<string, R[]>();
  for (const listed of rows) byCluster.set(listed.row.clusterId, [...(byCluster.get(listed.row.clusterId) ?? []), listed]);
  const views = new Map<string, V>();
  await Promise.all(
    [...byCluster].map(async ([clusterId, listed]) => {
      let found = new Map<string, O>();
      let clusterError: string | null = null;
      try {
        found = await fetch(clusterId, [...new Set(listed.map((l) => l.row.namespace))]);
      } catch (error) {
        // One broken cluster must not hide the team's workloads elsewhere; unexpected errors are logged.
        clusterError = toUserError(error).message;
      }
      for (const l of listed) views.set(l.row.id, view(l, found.get(l.row.id), clusterError));
    }),
  );
  return rows.map((l) => views.get(l.row.id)!);
}
