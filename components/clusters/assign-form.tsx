// Assigning a cluster to a team with a quota (or changing the quota): pick the cluster and
// the team unless the page fixes them. Posting again for an assigned team updates its quota.
import { QuotaFields } from "@/components/clusters/quota-fields";
import { ActionForm } from "@/components/ui/action-form";
import { Field, Hidden } from "@/components/ui/field";
import type { ActionResult } from "@/lib/actions/define-action";

type Action = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;
type Choice = { id: string; label: string };

/** The assign form; a single `clusters`/`teams` entry becomes a fixed hidden field. */
export function AssignForm({
  action,
  clusters,
  teams,
  quota,
  submitLabel = "Assign cluster",
  testId = "assign-cluster-form",
}: {
  action: Action;
  clusters: Choice[] | Choice;
  teams: Choice[] | Choice;
  quota?: Record<string, string>;
  submitLabel?: string;
  testId?: string;
}) {
  return (
    <div data-testid={testId}>
      <ActionForm action={action} submitLabel={submitLabel} className="inline" resetOnSuccess={false} successMessage="Saved: the namespace, quota and limits are in place.">
        {Array.isArray(clusters) ? (
          <Field name="clusterId" label="Cluster" options={clusters.map((c) => ({ value: c.id, label: c.label }))} />
        ) : (
          <Hidden name="clusterId" value={clusters.id} />
        )}
        {Array.isArray(teams) ? <Field name="teamId" label="Team" options={teams.map((t) => ({ value: t.id, label: t.label }))} /> : <Hidden name="teamId" value={teams.id} />}
        <QuotaFields values={quota} />
      </ActionForm>
    </div>
  );
}
