"use server";
import { z } from "zod";
import type { ActionResult } from "@/lib/actions/define-action";
import { getDb } from "@/lib/db";
import { toUserError, ValidationError } from "@/lib/errors";
import { createFirstAdmin } from "@/lib/users/service";

const setupSchema = z
  .object({
    name: z.string().trim().min(1, "Enter your name.").max(100),
    email: z.string().trim().toLowerCase().email("Enter a valid email address.").max(254),
    password: z.string().min(12, "Use at least 12 characters.").max(1024),
    confirmPassword: z.string(),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "The passwords do not match." });

/** Creates the platform admin on first run; refused once any user exists. Public by design. */
export async function setupFirstAdmin(_previous: unknown, data: FormData): Promise<ActionResult<{ email: string }>> {
  try {
    const parsed = setupSchema.safeParse(Object.fromEntries(data));
    if (!parsed.success) {
      const fields = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
      throw new ValidationError("Please correct the highlighted fields.", fields);
    }
    const { name, email, password } = parsed.data;
    await createFirstAdmin(await getDb(), { name, email, password });
    return { ok: true, data: { email } };
  } catch (error) {
    return { ok: false, error: toUserError(error) };
  }
}
