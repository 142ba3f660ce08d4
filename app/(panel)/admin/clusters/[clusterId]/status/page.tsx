import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ClusterStatus } from "@/components/status/cluster-status";
import { can } from "@/lib/auth/policy";
import { requireUserForPage } from "@/lib/auth/session";
import { getCluster } from "@/lib/clusters/service";
import { getDb } from "@/lib/db";

export const metadata: Metadata = { title: "Cluster status" };

// Platform admins: a registered cluster's status, live — control plane, nodes and their pods, volumes.
export default async function AdminClusterStatusPage({ params }: { params: Promise<{ clusterId: string }> }) {
  const { principal } = await requireUserForPage();
  if (!can(principal, "clusters:register", { kind: "platform" })) notFound();
  const cluster = await getCluster(await getDb(), (await params).clusterId);
  if (!cluster) notFound();
  return (
    <>
      <div className="crumbs">
        <Link href="/admin/clusters">Clusters</Link> / <Link href={`/admin/clusters/${cluster.id}`}>{cluster.name}</Link> / Status
      </div>
      <div className="page-head">
        <h1>{cluster.name}: status</h1>
      </div>
      <ClusterStatus clusterId={cluster.id} />
    </>
  );
}
