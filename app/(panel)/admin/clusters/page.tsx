import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { BuiltInBadge, CheckBadge, InsecureTlsBadge } from "@/components/clusters/check-summary";
import { RegisterClusterForm } from "@/components/clusters/register-cluster-form";
import { Time } from "@/components/ui/time";
import { can } from "@/lib/auth/policy";
import { requireUserForPage } from "@/lib/auth/session";
import { listClusters, runsInCluster } from "@/lib/clusters/service";
import { getDb } from "@/lib/db";
import { listContextsAction, registerClusterAction } from "./actions";
import { DataTable } from "@/components/ui/data-table";

export const metadata: Metadata = { title: "Clusters" };

// Platform admins only: the registered host clusters and registering another.
export default async function AdminClustersPage() {
  const { principal } = await requireUserForPage();
  if (!can(principal, "clusters:register", { kind: "platform" })) notFound();
  const clusters = await listClusters(await getDb());
  return (
    <>
      <div className="page-head">
        <h1>Clusters</h1>
      </div>

      <section className="card">
        <h2>Host clusters</h2>
        {clusters.length === 0 ? (
          <p className="empty">
            No clusters yet. Register one below, or <Link href="/admin/local-cluster">start the built-in local cluster</Link> to try minicloud on this machine.
          </p>
        ) : (
          <DataTable
            label="Clusters"
            rows={clusters}
            rowKey={(c) => c.id}
            columns={[
              {
                text: "Name",
                cell: (c) => (
                  <>
                    <Link href={`/admin/clusters/${c.id}`}>{c.name}</Link> <BuiltInBadge builtIn={c.builtIn} />
                  </>
                ),
              },
              { text: "Server", className: "mono small", cell: (c) => c.server ?? "—" },
              { text: "Version", cell: (c) => c.check?.version ?? "—" },
              { text: "Nodes ready", cell: (c) => (c.check?.nodes ? `${c.check.nodes.ready} / ${c.check.nodes.total}` : "—") },
              {
                text: "Status",
                cell: (c) => (
                  <>
                    <CheckBadge check={c.check} /> <InsecureTlsBadge insecureTls={c.insecureTls} />
                  </>
                ),
              },
              { text: "Missing permissions", cell: (c) => (c.check?.reachable ? c.check.missing.length : "—") },
              { text: "Teams", cell: (c) => c.assignmentCount },
              { text: "Checked", className: "small", cell: (c) => <Time value={c.checkedAt} /> },
            ]}
          />
        )}
      </section>

      <section className="card">
        <h2>Register a cluster</h2>
        <p className="muted small">
          The panel checks the cluster before saving: it must answer, and the check lists any permission the credentials lack. Credentials are stored encrypted and never sent back to a browser.
        </p>
        <RegisterClusterForm action={registerClusterAction} listContexts={listContextsAction} inClusterAvailable={runsInCluster()} />
      </section>
    </>
  );
}
