import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ClusterStatus } from "@/components/status/cluster-status";
import { loadOrgForPage } from "@/lib/access/page-access";
import { getNestedCluster } from "@/lib/nested/service";

export const metadata: Metadata = { title: "Nested cluster status" };

// A ready nested cluster's status, live: control plane, nodes and their pods, volumes.
export default async function NestedClusterStatusPage({ params }: { params: Promise<{ orgId: string; clusterId: string }> }) {
  const { orgId, clusterId } = await params;
  const { db, org, allowed } = await loadOrgForPage(orgId);
  if (!allowed("nested:manage")) notFound();
  const cluster = await getNestedCluster(db, clusterId);
  if (!cluster || cluster.orgId !== org.id) notFound();
  return (
    <>
      <div className="crumbs">
        <Link href="/orgs">Organizations</Link> / <Link href={`/orgs/${org.id}`}>{org.name}</Link> / <Link href={`/orgs/${org.id}/nested`}>Nested clusters</Link> /{" "}
        <Link href={`/orgs/${org.id}/nested/${cluster.id}`}>{cluster.displayName}</Link> / Status
      </div>
      <div className="page-head">
        <h1>{cluster.displayName}: status</h1>
      </div>
      {cluster.registered ? <ClusterStatus clusterId={cluster.id} /> : <p className="empty">The cluster is not ready yet.</p>}
    </>
  );
}
