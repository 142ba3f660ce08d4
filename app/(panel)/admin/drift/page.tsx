import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConfirmAction } from "@/components/ui/confirm-action";
import { DataTable } from "@/components/ui/data-table";
import { requireUserForPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import "@/lib/workload-kinds"; // the kinds whose objects are looked for
import { findDrift, type ClusterDrift } from "@/lib/workloads/drift";
import { removeOrphanAction } from "./actions";

export const metadata: Metadata = { title: "Drift" };

// Platform admins: where the clusters and the panel's records disagree — objects minicloud
// labelled whose workload no longer exists (orphans), workloads whose objects vanished (lost),
// and deletions held by finalizers. Read live from every cluster when the page loads.
export default async function DriftPage() {
  const { principal } = await requireUserForPage();
  if (!principal.isPlatformAdmin) notFound();
  const db = await getDb();
  const drift = await findDrift(db);
  const clean = drift.every((c) => !c.error && c.orphans.length === 0 && c.lost.length === 0 && c.stuck.length === 0);
  return (
    <>
      <div className="page-head">
        <h1>Drift</h1>
        <Link href="/admin/drift">Refresh</Link>
      </div>
      <p className="muted small">
        The reconciler compares the panel&apos;s records with what minicloud labelled in each cluster every 30 seconds. Objects younger than a minute are left out (a create may still be
        under way).
      </p>
      {clean && <p className="empty">No drift: every cluster holds exactly what the panel records.</p>}
      {drift.map((cluster) =>
        cluster.error || cluster.orphans.length || cluster.lost.length || cluster.stuck.length ? (
          <section className="card" key={cluster.clusterId} data-testid={`drift-${cluster.clusterName}`}>
            <h2>
              <Link href={`/admin/clusters/${cluster.clusterId}`}>{cluster.clusterName}</Link>
            </h2>
            {cluster.error && (
              <p className="alert error" role="alert">
                Could not look: {cluster.error}
              </p>
            )}
            {cluster.orphans.length > 0 && (
              <>
                <h3>Objects without a workload</h3>
                <p className="muted small">
                  {cluster.removesOrphans
                    ? "This cluster's settings let the reconciler remove these by itself."
                    : "Listed only: remove them here, or let the reconciler do it in the cluster's settings."}
                </p>
                <DataTable
                  label={`Orphaned objects in ${cluster.clusterName}`}
                  rows={cluster.orphans}
                  rowKey={(o) => o.workloadId}
                  columns={[
                    { text: "Kind", cell: (o) => o.kind },
                    { text: "Namespace", className: "mono", cell: (o) => o.namespace },
                    { text: "Objects", className: "mono small", cell: (o) => o.objects.map((x) => `${x.kind} ${x.name}`).join(", ") },
                    { text: "Workload id", className: "mono small", cell: (o) => o.workloadId },
                    {
                      label: "Actions",
                      className: "actions",
                      cell: (o) => (
                        <ConfirmAction action={removeOrphanAction} fields={{ clusterId: cluster.clusterId, workloadId: o.workloadId }} buttonLabel="Remove" title={`Remove the objects of workload ${o.workloadId}?`}>
                          <p>
                            These objects in namespace {o.namespace} are deleted: {o.objects.map((x) => `${x.kind} ${x.name}`).join(", ")}. No panel record refers to them.
                          </p>
                        </ConfirmAction>
                      ),
                    },
                  ]}
                />
              </>
            )}
            {cluster.lost.length > 0 && <WorkloadsTable heading="Lost workloads" label={`Lost workloads in ${cluster.clusterName}`} rows={cluster.lost} />}
            {cluster.stuck.length > 0 && <WorkloadsTable heading="Deletions waiting" label={`Deletions waiting in ${cluster.clusterName}`} rows={cluster.stuck} />}
          </section>
        ) : null,
      )}
    </>
  );
}

// Workload rows with the reason they are listed (lost, or a deletion waiting for finalizers).
function WorkloadsTable({ heading, label, rows }: { heading: string; label: string; rows: ClusterDrift["lost"] }) {
  return (
    <>
      <h3>{heading}</h3>
      <DataTable
        label={label}
        rows={rows}
        rowKey={(w) => w.id}
        columns={[
          { text: "Kind", cell: (w) => w.kind },
          { text: "Name", className: "mono", cell: (w) => `${w.namespace}/${w.name}` },
          { text: "Why", className: "small", cell: (w) => w.stateReason ?? "—" },
        ]}
      />
    </>
  );
}
