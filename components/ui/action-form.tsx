"use client";
// A form bound to a server action made by `defineAction`: shows the pending state, the
// message of a refused action, and each field's error next to the field.
import { createContext, useActionState, useContext, useEffect, useRef, type ReactNode } from "react";
import { useFormStatus } from "react-dom";
import type { ActionResult } from "@/lib/actions/define-action";

type ServerAction = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

const FormStateContext = createContext<ActionResult<unknown> | null>(null);

export function ActionForm({
  action,
  children,
  submitLabel,
  className = "stack",
  successMessage,
  resetOnSuccess = true,
  danger = false,
  onSuccess,
}: {
  action: ServerAction;
  children?: ReactNode;
  submitLabel: string;
  className?: string;
  successMessage?: string;
  resetOnSuccess?: boolean;
  danger?: boolean;
  onSuccess?: (data: unknown) => void;
}) {
  const [state, formAction] = useActionState(action, null);
  const formRef = useRef<HTMLFormElement>(null);
  const handled = useRef<typeof state>(null);
  const onSuccessRef = useRef(onSuccess);
  onSuccessRef.current = onSuccess;
  useEffect(() => {
    // Each result is handled once, however often the form re-renders.
    if (!state?.ok || handled.current === state) return;
    handled.current = state;
    if (resetOnSuccess) formRef.current?.reset();
    onSuccessRef.current?.(state.data);
  }, [state, resetOnSuccess]);
  const formError = state && !state.ok && (!state.error.fieldErrors || state.error.code !== "invalid") ? state.error.message : null;
  return (
    <FormStateContext.Provider value={state}>
      <form ref={formRef} action={formAction} className={className} noValidate>
        {children}
        <SubmitButton label={submitLabel} danger={danger} />
        {formError && (
          <div className="alert error" role="alert">
            {formError}
          </div>
        )}
        {state?.ok && successMessage && (
          <div className="alert ok" role="status">
            {successMessage}
          </div>
        )}
      </form>
    </FormStateContext.Provider>
  );
}

function SubmitButton({ label, danger }: { label: string; danger: boolean }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" className={danger ? "danger" : "primary"} disabled={pending}>
      {pending ? "Working…" : label}
    </button>
  );
}

/** The error for one field of the enclosing ActionForm, if any. */
export function useFieldError(name: string): string | undefined {
  const state = useContext(FormStateContext);
  return state && !state.ok ? state.error.fieldErrors?.[name] : undefined;
}
