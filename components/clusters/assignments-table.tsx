// The table of cluster assignments, shared by a cluster's admin page (its teams) and an
// organization's clusters page (its teams' clusters): team, namespace, quota, usage, unassign.
import Link from "next/link";
import { AssignForm } from "@/components/clusters/assign-form";
import { QuotaText, QuotaUsage } from "@/components/clusters/quota-usage";
import { UnassignButton } from "@/components/clusters/unassign-button";
import type { ActionResult } from "@/lib/actions/define-action";
import type { AssignmentRow } from "@/lib/clusters/assignment-rows";
import { quotaToForm } from "@/lib/clusters/quota-form";
import { DataTable } from "@/components/ui/data-table";

type Action = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

/**
 * The assignments as a table, or `emptyText` when there are none. `showCluster` adds the
 * cluster column (a page listing several clusters), `showOrg` puts the organization before the
 * team (a page listing several organizations), and `changeQuotaAction` adds a "Change" quota
 * form under each quota.
 */
export function AssignmentsTable({
  rows,
  label,
  emptyText,
  unassignAction,
  changeQuotaAction,
  showCluster = false,
  showOrg = false,
}: {
  rows: AssignmentRow[];
  label: string;
  emptyText: string;
  unassignAction: Action;
  changeQuotaAction?: Action;
  showCluster?: boolean;
  showOrg?: boolean;
}) {
  if (rows.length === 0) return <p className="empty">{emptyText}</p>;
  return (
    <DataTable
      label={label}
      rows={rows}
      rowKey={({ assignment }) => assignment.id}
      columns={[
        showCluster && { text: "Cluster", cell: ({ assignment: a }) => a.clusterName },
        {
          text: "Team",
          cell: ({ assignment: a }) => (
            <>
              {showOrg && `${a.orgName} / `}
              <Link href={`/t/${a.teamId}/clusters`}>{a.teamName}</Link>
            </>
          ),
        },
        { text: "Namespace", className: "mono", cell: ({ assignment: a }) => a.namespace },
        {
          text: "Quota",
          cell: ({ assignment: a }) => (
            <>
              <QuotaText quota={a.quota} />
              {changeQuotaAction && (
                <details>
                  <summary>Change</summary>
                  <AssignForm
                    action={changeQuotaAction}
                    clusters={{ id: a.clusterId, label: a.clusterName }}
                    teams={{ id: a.teamId, label: a.teamName }}
                    quota={quotaToForm(a.quota)}
                    submitLabel="Save quota"
                    testId={`quota-form-${a.teamId}-${a.clusterId}`}
                  />
                </details>
              )}
            </>
          ),
        },
        { text: "In use", cell: ({ usage }) => <QuotaUsage usage={usage} /> },
        {
          className: "actions",
          cell: ({ assignment: a, contents }) => (
            <UnassignButton action={unassignAction} clusterId={a.clusterId} teamId={a.teamId} teamName={a.teamName} namespace={a.namespace} contents={contents} />
          ),
        },
      ]}
    />
  );
}
