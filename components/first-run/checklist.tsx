// The platform administrator's first-run checklist (lib/first-run/checklist.ts): each step with
// its state and the way to its form. Shown on the home page until every step is done.
import Link from "next/link";
import { PersonalTeamForm } from "@/components/first-run/personal-team-form";
import type { ChecklistStep, FirstRunChecklist } from "@/lib/first-run/checklist";
import type { LocalClusterStatus } from "@/lib/local-cluster/progress";

/** What the checklist needs besides the steps' state. */
export interface ChecklistContext {
  suggestedOrgName: string;
  /** Why the built-in cluster cannot be started here, or null when it can. */
  localClusterRefusal: string | null;
  /** Where the built-in cluster's start is. */
  localClusterPhase: LocalClusterStatus["phase"];
}

function StepAction({ step, checklist, context }: { step: ChecklistStep; checklist: FirstRunChecklist; context: ChecklistContext }) {
  if (step.done) return null;
  switch (step.id) {
    case "team":
      return (
        <div className="stack">
          <PersonalTeamForm suggestedName={context.suggestedOrgName} />
          <p className="small muted">
            Or <Link href="/orgs">create an organization and teams yourself</Link>.
          </p>
        </div>
      );
    case "cluster":
      if (context.localClusterPhase === "starting" || context.localClusterPhase === "failed") {
        return (
          <p>
            <Link href="/admin/local-cluster">
              {context.localClusterPhase === "starting" ? "The built-in local cluster is starting: follow its progress" : "The built-in local cluster did not start: see why, and retry"}
            </Link>
          </p>
        );
      }
      return (
        <p>
          {context.localClusterRefusal === null ? (
            <>
              <Link className="button primary" href="/admin/local-cluster">
                Start the built-in local cluster
              </Link>{" "}
              or <Link href="/admin/clusters">register a cluster</Link> with its kubeconfig.
            </>
          ) : (
            <>
              <Link href="/admin/clusters">Register a cluster</Link> with its kubeconfig. <span className="muted">{context.localClusterRefusal}</span>
            </>
          )}
        </p>
      );
    case "assign":
      return step.href ? (
        <p>
          <Link href={step.href}>Assign {checklist.cluster?.name ?? "the cluster"} to a team</Link>, with a quota: the team gets its own namespace there.
        </p>
      ) : (
        <p className="muted">Once there is a cluster.</p>
      );
    case "pod":
      return step.href ? (
        <p>
          <Link href={step.href}>New SSH pod</Link>: pick an image and a size; it runs within seconds.
        </p>
      ) : (
        <p className="muted">Once a team has a cluster.</p>
      );
    case "terminal":
      return step.href ? (
        <p>
          <Link href={step.href}>Open its terminal</Link> in the browser, or download an ssh_config from your profile.
        </p>
      ) : (
        <p className="muted">Once there is an SSH pod.</p>
      );
  }
}

export function FirstRunChecklistView({ checklist, context }: { checklist: FirstRunChecklist; context: ChecklistContext }) {
  const done = checklist.steps.filter((s) => s.done).length;
  return (
    <section className="card" aria-label="First steps" data-testid="first-run-checklist">
      <div className="page-head">
        <h2>First steps</h2>
        <span className="badge">
          {done} of {checklist.steps.length} done
        </span>
      </div>
      <ol className="checklist">
        {checklist.steps.map((step, i) => (
          <li key={step.id} className={step.done ? "checklist-done" : undefined} data-step={step.id} data-done={step.done}>
            <span className="checklist-mark" aria-hidden="true">
              {step.done ? "✓" : i + 1}
            </span>
            <div>
              <strong>{step.title}</strong>
              {step.done && <span className="visually-hidden"> (done)</span>}
              <StepAction step={step} checklist={checklist} context={context} />
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
