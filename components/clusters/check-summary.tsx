// The last connection check of a cluster in plain words: reachable or why not, and which
// permissions the panel lacks with what stops working without each.
import { Time } from "@/components/ui/time";
import type { ClusterCheck } from "@/lib/clusters/probe";

/** A short status badge for lists. */
export function CheckBadge({ check }: { check: ClusterCheck | null }) {
  if (!check) return <span className="badge">not checked</span>;
  if (!check.reachable) return <span className="badge danger">unreachable</span>;
  if (check.missing.length > 0) return <span className="badge warn">missing permissions</span>;
  return <span className="badge ok">ready</span>;
}

/** Marks a cluster the panel reaches without verifying TLS (the admin's recorded choice). */
export function InsecureTlsBadge({ insecureTls }: { insecureTls: boolean }) {
  if (!insecureTls) return null;
  return (
    <span className="badge danger" data-testid="insecure-tls-badge" title="The panel connects to this cluster without verifying its TLS certificate.">
      TLS not verified
    </span>
  );
}

/** The whole check: what was found and what is missing. */
export function CheckSummary({ check, checkedAt }: { check: ClusterCheck | null; checkedAt: Date | null }) {
  if (!check) return <p className="empty">This cluster has not been checked yet.</p>;
  return (
    <div data-testid="cluster-check">
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <CheckBadge check={check} />
        </dd>
        {check.error && (
          <>
            <dt>Problem</dt>
            <dd>{check.error}</dd>
          </>
        )}
        <dt>Version</dt>
        <dd>{check.version ?? "—"}</dd>
        <dt>Nodes ready</dt>
        <dd>{check.nodes ? `${check.nodes.ready} of ${check.nodes.total}` : "—"}</dd>
        <dt>KubeVirt (VMs)</dt>
        <dd>{check.apis.kubevirt ? "installed" : "not installed"}</dd>
        <dt>CDI (disk import)</dt>
        <dd>{check.apis.cdi ? "installed" : "not installed"}</dd>
        <dt>Metrics</dt>
        <dd>{check.apis.metrics ? "installed" : "not installed"}</dd>
        <dt>Checked</dt>
        <dd>
          <Time value={checkedAt} />
        </dd>
      </dl>
      {check.reachable &&
        (check.missing.length === 0 ? (
          <p>The panel has every permission it needs here.</p>
        ) : (
          <>
            <h3>What the panel may not do here</h3>
            <ul aria-label="Missing permissions">
              {check.missing.map((m) => (
                <li key={m.what}>
                  It may not <code>{m.what}</code>, which it needs to {m.why}.
                </li>
              ))}
            </ul>
            <p className="muted small">Apply deploy/rbac.yaml (or grant the same rules to the kubeconfig&apos;s user), then re-check.</p>
          </>
        ))}
    </div>
  );
}

/** Marks the panel's own built-in local cluster (lib/local-cluster): for trying minicloud, made afresh at each start. */
export function BuiltInBadge({ builtIn }: { builtIn: boolean }) {
  if (!builtIn) return null;
  return (
    <span
      className="badge"
      data-testid="built-in-badge"
      title="Run by the panel itself: a real Kubernetes control plane with simulated nodes, and real QEMU guests for VMs. It stops with the panel and starts afresh with it: team namespaces come back, their pods and VMs do not."
    >
      local (built-in)
    </span>
  );
}
