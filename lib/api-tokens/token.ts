// Personal API tokens: `mc_` + 32 random bytes (base64url). Only a SHA-256 hash is stored —
// the secret has 256 bits of entropy, so a fast hash is enough (no need for a password hash) —
// plus a short prefix that lets people tell their tokens apart.

import { createHash, randomBytes } from "node:crypto";

/** Every token starts with this, so leaked tokens are easy to recognise and scan for. */
export const API_TOKEN_PREFIX = "mc_";

const TOKEN_PATTERN = /^mc_[A-Za-z0-9_-]{43}$/;
const DISPLAY_PREFIX_LENGTH = API_TOKEN_PREFIX.length + 8;

/** A newly generated token: the plaintext to show once, what to store, and what to display. */
export interface GeneratedApiToken {
  plaintext: string;
  hash: string;
  prefix: string;
}

/** Generates a new token. */
export function generateApiToken(): GeneratedApiToken {
  const plaintext = API_TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { plaintext, hash: hashApiToken(plaintext), prefix: apiTokenDisplayPrefix(plaintext) };
}

/** The stored form of a token: hex SHA-256. */
export function hashApiToken(plaintext: string): string {
  return createHash("sha256").update(plaintext, "utf8").digest("hex");
}

/** The first characters of a token, safe to display next to its name. */
export function apiTokenDisplayPrefix(plaintext: string): string {
  return plaintext.slice(0, DISPLAY_PREFIX_LENGTH);
}

/** Whether `value` has the shape of one of our tokens (checked before any database lookup). */
export function isApiTokenFormat(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}
