"use client";
// A nested cluster's workers, live from the pool's event stream: the wanted size with a form to
// change it, and each worker — its VM, its node (ready, version, allocatable) or why it failed —
// with retry and remove for those that failed.
import { useEffect, useState } from "react";
import { ActionForm } from "@/components/ui/action-form";
import { ConfirmAction } from "@/components/ui/confirm-action";
import { DataTable } from "@/components/ui/data-table";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/actions/define-action";
import type { WorkerPoolView, WorkerView } from "@/lib/nested/workers/types";

type ServerAction = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

const STATE_LABELS: Record<WorkerView["state"], string> = {
  starting: "VM starting",
  joining: "Joining",
  ready: "Ready",
  "not-ready": "Not ready",
  failed: "Failed",
  removing: "Removing",
};
const STATE_BADGES: Partial<Record<WorkerView["state"], string>> = { ready: "badge ok", failed: "badge danger", "not-ready": "badge warn" };

export function WorkerPool({ clusterId, scale, retry, remove }: { clusterId: string; scale: ServerAction; retry: ServerAction; remove: ServerAction }) {
  const [pool, setPool] = useState<WorkerPoolView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const source = new EventSource(`/api/nested/${clusterId}/workers`);
    source.onmessage = (event) => {
      const message = JSON.parse(event.data as string) as { type: "pool"; pool: WorkerPoolView } | { type: "error"; error: string };
      if (message.type === "pool") {
        setPool(message.pool);
        setError(null);
      } else setError(message.error);
    };
    return () => source.close();
  }, [clusterId]);

  const ready = pool?.workers.filter((w) => w.state === "ready").length ?? 0;
  return (
    <div className="stack" data-testid="worker-pool">
      <ActionForm action={scale} submitLabel="Scale" className="inline" resetOnSuccess={false}>
        <input type="hidden" name="clusterId" value={clusterId} />
        <Field name="size" label="Workers" type="number" min={0} max={20} defaultValue={pool ? String(pool.size) : "0"} key={pool?.size ?? -1} data-testid="pool-size" hint="Scaling down drains each removed node first." />
      </ActionForm>
      {error && <p className="alert">{error}</p>}
      {!pool ? (
        <p className="muted">Loading the pool…</p>
      ) : pool.workers.length === 0 ? (
        <p className="empty">No workers. {pool.image ? "" : "Workers boot the host's worker image (a VM disk catalog entry whose label says “worker”)."}</p>
      ) : (
        <>
          <p className="muted small" data-testid="pool-summary">
            {ready} of {pool.size} Ready{pool.image ? <> · image <span className="mono">{pool.image}</span></> : null}
          </p>
          <DataTable
            label="Workers"
            rows={pool.workers}
            rowKey={(w) => w.name}
            rowAttributes={(w) => ({ "data-worker": w.name, "data-state": w.state })}
            columns={[
              { text: "Node", className: "mono", cell: (w) => w.name },
              { text: "State", cell: (w) => <span className={STATE_BADGES[w.state] ?? "badge"}>{STATE_LABELS[w.state]}</span> },
              { text: "VM", cell: (w) => w.vmStatus },
              { text: "Version", cell: (w) => w.node?.version ?? "" },
              { text: "Allocatable", cell: (w) => (w.node ? `${w.node.cpu} CPU, ${w.node.memory}` : "") },
              { text: "Why", cell: (w) => (w.reason ? <span className="field-error" data-testid="worker-reason">{w.reason}</span> : w.node?.unschedulable ? "cordoned" : "") },
              {
                text: "",
                cell: (w) =>
                  w.state === "failed" ? (
                    <div className="toolbar">
                      <ConfirmAction action={retry} fields={{ clusterId, worker: w.name }} buttonLabel="Retry" title={`Retry ${w.name}?`} danger={false}>
                        <p>Its VM is replaced by a new one that joins with a fresh token.</p>
                      </ConfirmAction>
                      <ConfirmAction action={remove} fields={{ clusterId, worker: w.name }} buttonLabel="Remove" title={`Remove ${w.name}?`}>
                        <p>Its VM is deleted and the pool shrinks by one.</p>
                      </ConfirmAction>
                    </div>
                  ) : null,
              },
            ]}
          />
        </>
      )}
    </div>
  );
}
