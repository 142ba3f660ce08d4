// The labels and annotations on every Kubernetes object minicloud creates, so each can be
// found (label selectors), attributed (team, owner, workload row) and cleaned up. A workload's
// own label values are lib/workloads/labels.ts's.

export const MANAGED_BY = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "minicloud";
export const ORG_LABEL = "minicloud.io/org";
export const TEAM_LABEL = "minicloud.io/team";
export const OWNER_LABEL = "minicloud.io/owner";
export const KIND_LABEL = "minicloud.io/kind";
export const WORKLOAD_LABEL = "minicloud.io/workload";
/** Marks a team namespace (value: the cluster assignment's id). */
export const ASSIGNMENT_LABEL = "minicloud.io/assignment";
/**
 * The registration an object was made through (value: the cluster row's id). Cleanup of a
 * registration deletes only objects carrying its own id, so two panels (or an old and a new
 * registration) sharing one cluster never delete each other's objects.
 */
export const CLUSTER_LABEL = "minicloud.io/cluster";

/** When a workload's time-to-live ends (RFC 3339), so the cluster alone tells what expires. */
export const EXPIRES_ANNOTATION = "minicloud.io/expires-at";
/** The owner's e-mail at creation, for people reading the cluster without the panel. */
export const OWNER_EMAIL_ANNOTATION = "minicloud.io/owner-email";

/** Selects everything minicloud manages in a cluster. */
export const MANAGED_SELECTOR = `${MANAGED_BY}=${MANAGED_BY_VALUE}`;

/** Selects what minicloud made in a cluster through registration `clusterId`. */
export function registrationSelector(clusterId: string): string {
  return `${MANAGED_SELECTOR},${CLUSTER_LABEL}=${clusterId}`;
}

/** Labels of a team's namespace and its quota, limits and policies. */
export function teamLabels(team: { clusterId: string; orgId: string; teamId: string; assignmentId: string }): Record<string, string> {
  return {
    [MANAGED_BY]: MANAGED_BY_VALUE,
    [CLUSTER_LABEL]: team.clusterId,
    [ORG_LABEL]: team.orgId,
    [TEAM_LABEL]: team.teamId,
    [ASSIGNMENT_LABEL]: team.assignmentId,
  };
}

/** A label selector for one workload's objects. */
export function workloadSelector(workloadId: string): string {
  return `${MANAGED_SELECTOR},${WORKLOAD_LABEL}=${workloadId}`;
}
