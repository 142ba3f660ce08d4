"use client";
// A labelled input with its server-side error shown beside it.
import { useId, type InputHTMLAttributes, type ReactNode } from "react";
import { useFieldError } from "@/components/ui/action-form";

type FieldProps = {
  name: string;
  label: string;
  hint?: ReactNode;
  multiline?: boolean;
  options?: { value: string; label: string }[];
} & Omit<InputHTMLAttributes<HTMLInputElement>, "name">;

export function Field({ name, label, hint, multiline, options, ...input }: FieldProps) {
  const id = useId();
  const error = useFieldError(name);
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  const common = { id, name, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {options ? (
        <select {...common} defaultValue={input.defaultValue as string | undefined}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      ) : multiline ? (
        <textarea {...common} placeholder={input.placeholder} defaultValue={input.defaultValue as string | undefined} />
      ) : (
        <input {...common} {...input} />
      )}
      {hint && !error && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** A hidden input carrying an id the action needs (the action still resolves ownership itself). */
export function Hidden({ name, value }: { name: string; value: string }) {
  return <input type="hidden" name={name} value={value} />;
}
