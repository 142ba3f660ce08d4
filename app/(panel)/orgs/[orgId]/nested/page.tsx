import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { NewNestedClusterForm } from "@/components/nested/new-nested-cluster-form";
import { DataTable } from "@/components/ui/data-table";
import { Time } from "@/components/ui/time";
import { LifecycleBadge } from "@/components/workloads/lifecycle-badge";
import { loadOrgForPage } from "@/lib/access/page-access";
import { listOrgAssignments } from "@/lib/clusters/assignments";
import { listNestedClusters } from "@/lib/nested/service";
import { EXPOSURES } from "@/lib/nested/types";
import { SUPPORTED_VERSIONS, upstreamImages } from "@/lib/nested/versions";
import { listTeams } from "@/lib/teams/service";
import { createNestedClusterAction } from "./actions";

export const metadata: Metadata = { title: "Nested clusters" };

// Org owners and admins: the organization's nested clusters (hosted control planes) and a new one.
export default async function OrgNestedClustersPage({ params }: { params: Promise<{ orgId: string }> }) {
  const { db, org, principal, allowed } = await loadOrgForPage((await params).orgId);
  if (!allowed("nested:manage")) notFound();
  const [nested, teams, assignments] = await Promise.all([listNestedClusters(db, { orgId: org.id }), listTeams(db, principal, { orgId: org.id }), listOrgAssignments(db, org.id)]);
  const nestedIds = new Set(nested.map((n) => n.id));
  const hosts = assignments.filter((a) => !nestedIds.has(a.clusterId)).map((a) => ({ clusterId: a.clusterId, clusterName: a.clusterName, teamId: a.teamId }));

  return (
    <>
      <div className="crumbs">
        <Link href="/orgs">Organizations</Link> / <Link href={`/orgs/${org.id}`}>{org.name}</Link> / Nested clusters
      </div>
      <div className="page-head">
        <h1>Nested clusters for {org.name}</h1>
      </div>

      <section className="card">
        <h2>Nested clusters</h2>
        {nested.length === 0 ? (
          <p className="empty">None yet. A nested cluster is a Kubernetes control plane running as pods in a host cluster; create one below.</p>
        ) : (
          <DataTable
            label="Nested clusters"
            rows={nested}
            rowKey={(n) => n.id}
            columns={[
              { text: "Name", cell: (n) => <Link href={`/orgs/${org.id}/nested/${n.id}`}>{n.displayName}</Link> },
              { text: "Team", cell: (n) => n.teamName },
              { text: "Host", cell: (n) => n.hostClusterName },
              { text: "Version", cell: (n) => n.spec.version },
              {
                text: "Status",
                cell: (n) => (n.state === "ready" ? <span className="badge ok">{n.registered ? "ready" : "starting"}</span> : <LifecycleBadge lifecycle={{ state: n.state, reason: n.stateReason }} />),
              },
              { text: "Certificates expire", className: "small", cell: (n) => <Time value={n.certificates[0]?.notAfter} /> },
              { text: "Created", className: "small", cell: (n) => <Time value={n.createdAt} /> },
            ]}
          />
        )}
      </section>

      <section className="card">
        <h2>New nested cluster</h2>
        {teams.length === 0 ? (
          <p className="empty">Create a team first.</p>
        ) : hosts.length === 0 ? (
          <p className="empty">
            No team of this organization has a host cluster; <Link href={`/orgs/${org.id}/clusters`}>assign one</Link> first.
          </p>
        ) : (
          <>
            <p className="muted small">
              The panel makes the certificates, then etcd, the API server, the controller-manager and the scheduler as pods in a namespace of the host, and registers the result as a cluster you can assign to teams.
            </p>
            <NewNestedClusterForm
              action={createNestedClusterAction}
              teams={teams.map((t) => ({ id: t.id, name: t.name }))}
              hosts={hosts}
              versions={SUPPORTED_VERSIONS.map((v) => ({ version: v.version, images: { ...upstreamImages(v.version) } }))}
              exposures={EXPOSURES}
            />
          </>
        )}
      </section>
    </>
  );
}
