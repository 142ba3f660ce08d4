"use client";
// A nested cluster's live progress and health, from its event stream: each step with its state
// (and its error in plain words), then the API server's readiness checks, each component's pods
// and the leader leases. A create that failed and was rolled back says why.
import { useEffect, useState } from "react";
import { useRouter } from "next/navigation";

interface Step {
  step: string;
  state: "pending" | "running" | "done" | "failed";
  error?: string;
}
interface Health {
  readyz?: { ok: boolean; checks: { name: string; ok: boolean }[]; reason?: string };
  components?: { component: string; ready: number; total: number }[];
  leases?: { controllerManager: string | null; scheduler: string | null } | null;
  error?: string;
}

const ICONS: Record<Step["state"], string> = { pending: "○", running: "◔", done: "✓", failed: "✗" };

export function NestedProgress({ clusterId, labels, initial }: { clusterId: string; labels: Record<string, string>; initial: { state: string; steps: Step[] } }) {
  const router = useRouter();
  const [state, setState] = useState(initial.state);
  const [steps, setSteps] = useState<Step[]>(initial.steps);
  const [health, setHealth] = useState<Health | null>(null);
  const [gone, setGone] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    const source = new EventSource(`/api/nested/${clusterId}/progress`);
    let lastState = initial.state;
    source.onmessage = (event) => {
      const message = JSON.parse(event.data as string) as { type: string; state?: string; steps?: Step[]; health?: Health; error?: string | null };
      if (message.type === "state") {
        setState(message.state!);
        setSteps(message.steps ?? []);
        // The page's server-rendered parts (download, certificates) follow the state.
        if (message.state !== lastState) router.refresh();
        lastState = message.state!;
      } else if (message.type === "health") setHealth(message.health ?? null);
      else if (message.type === "gone") {
        setGone(message.error ?? null);
        source.close();
      }
    };
    return () => source.close();
  }, [clusterId, initial.state, router]);

  return (
    <div className="stack" data-testid="nested-progress" data-state={state}>
      <ol className="steps" aria-label="Progress">
        {steps.map((s) => (
          <li key={s.step} data-step={s.step} data-state={s.state} className={`step ${s.state}`}>
            <span aria-hidden="true">{ICONS[s.state]}</span> {labels[s.step] ?? s.step}
            <span className="muted small"> — {s.state}</span>
            {s.error && (
              <div className="alert error" role="alert">
                {s.error}
              </div>
            )}
          </li>
        ))}
      </ol>
      {gone !== undefined && (
        <div className="alert error" role="alert">
          {gone ? `The create failed and was rolled back: ${gone}` : "This nested cluster is gone."}
        </div>
      )}
      {health && (
        <div data-testid="nested-health">
          <h3>Health</h3>
          {health.error ? (
            <p className="alert error">{health.error}</p>
          ) : (
            <>
              <p>
                API server: <span className={health.readyz?.ok ? "badge ok" : "badge danger"}>{health.readyz?.ok ? "ready" : "not ready"}</span>
                {health.readyz?.reason && <span className="muted small"> {health.readyz.reason}</span>}
              </p>
              <ul className="small">
                {(health.readyz?.checks ?? [])
                  .filter((c) => !c.ok || c.name === "etcd" || c.name === "etcd-readiness")
                  .map((c) => (
                    <li key={c.name}>
                      {c.ok ? "✓" : "✗"} {c.name}
                    </li>
                  ))}
              </ul>
              <ul className="small">
                {(health.components ?? []).map((c) => (
                  <li key={c.component}>
                    {c.component}: {c.ready} of {c.total} ready
                  </li>
                ))}
                {health.leases && (
                  <li>
                    leader leases: controller-manager {health.leases.controllerManager ? "held" : "free"}, scheduler {health.leases.scheduler ? "held" : "free"}
                  </li>
                )}
              </ul>
            </>
          )}
        </div>
      )}
    </div>
  );
}
