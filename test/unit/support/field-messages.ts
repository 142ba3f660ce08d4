// Form schemas as the forms see them: the message per top-level field, and a check that a
// refusal names exactly the expected fields with the expected messages.
import type { z } from "zod";
import { expect, it } from "vitest";

/** The first message per top-level field when `schema` refuses `input`; {} when it accepts. */
export function fieldMessages(schema: z.ZodType, input: unknown): Record<string, string> {
  const parsed = schema.safeParse(input);
  return parsed.success ? {} : Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
}

/** Asserts that `schema` refuses `input` on exactly `expected`'s fields, each message equal to (or matching) the expected one. */
export function expectFieldMessages(schema: z.ZodType, input: unknown, expected: Record<string, string | RegExp>): void {
  const got = fieldMessages(schema, input);
  expect(Object.keys(got)).toEqual(Object.keys(expected));
  for (const [field, message] of Object.entries(expected)) expect(got[field]).toMatch(message);
}

/** Table cases of a form schema: each `accepts` row ([fields, parsed subset]) and each `refuses` row ([fields, field messages]) over `base`. */
export function formSchemaCases(
  schema: z.ZodType,
  base: Record<string, unknown>,
  cases: { accepts: [Record<string, unknown>, Record<string, unknown>][]; refuses: [Record<string, unknown>, Record<string, string | RegExp>][] },
): void {
  it.each(cases.accepts)("accepts %j", (fields, parsed) => {
    expect(schema.parse({ ...base, ...fields })).toMatchObject(parsed);
  });
  it.each(cases.refuses)("refuses %j", (fields, expected) => {
    expectFieldMessages(schema, { ...base, ...fields }, expected);
  });
}
