"use client";
// A form bound to a server action made by `defineAction`: shows the pending state, the
// message of a refused action, and each field's error next to the field.
import { createContext, startTransition, useActionState, useContext, useEffect, useRef, type FormEvent, type ReactNode } from "react";
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
  blocked = false,
}: {
  action: ServerAction;
  children?: ReactNode;
  submitLabel: string;
  className?: string;
  successMessage?: string;
  resetOnSuccess?: boolean;
  danger?: boolean;
  onSuccess?: (data: unknown) => void;
  /** Input the browser already knows to be refused (its field shows why): nothing is sent. */
  blocked?: boolean;
}) {
  const [state, formAction, pending] = useActionState(action, null);
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
  // Submitting through the action directly (not the form's `action` prop) keeps what the user
  // typed when the server refuses it; React would otherwise reset the form after every submit.
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (blocked) return;
    const data = new FormData(event.currentTarget);
    startTransition(() => formAction(data));
  }
  // A refusal about one field is shown next to that field; the form-level alert carries the rest
  // (and, for invalid input, a pointer to the highlighted fields).
  const fieldMessages = state && !state.ok ? Object.values(state.error.fieldErrors ?? {}) : [];
  const formError =
    state && !state.ok && (state.error.code === "invalid" || fieldMessages.length === 0) && !fieldMessages.includes(state.error.message)
      ? state.error.message
      : null;
  return (
    <FormStateContext.Provider value={state}>
      <form ref={formRef} onSubmit={submit} className={className} noValidate>
        {children}
        <button type="submit" className={danger ? "danger" : "primary"} disabled={pending || blocked}>
          {pending ? "Working…" : submitLabel}
        </button>
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

/** The error for one field of the enclosing ActionForm, if any. */
export function useFieldError(name: string): string | undefined {
  const state = useContext(FormStateContext);
  return state && !state.ok ? state.error.fieldErrors?.[name] : undefined;
}
