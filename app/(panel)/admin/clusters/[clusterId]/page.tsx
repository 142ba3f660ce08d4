import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AssignForm } from "@/components/clusters/assign-form";
import { AssignmentsTable } from "@/components/clusters/assignments-table";
import { BuiltInBadge, CheckSummary, InsecureTlsBadge } from "@/components/clusters/check-summary";
import { ClusterHealthCards } from "@/components/clusters/health-cards";
import { DisconnectButton } from "@/components/clusters/disconnect-button";
import { ClusterSettingsForm } from "@/components/clusters/settings-form";
import { ActionForm } from "@/components/ui/action-form";
import { Hidden } from "@/components/ui/field";
import { can } from "@/lib/auth/policy";
import { requireUserForPage } from "@/lib/auth/session";
import { readAssignmentRows } from "@/lib/clusters/assignment-rows";
import { listClusterAssignments } from "@/lib/clusters/assignments";
import { getClusterHealth } from "@/lib/clusters/health";
import { readLive } from "@/lib/clusters/read-live";
import { getCluster, listManagedObjects } from "@/lib/clusters/service";
import { resolveSshRoute } from "@/lib/clusters/settings";
import { getDb } from "@/lib/db";
import { listTeams } from "@/lib/teams/service";
import { assignClusterAction, unassignClusterAction } from "../../../orgs/[orgId]/clusters/actions";
import { disconnectClusterAction, recheckClusterAction, updateClusterSettingsAction } from "../actions";

export const metadata: Metadata = { title: "Cluster" };

// Platform admins only: one cluster's health, check, settings, team assignments and disconnect.
export default async function AdminClusterPage({ params }: { params: Promise<{ clusterId: string }> }) {
  const { principal } = await requireUserForPage();
  if (!can(principal, "clusters:register", { kind: "platform" })) notFound();
  const db = await getDb();
  const cluster = await getCluster(db, (await params).clusterId);
  if (!cluster) notFound();
  const [health, assignments, teams, managed] = await Promise.all([
    readLive(() => getClusterHealth(db, cluster.id)),
    listClusterAssignments(db, cluster.id),
    listTeams(db, principal),
    readLive(() => listManagedObjects(db, cluster.id)),
  ]);
  const rows = await readAssignmentRows(db, assignments);
  const assignedTeamIds = new Set(assignments.map((a) => a.teamId));
  const unassignedTeams = teams.filter((t) => !assignedTeamIds.has(t.id));

  return (
    <>
      <div className="crumbs">
        <Link href="/admin/clusters">Clusters</Link> / {cluster.name}
      </div>
      <div className="page-head">
        <h1>{cluster.name}</h1>
        <Link className="button" href={`/admin/clusters/${cluster.id}/status`}>
          Status
        </Link>
        <ActionForm action={recheckClusterAction} submitLabel="Re-check" className="inline-end" resetOnSuccess={false} successMessage="Checked.">
          <Hidden name="clusterId" value={cluster.id} />
        </ActionForm>
      </div>
      <p className="muted small mono">
        {cluster.server ?? "server unknown"} <InsecureTlsBadge insecureTls={cluster.insecureTls} /> <BuiltInBadge builtIn={cluster.builtIn} />{" "}
        <span className="badge" title="How browser ssh and laptop tunnels reach port 22 of pods and VMs (Settings → SSH route)">
          ssh: {resolveSshRoute(cluster.settings.sshRoute, cluster.inCluster)}
        </span>
      </p>
      {cluster.builtIn && (
        <p className="muted small">
          The panel&apos;s built-in local cluster (<Link href="/admin/local-cluster">its start</Link>): a real Kubernetes control plane on this machine with three
          simulated nodes, pods&apos; ssh reaching a real sshd here and VMs running as real QEMU guests. It stops with the panel and starts afresh with it: team namespaces come back, their pods and VMs do not.
        </p>
      )}
      {cluster.insecureTls && (
        <p className="warning-box small" role="note">
          The panel connects to this cluster without verifying its TLS certificate, as chosen when it was registered: it cannot tell the real API
          server from an impostor. Register it again with its CA (certificate-authority-data) to remove this risk.
        </p>
      )}

      <section className="card" aria-labelledby="health-heading">
        <h2 id="health-heading">Health</h2>
        <ClusterHealthCards health={health} />
      </section>

      <section className="card" aria-labelledby="check-heading">
        <h2 id="check-heading">Connection check</h2>
        <CheckSummary check={cluster.check} checkedAt={cluster.checkedAt} />
      </section>

      <section className="card" aria-labelledby="teams-heading">
        <h2 id="teams-heading">Teams</h2>
        <AssignmentsTable
          rows={rows}
          label="Assigned teams"
          emptyText="No team has this cluster yet."
          unassignAction={unassignClusterAction}
          changeQuotaAction={assignClusterAction}
          showOrg
        />
        <h3>Assign to a team</h3>
        {unassignedTeams.length === 0 ? (
          <p className="muted">Every team already has this cluster.</p>
        ) : (
          <AssignForm action={assignClusterAction} clusters={{ id: cluster.id, label: cluster.name }} teams={unassignedTeams.map((t) => ({ id: t.id, label: `${t.orgName} / ${t.name}` }))} />
        )}
      </section>

      <section className="card" aria-labelledby="settings-heading">
        <h2 id="settings-heading">Settings</h2>
        <ClusterSettingsForm action={updateClusterSettingsAction} clusterId={cluster.id} settings={cluster.settings} inCluster={cluster.inCluster} />
      </section>

      <section className="card danger-zone">
        <h2>Disconnect</h2>
        <p>Removes the cluster from the panel. What minicloud made in it stays unless you choose to delete it.</p>
        <DisconnectButton action={disconnectClusterAction} clusterId={cluster.id} name={cluster.name} managed={managed} />
      </section>
    </>
  );
}
