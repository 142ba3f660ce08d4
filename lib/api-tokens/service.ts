// Personal API tokens: created by their owner (the secret is returned once and only its
// hash is kept), listed without secrets, revoked; and turned back into a user on each
// API request. Writes are scoped by the acting user's id.

import { and, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { generateApiToken, hashApiToken, isApiTokenFormat } from "@/lib/api-tokens/token";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { isUuid } from "@/lib/db/ids";
import { apiTokens, users } from "@/lib/db/schema";
import { NotFoundError } from "@/lib/errors";
import { parseInput } from "@/lib/parse-input";

/** A token as listed: never the secret, only its first characters. */
export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** The owner of a token presented to the API. */
export interface ApiTokenUser {
  userId: string;
  email: string;
  name: string;
  tokenId: string;
}

/** Create a token: a name and a lifetime in days (empty = never expires). */
export const createApiTokenInputSchema = z.object({
  name: z.string({ error: "Enter a name." }).trim().min(1, "Enter a name.").max(100, "Use at most 100 characters."),
  expiresInDays: z.preprocess(
    // Plain whole days only: Number() would also read "0x10", "1e3" and "Infinity".
    (v) => (v === "" || v === null ? undefined : typeof v === "string" ? (/^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN) : v),
    z
      .number({ error: "Choose when the token expires." })
      .int("Choose when the token expires.")
      .min(1, "Choose when the token expires.")
      .max(3650, "Choose at most ten years.")
      .optional(),
  ),
});
export type CreateApiTokenInput = z.input<typeof createApiTokenInputSchema>;

/** Revoke one of your tokens. */
export const revokeApiTokenInputSchema = z.object({ tokenId: z.uuid({ error: "No such token." }) });
export type RevokeApiTokenInput = z.input<typeof revokeApiTokenInputSchema>;

const DAY_MS = 24 * 60 * 60 * 1000;
// Recording every use would write on every API request; a minute's precision is plenty.
const LAST_USED_PRECISION_MS = 60 * 1000;

const tokenColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
  expiresAt: apiTokens.expiresAt,
  revokedAt: apiTokens.revokedAt,
};

/** Creates a token for the acting user; `plaintext` is shown to them once and never stored. */
export async function createApiToken(db: Db, actor: Actor, input: CreateApiTokenInput): Promise<{ token: ApiToken; plaintext: string }> {
  const { name, expiresInDays } = parseInput(createApiTokenInputSchema, input);
  const generated = generateApiToken();
  const expiresAt = expiresInDays === undefined ? null : new Date(Date.now() + expiresInDays * DAY_MS);
  return db.transaction(async (tx) => {
    const [token] = await tx
      .insert(apiTokens)
      .values({ userId: actor.userId, name, tokenHash: generated.hash, prefix: generated.prefix, expiresAt })
      .returning(tokenColumns);
    await auditSuccess(tx, actor, {
      action: "api-token.create",
      targetType: "api_token",
      targetId: token!.id,
      targetLabel: name,
      detail: { prefix: generated.prefix, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { token: token!, plaintext: generated.plaintext };
  });
}

/** The tokens of one user, newest first. */
export async function listApiTokens(db: Db, userId: string): Promise<ApiToken[]> {
  if (!isUuid(userId)) return [];
  return db.select(tokenColumns).from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
}

/** Revokes one of the acting user's tokens (at once; revoking twice is not an error). Anyone else's token is "not found". */
export async function revokeApiToken(db: Db, actor: Actor, input: RevokeApiTokenInput): Promise<ApiToken> {
  const { tokenId } = parseInput(revokeApiTokenInputSchema, input);
  return db.transaction(async (tx) => {
    const [token] = await tx
      .update(apiTokens)
      .set({ revokedAt: sql`coalesce(${apiTokens.revokedAt}, now())` })
      .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, actor.userId)))
      .returning(tokenColumns);
    if (!token) throw new NotFoundError("No such token.");
    await auditSuccess(tx, actor, {
      action: "api-token.revoke",
      targetType: "api_token",
      targetId: token.id,
      targetLabel: token.name,
      detail: { prefix: token.prefix },
    });
    return token;
  });
}

/**
 * The user a presented token belongs to, or null: unknown, revoked or expired tokens and
 * disabled users are refused. Marks the token as used. The lookup is by hash, so the
 * database never sees (or compares) the secret itself.
 */
export async function authenticateApiToken(db: Db, plaintext: string): Promise<ApiTokenUser | null> {
  if (!isApiTokenFormat(plaintext)) return null;
  const now = new Date();
  const [row] = await db
    .select({
      tokenId: apiTokens.id,
      userId: users.id,
      email: users.email,
      name: users.name,
      lastUsedAt: apiTokens.lastUsedAt,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.tokenHash, hashApiToken(plaintext)),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
        isNull(users.disabledAt),
      ),
    );
  if (!row) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_PRECISION_MS) {
    await db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(apiTokens.id, row.tokenId),
          or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, new Date(now.getTime() - LAST_USED_PRECISION_MS))),
        ),
      );
  }
  const { lastUsedAt: _lastUsed, ...user } = row;
  return user;
}
