"use client";
// A cluster's status view, live from its event stream: the control plane (readiness checks, etcd
// members, components, leader leases, certificate expiry), the nodes with their pods, and the
// persistent volumes and claims. The stream sends the nodes/pods/volumes part as they change.
import { useEffect, useState } from "react";
import { DataTable } from "@/components/ui/data-table";
import type { ControlPlaneStatus } from "@/lib/status/service";
import type { StatusSummary } from "@/lib/status/summary";

const DAY_MS = 86_400_000;

export function ClusterStatus({ clusterId }: { clusterId: string }) {
  const [summary, setSummary] = useState<StatusSummary | null>(null);
  const [plane, setPlane] = useState<ControlPlaneStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const source = new EventSource(`/api/clusters/${clusterId}/status`);
    source.onmessage = (event) => {
      const message = JSON.parse(event.data as string) as { type: "summary"; summary: StatusSummary } | { type: "control-plane"; status: ControlPlaneStatus } | { type: "error"; error: string };
      if (message.type === "summary") setSummary(message.summary);
      else if (message.type === "control-plane") setPlane(message.status);
      else setError(message.error);
    };
    return () => source.close();
  }, [clusterId]);

  return (
    <div className="stack" data-testid="cluster-status">
      {error && <p className="alert">{error}</p>}
      <section className="card">
        <h2>Control plane</h2>
        {!plane ? (
          <p className="muted">Reading…</p>
        ) : (
          <dl className="facts" data-testid="control-plane-status">
            <dt>API server</dt>
            <dd>
              <span className={plane.readyz.ok ? "badge ok" : "badge danger"}>{plane.readyz.ok ? "ready" : "not ready"}</span> {plane.readyz.reason}
              {plane.readyz.checks.length > 0 && (
                <span className="muted small"> · {plane.readyz.checks.filter((c) => c.ok).length} of {plane.readyz.checks.length} checks pass{plane.readyz.checks.some((c) => !c.ok) ? ` (failing: ${plane.readyz.checks.filter((c) => !c.ok).map((c) => c.name).join(", ")})` : ""}</span>
              )}
            </dd>
            <dt>etcd</dt>
            <dd>
              {plane.etcd
                ? plane.etcd.map((m) => (
                    <span key={m.member} className={m.healthy ? "badge ok" : "badge danger"} title={m.reason}>
                      {m.member} {m.healthy ? "healthy" : "unhealthy"}
                    </span>
                  ))
                : plane.readyz.checks.find((c) => c.name === "etcd")
                  ? `etcd check ${plane.readyz.checks.find((c) => c.name === "etcd")!.ok ? "ok" : "failing"} (members not exposed by this cluster)`
                  : "not exposed by this cluster"}
            </dd>
            {plane.components && (
              <>
                <dt>Components</dt>
                <dd>
                  {plane.components.map((c) => (
                    <span key={c.component} className={c.ready > 0 && c.ready === c.total ? "badge ok" : "badge warn"}>
                      {c.component} {c.ready}/{c.total}
                    </span>
                  ))}
                </dd>
              </>
            )}
            {plane.leases && (
              <>
                <dt>Leaders</dt>
                <dd className="small mono">
                  controller-manager: {plane.leases.controllerManager ?? "none"}; scheduler: {plane.leases.scheduler ?? "none"}
                </dd>
              </>
            )}
            <dt>Certificates</dt>
            <dd>
              {plane.certificates.length === 0
                ? "unknown"
                : (() => {
                    const soonest = [...plane.certificates].sort((a, b) => a.notAfter.localeCompare(b.notAfter))[0]!;
                    const days = Math.floor((new Date(soonest.notAfter).getTime() - Date.now()) / DAY_MS);
                    return (
                      <span className={days < 30 ? "badge danger" : undefined}>
                        soonest: {soonest.name} in {days} days ({soonest.notAfter.slice(0, 10)})
                      </span>
                    );
                  })()}
            </dd>
          </dl>
        )}
      </section>

      <section className="card">
        <h2>Nodes</h2>
        {!summary ? (
          <p className="muted">Reading…</p>
        ) : (
          <>
            <p className="muted small" data-testid="status-totals">
              {summary.totals.readyNodes} of {summary.totals.nodes} nodes Ready · {summary.totals.pods} pods ({summary.totals.running} running, {summary.totals.pending} pending, {summary.totals.unscheduled} unscheduled)
            </p>
            {summary.nodes.length === 0 ? (
              <p className="empty">No nodes.</p>
            ) : (
              <DataTable
                label="Nodes"
                rows={summary.nodes}
                rowKey={(n) => n.name}
                rowAttributes={(n) => ({ "data-node": n.name, "data-ready": String(n.ready) })}
                columns={[
                  { text: "Node", className: "mono", cell: (n) => n.name },
                  { text: "Status", cell: (n) => <span className={n.ready ? "badge ok" : "badge danger"}>{n.ready ? "Ready" : "NotReady"}{n.unschedulable ? ", cordoned" : ""}</span> },
                  { text: "Roles", cell: (n) => n.roles.join(", ") },
                  { text: "Version", cell: (n) => n.version },
                  { text: "Capacity", cell: (n) => `${n.capacity.cpu} CPU, ${n.capacity.memory}, ${n.capacity.pods} pods` },
                  { text: "Allocatable", cell: (n) => `${n.allocatable.cpu} CPU, ${n.allocatable.memory}` },
                  { text: "Pods", cell: (n) => `${n.pods.running} running${n.pods.pending ? `, ${n.pods.pending} pending` : ""}${n.pods.other ? `, ${n.pods.other} other` : ""}` },
                ]}
              />
            )}
          </>
        )}
      </section>

      <section className="card">
        <h2>Persistent volumes and claims</h2>
        {!summary ? (
          <p className="muted">Reading…</p>
        ) : summary.persistentVolumes.length + summary.claims.length === 0 ? (
          <p className="empty">None.</p>
        ) : (
          <DataTable
            label="Volumes and claims"
            rows={[...summary.persistentVolumes.map((v) => ({ ...v, kind: "PV" })), ...summary.claims.map((c) => ({ ...c, kind: "PVC" }))]}
            rowKey={(v) => `${v.kind}/${v.namespace ?? ""}/${v.name}`}
            columns={[
              { text: "Kind", cell: (v) => v.kind },
              { text: "Name", className: "mono", cell: (v) => (v.namespace ? `${v.namespace}/${v.name}` : v.name) },
              { text: "Phase", cell: (v) => v.phase },
              { text: "Size", cell: (v) => v.capacity },
              { text: "Class", cell: (v) => v.storageClass },
              { text: "Bound to", className: "mono", cell: (v) => v.boundTo },
            ]}
          />
        )}
      </section>
    </div>
  );
}
