import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CheckBadge, InsecureTlsBadge } from "@/components/clusters/check-summary";
import { RegisterClusterForm } from "@/components/clusters/register-cluster-form";
import { Time } from "@/components/ui/time";
import { can } from "@/lib/auth/policy";
import { requireUserForPage } from "@/lib/auth/session";
import { listClusters, runsInCluster } from "@/lib/clusters/service";
import { getDb } from "@/lib/db";
import { listContextsAction, registerClusterAction } from "./actions";

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
          <p className="empty">No clusters yet. Register one below.</p>
        ) : (
          <table className="table" aria-label="Clusters">
            <thead>
              <tr>
                <th>Name</th>
                <th>Server</th>
                <th>Version</th>
                <th>Nodes ready</th>
                <th>Status</th>
                <th>Missing permissions</th>
                <th>Teams</th>
                <th>Checked</th>
              </tr>
            </thead>
            <tbody>
              {clusters.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link href={`/admin/clusters/${c.id}`}>{c.name}</Link>
                  </td>
                  <td className="mono small">{c.server ?? "—"}</td>
                  <td>{c.check?.version ?? "—"}</td>
                  <td>{c.check?.nodes ? `${c.check.nodes.ready} / ${c.check.nodes.total}` : "—"}</td>
                  <td>
                    <CheckBadge check={c.check} /> <InsecureTlsBadge insecureTls={c.insecureTls} />
                  </td>
                  <td>{c.check?.reachable ? c.check.missing.length : "—"}</td>
                  <td>{c.assignmentCount}</td>
                  <td className="small">
                    <Time value={c.checkedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
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
