// People: the first-run platform admin, accounts created by admins or on first OIDC sign-in,
// disabling (which also ends existing sessions), and password checks for sign-in.

import { asc, count, eq, and, isNull, sql } from "drizzle-orm";
import { auditSuccess, recordAuditEvent, type Actor } from "@/lib/audit/service";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPasswordHash } from "@/lib/users/password";
import type { Db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { isUuid } from "@/lib/db/ids";
import { users } from "@/lib/db/schema";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { parseInput } from "@/lib/parse-input";
import {
  createUserInputSchema,
  emailSchema,
  firstAdminInputSchema,
  oidcIdentitySchema,
  type CreateUserInput,
  type FirstAdminInput,
  type OidcIdentity,
} from "@/lib/users/schemas";

export * from "@/lib/users/schemas";

// Any constant: the advisory lock that makes "create the first admin" happen once.
const FIRST_ADMIN_LOCK_KEY = 7_202_612;

/** A user as the rest of the panel sees it (never the password hash). */
export interface User {
  id: string;
  email: string;
  name: string;
  isPlatformAdmin: boolean;
  disabledAt: Date | null;
  /** Whether the user can sign in with a password. */
  hasPassword: boolean;
  oidcIssuer: string | null;
  createdAt: Date;
}

const userColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  isPlatformAdmin: users.isPlatformAdmin,
  disabledAt: users.disabledAt,
  hasPassword: sql<boolean>`${users.passwordHash} is not null`.mapWith(Boolean),
  oidcIssuer: users.oidcIssuer,
  createdAt: users.createdAt,
};

function duplicateEmail(email: string): ConflictError {
  return new ConflictError("A user with this email already exists.", { email: `${email} already has an account.` });
}

/** How many accounts exist (0 means the panel still needs its first-run setup). */
export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return row?.n ?? 0;
}

/**
 * Creates the platform admin on first run — and only then. The check and the insert run
 * under one advisory lock, so of two concurrent setups exactly one succeeds; afterwards
 * this always fails, so the setup page cannot be used to make a second admin.
 */
