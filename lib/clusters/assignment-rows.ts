// What the assignment tables (a cluster's teams, an organization's clusters) show beside each
// assignment, read live from its cluster. A cluster that is down turns a cell into a message.
import { describeTeamNamespace, getAssignmentUsage, type ClusterAssignmentItem, type NamespaceContents, type QuotaUsage } from "@/lib/clusters/assignments";
import type { Db } from "@/lib/db/client";
import { readLive, type LiveRead } from "@/lib/clusters/read-live";

/** One assignment with its quota usage and what its namespace holds (for the unassign dialog). */
export interface AssignmentRow {
  assignment: ClusterAssignmentItem;
  usage: LiveRead<QuotaUsage | null>;
  contents: LiveRead<NamespaceContents>;
}

/** Reads every assignment's live cells, the assignments in parallel. */
export function readAssignmentRows(db: Db, assignments: ClusterAssignmentItem[]): Promise<AssignmentRow[]> {
  return Promise.all(
    assignments.map(async (assignment) => ({
      assignment,
      usage: await readLive(() => getAssignmentUsage(db, assignment)),
      contents: await readLive(() => describeTeamNamespace(db, assignment.clusterId, assignment.teamId)),
    })),
  );
}
