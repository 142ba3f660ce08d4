// Turns zod failures into the domain's ValidationError, so services can parse their own input.

import { z } from "zod";
import { ValidationError } from "@/lib/errors";

/**
 * Field messages where a schema gave none (a value of the wrong type, a checkbox sent as
 * "yes", an enum value nobody offers): sentences, never zod's own "Invalid input: expected
 * string, received number". Schemas' own messages win over these.
 */
function plainMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "Fill in this field.";
      return issue.expected === "string" ? "Enter this as text." : issue.expected === "number" ? "Enter a number here." : "This value has the wrong form.";
    case "invalid_value":
      return `Choose one of ${issue.values.map(String).join(", ")}.`;
    case "invalid_union":
      return "This value is not one of the choices.";
    case "too_small":
      return issue.origin === "string" ? (Number(issue.minimum) <= 1 ? "Fill in this field." : `Use at least ${issue.minimum} characters.`) : `Use at least ${issue.minimum}.`;
    case "too_big":
      return issue.origin === "string" ? `Use at most ${issue.maximum} characters.` : `Use at most ${issue.maximum}.`;
    default:
      return "This value is not accepted here.";
  }
}

/** The first message per top-level field of a zod error (the shape forms show). */
export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "form");
    fields[key] ??= issue.message;
  }
  return fields;
}

/** Parses `input` with `schema`, or throws a ValidationError carrying field messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input, { error: plainMessage });
  if (!parsed.success) throw new ValidationError("Please correct the highlighted fields.", fieldErrorsOf(parsed.error));
  return parsed.data;
}

/** A form checkbox: "on" (or true) when ticked, absent when not. */
export const checkboxField = z
  .union([z.boolean(), z.enum(["on", "true", "false", ""])])
  .optional()
  .transform((v) => v === true || v === "on" || v === "true");
