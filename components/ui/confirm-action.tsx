"use client";
// A button that asks before doing something that cannot simply be taken back (disable a user,
// revoke a token, delete a key). The server's refusal is shown inside the dialog.
import { useRef, useState, type ReactNode } from "react";
import { ActionForm } from "@/components/ui/action-form";
import type { ActionResult } from "@/lib/actions/define-action";

type ServerAction = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

/** A button opening a confirmation dialog whose form posts `fields` to `action`. */
export function ConfirmAction({
  action,
  fields,
  buttonLabel,
  title,
  children,
  inputs,
  confirmLabel = buttonLabel,
  danger = true,
}: {
  action: ServerAction;
  /** Hidden inputs the action needs (ids only; the action resolves ownership itself). */
  fields: Record<string, string>;
  /** The button in the row, e.g. "Revoke"; give it context with `title`. */
  buttonLabel: string;
  /** The dialog's question, e.g. `Revoke token “ci”?`. */
  title: string;
  /** What happens, in a sentence or two. */
  children?: ReactNode;
  /** Visible inputs inside the form (e.g. "type the name to confirm"). */
  inputs?: ReactNode;
  confirmLabel?: string;
  danger?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  // A fresh form each time the dialog opens, so an old refusal is not shown again.
  const [opened, setOpened] = useState(0);
  const open = () => {
    setOpened((n) => n + 1);
    dialog.current?.showModal();
  };
  return (
    <>
      <button type="button" className={danger ? "danger-outline" : undefined} onClick={open} aria-label={title.replace(/\?$/, "")}>
        {buttonLabel}
      </button>
      <dialog ref={dialog} aria-label={title}>
        <h2>{title}</h2>
        {children}
        <ActionForm key={opened} action={action} submitLabel={confirmLabel} danger={danger} resetOnSuccess={false} onSuccess={() => dialog.current?.close()}>
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          {inputs}
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
