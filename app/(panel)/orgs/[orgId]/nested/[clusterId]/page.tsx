import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { NestedProgress } from "@/components/nested/nested-progress";
import { ConfirmAction } from "@/components/ui/confirm-action";
import { ConfirmDelete } from "@/components/ui/confirm-delete";
import { DataTable } from "@/components/ui/data-table";
import { Time } from "@/components/ui/time";
import { LifecycleNote } from "@/components/workloads/lifecycle-badge";
import { loadOrgForPage } from "@/lib/access/page-access";
import { getNestedCluster } from "@/lib/nested/service";
import { STEP_LABELS } from "@/lib/nested/types";
import { deleteNestedClusterAction, rotateNestedCertificatesAction } from "../actions";
import { WorkerPool } from "@/components/nested/worker-pool";
import { removeWorkerAction, retryWorkerAction, scaleWorkerPoolAction } from "./workers/actions";

export const metadata: Metadata = { title: "Nested cluster" };

const DAY_MS = 86_400_000;

// One nested cluster: its steps and health live, the admin kubeconfig, its certificates and their rotation, deleting it.
export default async function NestedClusterPage({ params }: { params: Promise<{ orgId: string; clusterId: string }> }) {
  const { orgId, clusterId } = await params;
  const { db, org, allowed } = await loadOrgForPage(orgId);
  if (!allowed("nested:manage")) notFound();
  const cluster = await getNestedCluster(db, clusterId);
  if (!cluster || cluster.orgId !== org.id) notFound();
  const ready = cluster.state === "ready";

  return (
    <>
      <div className="crumbs">
        <Link href="/orgs">Organizations</Link> / <Link href={`/orgs/${org.id}`}>{org.name}</Link> / <Link href={`/orgs/${org.id}/nested`}>Nested clusters</Link> / {cluster.displayName}
      </div>
      <div className="page-head">
        <h1>{cluster.displayName}</h1>
        <div className="actions">
          {ready && cluster.registered && (
            <Link className="button" href={`/orgs/${org.id}/nested/${cluster.id}/status`} data-testid="status-link">
              Status
            </Link>
          )}
          {ready && (
            <a className="button primary" href={`/api/nested/${cluster.id}/kubeconfig`} download data-testid="download-kubeconfig">
              Download admin kubeconfig
            </a>
          )}
          <ConfirmDelete
            action={deleteNestedClusterAction}
            id={cluster.id}
            name={cluster.displayName}
            what="nested cluster"
            consequence={`Deletes the namespace ${cluster.namespace} in ${cluster.hostClusterName} with the control plane and its data, the cluster's team assignments, and its stored certificates. This cannot be undone.`}
          />
        </div>
      </div>
      <LifecycleNote lifecycle={{ state: cluster.state, reason: cluster.stateReason }} />

      <section className="card">
        <h2>Control plane</h2>
        <dl className="facts">
          <dt>Team</dt>
          <dd>{cluster.teamName}</dd>
          <dt>Host cluster</dt>
          <dd>
            {cluster.hostClusterName} (namespace <span className="mono">{cluster.namespace}</span>)
          </dd>
          <dt>Version</dt>
          <dd>{cluster.spec.version}</dd>
          <dt>etcd</dt>
          <dd>
            {cluster.spec.etcdReplicas} {cluster.spec.etcdReplicas === 1 ? "member" : "members"}, {cluster.spec.etcdStorageGib} GiB each
          </dd>
          <dt>API server</dt>
          <dd>
            {cluster.spec.apiserverReplicas} {cluster.spec.apiserverReplicas === 1 ? "replica" : "replicas"}, {cluster.spec.exposure}
          </dd>
          <dt>Registered</dt>
          <dd>{cluster.registered ? <Link href={`/orgs/${org.id}/clusters`}>yes — assign it to teams</Link> : "not yet"}</dd>
          <dt>Created</dt>
          <dd>
            <Time value={cluster.createdAt} /> by {cluster.createdBy}
          </dd>
        </dl>
        <NestedProgress clusterId={cluster.id} labels={STEP_LABELS} initial={{ state: cluster.state, steps: cluster.steps }} />
      </section>

      {ready && (
        <section className="card">
          <h2>Workers</h2>
          <WorkerPool clusterId={cluster.id} scale={scaleWorkerPoolAction} retry={retryWorkerAction} remove={removeWorkerAction} />
        </section>
      )}

      <section className="card">
        <h2>Certificates</h2>
        {cluster.certificates.length === 0 ? (
          <p className="empty">Not made yet.</p>
        ) : (
          <>
            <DataTable
              label="Certificates"
              rows={cluster.certificates}
              rowKey={(c) => c.name}
              columns={[
                { text: "Certificate", className: "mono", cell: (c) => c.name },
                { text: "Kind", cell: (c) => (c.isCa ? "CA" : "leaf") },
                { text: "Expires", cell: (c) => <Time value={c.notAfter} /> },
                {
                  text: "In",
                  cell: (c) => {
                    const days = Math.floor((c.notAfter.getTime() - Date.now()) / DAY_MS);
                    return <span className={days < 30 ? "badge danger" : undefined}>{days} days</span>;
                  },
                },
              ]}
            />
            <p className="muted small">Last rotated: <Time value={cluster.certificatesRotatedAt} fallback="never" /></p>
            {ready && (
              <ConfirmAction action={rotateNestedCertificatesAction} fields={{ clusterId: cluster.id }} buttonLabel="Rotate certificates" title={`Rotate the certificates of “${cluster.displayName}”?`} danger={false}>
                <p>Every leaf certificate is renewed under the same CAs; the components restart to load them. Kubeconfigs downloaded before keep working until their old certificate expires.</p>
              </ConfirmAction>
            )}
          </>
        )}
      </section>
    </>
  );
}
