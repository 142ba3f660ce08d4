import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LocalClusterProgress } from "@/components/local-cluster/progress-view";
import { can } from "@/lib/auth/policy";
import { requireUserForPage } from "@/lib/auth/session";
import { getEnv } from "@/lib/env";
import { localClusterControl } from "@/lib/local-cluster/control";
import { localClusterAvailability } from "@/lib/local-cluster/policy";
import { idleStatus } from "@/lib/local-cluster/progress";

export const metadata: Metadata = { title: "Built-in local cluster" };
export const dynamic = "force-dynamic";

// Platform admins only: start the built-in local cluster and follow its start live.
export default async function LocalClusterPage() {
  const { principal } = await requireUserForPage();
  if (!can(principal, "clusters:register", { kind: "platform" })) notFound();
  const availability = localClusterAvailability(getEnv());
  const status = localClusterControl()?.status() ?? idleStatus();
  return (
    <>
      <div className="crumbs">
        <Link href="/admin/clusters">Clusters</Link> / built-in local cluster
      </div>
      <div className="page-head">
        <h1>Built-in local cluster</h1>
      </div>
      <p>
        To try minicloud on this machine without a cluster of your own, the panel runs one itself, as its own child processes: a real Kubernetes control plane (etcd,
        kube-apiserver, controller manager and scheduler), three <strong>simulated nodes</strong> (kwok plays their kubelets: pods run as records, a shell in a pod
        runs on this machine and its ssh reaches a real sshd here), and <strong>real QEMU guests</strong> for VMs. It is registered as a cluster with a{" "}
        <span className="badge">local (built-in)</span> badge and stops with the panel. The panel starts it again with itself, afresh: the teams&apos; namespaces and quotas come back, the pods and VMs that ran
        in them do not (they are marked lost).
      </p>
      <p className="muted small">
        The first start builds Kubernetes from source through the Go module proxy — several minutes on a cold machine; the steps show below. Later starts take
        seconds.
      </p>
      {availability.allowed ? (
        <LocalClusterProgress initial={status} renderedAt={Date.now()} />
      ) : (
        <p className="alert error" role="alert">
          {availability.reason}
        </p>
      )}
    </>
  );
}