export async function createFirstAdmin(db: Db, input: FirstAdminInput): Promise<User> {
  const { email, name, password } = parseInput(firstAdminInputSchema, input);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_ADMIN_LOCK_KEY})`);
    if ((await countUsers(tx)) > 0) throw new ConflictError("The panel is already set up. Sign in instead.");
    const [user] = await tx.insert(users).values({ email, name, passwordHash, isPlatformAdmin: true }).returning(userColumns);
    await auditSuccess(tx, { userId: user!.id, label: email }, {
      action: "user.setup",
      targetType: "user",
      targetId: user!.id,
      targetLabel: email,
      detail: { isPlatformAdmin: true },
    });
    return user!;
  });
}

/** A platform admin creates an account. */
export async function createUser(db: Db, actor: Actor, input: CreateUserInput): Promise<User> {
  const { email, name, password, isPlatformAdmin } = parseInput(createUserInputSchema, input);
  const passwordHash = password === undefined ? null : await hashPassword(password);
  try {
    return await db.transaction(async (tx) => {
      const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
      if (existing) throw duplicateEmail(email);
      const [user] = await tx.insert(users).values({ email, name, passwordHash, isPlatformAdmin }).returning(userColumns);
      await auditSuccess(tx, actor, {
        action: "user.create",
        targetType: "user",
        targetId: user!.id,
        targetLabel: email,
        detail: { isPlatformAdmin, hasPassword: passwordHash !== null },
      });
      return user!;
    });
  } catch (error) {
    if (isUniqueViolation(error, "users_email_key")) throw duplicateEmail(email);
    throw error;
  }
}

/**
 * Disables or re-enables an account. Disabling also moves `sessions_valid_after` to now,
 * so sessions issued before stay dead even after the account is re-enabled.
 */
export async function setUserDisabled(db: Db, actor: Actor, userId: string, disabled: boolean): Promise<User> {
  if (disabled && userId === actor.userId) {
    throw new ConflictError("You cannot disable your own account.");
  }
  if (!isUuid(userId)) throw new NotFoundError("No such user.");
  return db.transaction(async (tx) => {
    const now = new Date();
    const [user] = await tx
      .update(users)
      .set(disabled ? { disabledAt: now, sessionsValidAfter: now } : { disabledAt: null })
      .where(eq(users.id, userId))
      .returning(userColumns);
    if (!user) throw new NotFoundError("No such user.");
    await auditSuccess(tx, actor, {
      action: disabled ? "user.disable" : "user.enable",
      targetType: "user",
      targetId: user.id,
      targetLabel: user.email,
    });
    return user;
  });
}

/** Every account, by email (for platform admins). */
export async function listUsers(db: Db): Promise<User[]> {
  return db.select(userColumns).from(users).orderBy(asc(users.email));
}

/** One account, or null. */
export async function getUser(db: Db, userId: string): Promise<User | null> {
  if (!isUuid(userId)) return null;
  const [user] = await db.select(userColumns).from(users).where(eq(users.id, userId));
  return user ?? null;
}

/** The account with this email (case-insensitive), or null. */
export async function findUserByEmail(db: Db, email: string): Promise<User | null> {
  const parsed = emailSchema.safeParse(email);
  if (!parsed.success) return null;
  const [user] = await db.select(userColumns).from(users).where(eq(users.email, parsed.data));
  return user ?? null;
}

/**
 * The account whose password this is, or null. Returns disabled accounts too (the caller
 * says "disabled" rather than "wrong password" only after the password was right).
 * When there is no such account, a dummy hash is checked so the time taken does not reveal
 * which emails exist. A hash made with old parameters is upgraded on success.
 */
export async function verifyPassword(db: Db, email: string, password: string): Promise<User | null> {
  const parsed = emailSchema.safeParse(email);
  const [row] = parsed.success
    ? await db.select({ ...userColumns, passwordHash: users.passwordHash }).from(users).where(eq(users.email, parsed.data))
    : [];
  if (!row?.passwordHash) return verifyAgainstDummy(password).then(() => null);
  if (!(await verifyPasswordHash(row.passwordHash, password))) return null;
  if (needsRehash(row.passwordHash)) {
    await db
      .update(users)
      .set({ passwordHash: await hashPassword(password) })
      .where(and(eq(users.id, row.id), eq(users.passwordHash, row.passwordHash)));
  }
  const { passwordHash: _hash, ...user } = row;
  return user;
}

/**
 * The account for an OIDC sign-in: found by (issuer, subject); otherwise an existing account
 * with the same email is linked — only when the provider says the email is verified and
 * the account has no OIDC identity yet, since linking on an unverified email would let
 * anyone who controls the provider's email field take over an account; otherwise a new
 * account is created. Name and email follow the provider on later sign-ins.
 */
export async function upsertOidcUser(db: Db, identity: OidcIdentity): Promise<User> {
  const { issuer, subject, email, name, emailVerified } = parseInput(oidcIdentitySchema, identity);
  const displayName = name || email;
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        const [known] = await tx
          .select({ ...userColumns })
          .from(users)
          .where(and(eq(users.oidcIssuer, issuer), eq(users.oidcSubject, subject)));
        if (known) {
          if (known.name === displayName && known.email === email) return known;
          const [emailOwner] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
          const nextEmail = emailOwner && emailOwner.id !== known.id ? known.email : email;
          const [updated] = await tx
            .update(users)
            .set({ name: displayName, email: nextEmail })
            .where(eq(users.id, known.id))
            .returning(userColumns);
          return updated!;
        }
        const [byEmail] = await tx
          .select({ ...userColumns, oidcSubject: users.oidcSubject })
          .from(users)
          .where(eq(users.email, email));
        if (byEmail) {
          if (byEmail.oidcSubject !== null || emailVerified !== true) {
            throw new ConflictError(
              "An account with this email already exists. Sign in with your password, or ask a platform admin.",
            );
          }
          const [linked] = await tx
            .update(users)
            .set({ oidcIssuer: issuer, oidcSubject: subject })
            .where(and(eq(users.id, byEmail.id), isNull(users.oidcSubject)))
            .returning(userColumns);
          await auditSuccess(tx, { userId: byEmail.id, label: email }, {
            action: "user.link-oidc",
            targetType: "user",
            targetId: byEmail.id,
            targetLabel: email,
            detail: { issuer },
          });
          return linked!;
        }
        const [created] = await tx
          .insert(users)
          .values({ email, name: displayName, oidcIssuer: issuer, oidcSubject: subject })
          .returning(userColumns);
        await recordAuditEvent(tx, {
          actorId: created!.id,
          actorLabel: email,
          action: "user.create",
          targetType: "user",
          targetId: created!.id,
          targetLabel: email,
          detail: { via: "oidc", issuer },
        });
        return created!;
      });
    } catch (error) {
      // Two first sign-ins at once: the loser retries and finds the winner's row.
      if (attempt === 0 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}
