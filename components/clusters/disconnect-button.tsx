// Disconnecting a cluster: the dialog lists what minicloud made there; those objects stay
// unless "delete minicloud objects" is ticked. The cluster's name confirms.
import { FieldErrorText } from "@/components/clusters/field-error";
import { ConfirmAction } from "@/components/ui/confirm-action";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/actions/define-action";
import type { LiveRead } from "@/lib/clusters/read-live";
import type { ManagedObjects } from "@/lib/clusters/service";

type Action = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

/** The "Disconnect" button and its dialog. */
export function DisconnectButton({ action, clusterId, name, managed }: { action: Action; clusterId: string; name: string; managed: LiveRead<ManagedObjects> }) {
  return (
    <ConfirmAction
      action={action}
      fields={{ id: clusterId }}
      buttonLabel="Disconnect"
      title={`Disconnect cluster “${name}”?`}
      inputs={
        <>
          <label className="check">
            <input type="checkbox" name="deleteObjects" /> Delete minicloud objects (team namespaces and everything in them)
          </label>
          <FieldErrorText name="deleteObjects" />
          <Field name="confirmName" label={`Type “${name}” to confirm`} autoComplete="off" />
        </>
      }
    >
      <p>The panel forgets the cluster, its credentials and its team assignments.</p>
      {!managed.ok ? (
        <p className="alert error">Could not list minicloud&apos;s objects there: {managed.error}</p>
      ) : managed.value.namespaces.length === 0 && managed.value.groups.length === 0 ? (
        <p>minicloud has made nothing in this cluster.</p>
      ) : (
        <>
          <p>minicloud made these; they stay in the cluster unless you tick the box below:</p>
          <ul aria-label="minicloud objects">
            {managed.value.namespaces.length > 0 && <li>Namespaces: {managed.value.namespaces.join(", ")}</li>}
            {managed.value.groups.map((g) => (
              <li key={g.kind}>
                {g.kind} ({g.items.length}):{" "}
                {g.items
                  .slice(0, 10)
                  .map((i) => (i.namespace ? `${i.namespace}/${i.name}` : i.name))
                  .join(", ")}
                {g.items.length > 10 ? ` and ${g.items.length - 10} more` : ""}
              </li>
            ))}
          </ul>
        </>
      )}
    </ConfirmAction>
  );
}
