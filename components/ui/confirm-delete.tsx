"use client";
// Deleting something with a name: the confirmation asks the user to type the name first
// (the action checks it again on the server).
import { useId, type ReactNode } from "react";
import { ConfirmAction } from "@/components/ui/confirm-action";
import type { ActionResult } from "@/lib/actions/define-action";
import { Field } from "@/components/ui/field";

export function ConfirmDelete({
  action,
  id,
  name,
  what,
  consequence,
  options,
}: {
  action: (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;
  id: string;
  name: string;
  what: string;
  consequence?: string;
  /** More inputs after the name (e.g. "keep the disk"). */
  options?: ReactNode;
}) {
  const hintId = useId();
  return (
    <ConfirmAction
      action={action}
      fields={{ id }}
      buttonLabel={`Delete ${what}`}
      title={`Delete ${what} “${name}”?`}
      inputs={
        <>
          <Field name="confirmName" label={`Type “${name}” to confirm`} autoComplete="off" aria-describedby={hintId} />
          {options}
        </>
      }
    >
      <p id={hintId}>{consequence ?? "This cannot be undone."}</p>
    </ConfirmAction>
  );
}
