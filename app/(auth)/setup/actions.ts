"use server";
import { z } from "zod";
import type { ActionResult } from "@/lib/actions/define-action";
import { getDb } from "@/lib/db";
import { toUserError } from "@/lib/errors";
import { parseInput } from "@/lib/parse-input";
import { createFirstAdmin, firstAdminInputSchema } from "@/lib/users/service";

const setupSchema = firstAdminInputSchema
  .extend({ confirmPassword: z.string() })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "The passwords do not match." });

/** Creates the platform admin on first run; refused once any user exists. Public by design. */
export async function setupFirstAdmin(_previous: unknown, data: FormData): Promise<ActionResult<{ email: string }>> {
  try {
    const { name, email, password } = parseInput(setupSchema, Object.fromEntries(data));
    await createFirstAdmin(await getDb(), { name, email, password });
    return { ok: true, data: { email } };
  } catch (error) {
    return { ok: false, error: toUserError(error) };
  }
}
