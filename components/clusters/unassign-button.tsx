// Removing a cluster from a team: the dialog lists what the team's namespace holds (all of it
// is deleted) and asks for the namespace's name.
import { ConfirmAction } from "@/components/ui/confirm-action";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/actions/define-action";
import type { NamespaceContents } from "@/lib/clusters/assignments";
import type { LiveRead } from "@/lib/clusters/read-live";

type Action = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

function Names({ label, names }: { label: string; names: string[] }) {
  if (names.length === 0) return null;
  return (
    <li>
      {label} ({names.length}): {names.slice(0, 20).join(", ")}
      {names.length > 20 ? ` and ${names.length - 20} more` : ""}
    </li>
  );
}

/** The "Unassign" button and its dialog. */
export function UnassignButton({
  action,
  clusterId,
  teamId,
  teamName,
  namespace,
  contents,
}: {
  action: Action;
  clusterId: string;
  teamId: string;
  teamName: string;
  namespace: string;
  contents: LiveRead<NamespaceContents>;
}) {
  return (
    <ConfirmAction
      action={action}
      fields={{ clusterId, teamId }}
      buttonLabel="Unassign"
      title={`Unassign ${teamName} and delete namespace “${namespace}”?`}
      confirmLabel="Delete namespace and unassign"
      inputs={<Field name="confirmName" label={`Type “${namespace}” to confirm`} autoComplete="off" />}
    >
      {!contents.ok ? (
        <p className="alert error">Could not list what the namespace holds: {contents.error}</p>
      ) : !contents.value.exists ? (
        <p>The namespace no longer exists in the cluster; only the assignment is removed.</p>
      ) : (
        <>
          <p>Everything in the namespace is deleted with it:</p>
          <ul aria-label="Namespace contents">
            <Names label="Pods" names={contents.value.pods} />
            <Names label="Services" names={contents.value.services} />
            <Names label="Volume claims (data is lost)" names={contents.value.persistentVolumeClaims} />
            {contents.value.virtualMachines && <Names label="VMs" names={contents.value.virtualMachines} />}
            <li>Secrets: {contents.value.secretCount}</li>
          </ul>
        </>
      )}
      <p>The team&apos;s pods and VMs in this cluster disappear from the panel too. This cannot be undone.</p>
    </ConfirmAction>
  );
}
