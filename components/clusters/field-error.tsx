"use client";
// The error of one field of the enclosing ActionForm, for inputs that are not a <Field>
// (checkboxes, radio groups), so a refusal about them is still shown next to them.
import { useFieldError } from "@/components/ui/action-form";

/** Renders the field's error, or nothing. */
export function FieldErrorText({ name }: { name: string }) {
  const error = useFieldError(name);
  return error ? (
    <span className="field-error" role="alert">
      {error}
    </span>
  ) : null;
}
