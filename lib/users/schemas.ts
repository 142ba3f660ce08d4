// Input schemas for users, shared by the service and the forms that call it.

import { z } from "zod";

/** Shortest password we accept for local accounts. */
export const PASSWORD_MIN_LENGTH = 8;

/** An email address, trimmed and lower-cased (emails are compared case-insensitively). */
export const emailSchema = z
  .string({ error: "Enter an email address." })
  .trim()
  .toLowerCase()
  .max(254, "That email address is too long.")
  .pipe(z.email({ error: "Enter a valid email address." }));

/** A person's display name. */
export const personNameSchema = z
  .string({ error: "Enter a name." })
  .trim()
  .min(1, "Enter a name.")
  .max(100, "Use at most 100 characters.");

/** A new password (not trimmed: spaces are part of a password). */
export const passwordSchema = z
  .string({ error: "Enter a password." })
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(1024, "Use at most 1024 characters.");

// Forms send "" for an empty optional field.
const emptyToUndefined = (value: unknown) => (value === "" || value === null ? undefined : value);

/** The first-run setup form: the platform admin. */
export const firstAdminInputSchema = z.object({
  email: emailSchema,
  name: personNameSchema,
  password: passwordSchema,
});
export type FirstAdminInput = z.input<typeof firstAdminInputSchema>;

/** A platform admin creating an account; without a password the user signs in through OIDC only. */
export const createUserInputSchema = z.object({
  email: emailSchema,
  name: personNameSchema,
  password: z.preprocess(emptyToUndefined, passwordSchema.optional()),
  isPlatformAdmin: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()).default(false),
});
export type CreateUserInput = z.input<typeof createUserInputSchema>;

/** What the OIDC provider told us about a person who signed in. */
export const oidcIdentitySchema = z.object({
  issuer: z.string().min(1),
  subject: z.string().min(1),
  email: emailSchema,
  name: z.string().trim().max(100).optional(),
  /** Whether the provider vouches for the email (the `email_verified` claim). */
  emailVerified: z.boolean().optional(),
});
export type OidcIdentity = z.input<typeof oidcIdentitySchema>;
