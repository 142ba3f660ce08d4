// The signed-in user's ssh public keys: a table with a delete button (asks first) per key.
import { ConfirmAction } from "@/components/ui/confirm-action";
import { DataTable } from "@/components/ui/data-table";
import { Time } from "@/components/ui/time";
import type { ActionResult } from "@/lib/actions/define-action";

/** One key as the list shows it. */
export interface SshKeyView {
  id: string;
  name: string;
  type: string;
  fingerprint: string;
  createdAt: Date;
}

/** The keys, or an empty state that says what keys are for. */
export function SshKeyList({
  keys,
  remove,
}: {
  keys: SshKeyView[];
  remove: (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;
}) {
  if (keys.length === 0) return <p className="empty">No ssh keys yet. Add the public key of each computer you connect from.</p>;
  return (
    <DataTable
      label="SSH keys"
      rows={keys}
      rowKey={(key) => key.id}
      columns={[
        { text: "Name", cell: (key) => key.name },
        { text: "Type", cell: (key) => <code>{key.type}</code> },
        { text: "Fingerprint", cell: (key) => <code className="fingerprint">{key.fingerprint}</code> },
        { text: "Added", className: "nowrap", cell: (key) => <Time value={key.createdAt} /> },
        {
          className: "actions",
          cell: (key) => (
            <ConfirmAction action={remove} fields={{ keyId: key.id }} buttonLabel="Delete" title={`Delete ssh key “${key.name}”?`}>
              <p>New pods and VMs will no longer accept it. Pods and VMs that already have it keep it until they are recreated.</p>
            </ConfirmAction>
          ),
        },
      ]}
    />
  );
}
