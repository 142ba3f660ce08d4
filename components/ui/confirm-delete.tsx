"use client";
// Deleting something with a name: a dialog that asks the user to type the name first.
import { useRef, useState } from "react";
import { ActionForm } from "@/components/ui/action-form";
import type { ActionResult } from "@/lib/actions/define-action";

export function ConfirmDelete({
  action,
  id,
  name,
  what,
  consequence,
}: {
  action: (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;
  id: string;
  name: string;
  what: string;
  consequence?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState("");
  return (
    <>
      <button type="button" className="danger" onClick={() => dialog.current?.showModal()}>
        Delete {what}
      </button>
      <dialog ref={dialog} aria-label={`Delete ${what} ${name}`} onClose={() => setTyped("")}>
        <h2>
          Delete {what} “{name}”?
        </h2>
        <p>{consequence ?? "This cannot be undone."}</p>
        <ActionForm action={action} submitLabel={`Delete ${what}`} danger resetOnSuccess={false}>
          <input type="hidden" name="id" value={id} />
          <div className="field">
            <label htmlFor={`confirm-${id}`}>
              Type <code>{name}</code> to confirm
            </label>
            <input id={`confirm-${id}`} name="confirmName" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          </div>
        </ActionForm>
        <p>
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </p>
      </dialog>
    </>
  );
}
