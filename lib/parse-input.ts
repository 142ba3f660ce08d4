// Turns zod failures into the domain's ValidationError, so services can parse their own input.

import { z } from "zod";
import { ValidationError } from "@/lib/errors";

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
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError("Please correct the highlighted fields.", fieldErrorsOf(parsed.error));
  return parsed.data;
}

/** A form checkbox: "on" (or true) when ticked, absent when not. */
export const checkboxField = z
  .union([z.boolean(), z.enum(["on", "true", "false", ""])])
  .optional()
  .transform((v) => v === true || v === "on" || v === "true");
