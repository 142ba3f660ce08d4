"use client";
// The built-in local cluster's start, live: its steps, a progress bar and the elapsed time,
// from /api/local-cluster/events (one full status per message). A failure shows the step and
// the last lines of its output, with Retry; Retry starts again, and Go's caches make the work
// already done quick to redo.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { ActionForm } from "@/components/ui/action-form";
import { Field } from "@/components/ui/field";
import { useNow } from "@/components/pods/use-now";
import { startLocalClusterAction } from "@/app/(panel)/admin/local-cluster/actions";
import { progressFraction, type LocalClusterStatus, type StepStatus } from "@/lib/local-cluster/progress";

function seconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

const MARK: Record<StepStatus["state"], string> = { waiting: "○", running: "◌", done: "✓", cached: "✓", failed: "✗" };

function StepRow({ step, now }: { step: StepStatus; now: number }) {
  const took =
    step.state === "cached" ? "already built" : step.startedAt === null ? "" : seconds((step.finishedAt ?? now) - step.startedAt) + (step.state === "running" ? "…" : "");
  return (
    <li className={`step-${step.state}`} data-step={step.id} data-state={step.state}>
      <span aria-hidden="true">{MARK[step.state]}</span>
      <span>{step.label}</span>
      <span className="small muted">{took}</span>
    </li>
  );
}

/** The name of its first registration (a registered built-in cluster keeps its own). */
function NameField() {
  return <Field name="name" label="Register it as" defaultValue="local" hint="The cluster's name in the panel." />;
}

/** The live view; `initial` is the status when the page was rendered. */
export function LocalClusterProgress({ initial, renderedAt }: { initial: LocalClusterStatus; renderedAt: number }) {
  const [status, setStatus] = useState(initial);
  const router = useRouter();
  const now = useNow(renderedAt, status.phase === "starting" ? 1000 : 60_000);
  useEffect(() => {
    const source = new EventSource("/api/local-cluster/events");
    source.onmessage = (event) => setStatus(JSON.parse(event.data as string) as LocalClusterStatus);
    return () => source.close();
  }, []);
  // Once it is ready, the server-rendered parts (checklist, cluster links) catch up.
  useEffect(() => {
    if (status.phase === "ready") router.refresh();
  }, [status.phase, router]);

  const fraction = progressFraction(status, now);
  const elapsed = status.startedAt === null ? null : (status.finishedAt ?? now) - status.startedAt;
  const current = status.steps.find((s) => s.state === "running");
  const failedStep = status.steps.find((s) => s.id === status.failure?.step);
  return (
    <section className="card" aria-label="Built-in local cluster progress" data-testid="local-cluster-progress" data-phase={status.phase}>
      {status.phase === "idle" || status.phase === "stopped" ? (
        <ActionForm action={startLocalClusterAction} submitLabel="Start the built-in local cluster" className="inline" resetOnSuccess={false}>
          <NameField />
        </ActionForm>
      ) : (
        <>
          <div className="page-head">
            <h2>
              {status.phase === "starting" && (current ? `${current.label}…` : "Starting…")}
              {status.phase === "ready" && "The built-in local cluster is ready"}
              {status.phase === "failed" && "The start failed"}
            </h2>
            {elapsed !== null && <span className="badge" data-testid="elapsed">{seconds(elapsed)}</span>}
          </div>
          <div
            className={`progress-bar ${status.phase}`}
            role="progressbar"
            aria-label="Start progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(fraction * 100)}
          >
            <span style={{ width: `${Math.round(fraction * 100)}%` }} />
          </div>
          <ol className="steps">
            {status.steps.map((step) => (
              <StepRow key={step.id} step={step} now={now} />
            ))}
          </ol>
        </>
      )}
      {status.phase === "failed" && status.failure && (
        <div className="stack" data-testid="local-cluster-failure">
          <div className="alert error" role="alert">
            {failedStep ? `${failedStep.label}: ` : ""}
            {status.failure.message}
          </div>
          {status.failure.output.length > 0 && <pre className="output">{status.failure.output.join("\n")}</pre>}
          <ActionForm action={startLocalClusterAction} submitLabel="Retry" className="inline" resetOnSuccess={false}>
            <NameField />
          </ActionForm>
        </div>
      )}
      {status.phase === "ready" && status.clusterId && (
        <p>
          Registered as a cluster: <Link href={`/admin/clusters/${status.clusterId}`}>open it to assign it to a team</Link>, or go back to the{" "}
          <Link href="/">first steps</Link>.
        </p>
      )}
    </section>
  );
}
