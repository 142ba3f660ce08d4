// Slows down password guessing: after a few failures an account (or a client address) must
// wait before the next attempt, doubling each time. Counters live in the database so every
// replica sees them.
import { eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { signInThrottle } from "@/lib/db/schema";
import { RateLimitedError } from "@/lib/errors";

/** Failures allowed before waits begin, per kind of key. An address is shared by many users (NAT), so it gets more. */
export const FREE_FAILURES = { account: 5, address: 20 } as const;
const MAX_WAIT_SECONDS = 15 * 60;

export interface ThrottleKeys {
  account: string;
  address: string;
}

function keysOf(keys: ThrottleKeys) {
  return { account: `account:${keys.account.toLowerCase()}`, address: `address:${keys.address}` };
}

/** Seconds to wait after the n-th consecutive failure for a kind of key (0 = none). */
export function waitAfterFailures(failures: number, kind: keyof typeof FREE_FAILURES): number {
  const over = failures - FREE_FAILURES[kind];
  if (over < 0) return 0;
  return Math.min(MAX_WAIT_SECONDS, 2 ** over);
}

/** Throws RateLimitedError while either key must still wait. */
export async function checkSignInAllowed(db: Db, keys: ThrottleKeys, now = new Date()): Promise<void> {
  const k = keysOf(keys);
  const rows = await db.select().from(signInThrottle).where(inArray(signInThrottle.key, [k.account, k.address]));
  const until = Math.max(0, ...rows.map((r) => r.blockedUntil?.getTime() ?? 0));
  if (until > now.getTime()) {
    const seconds = Math.ceil((until - now.getTime()) / 1000);
    throw new RateLimitedError(`Too many failed sign-ins. Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`);
  }
}

/** Counts a failed attempt against the account and the address. */
export async function recordSignInFailure(db: Db, keys: ThrottleKeys, now = new Date()): Promise<void> {
  const k = keysOf(keys);
  for (const [kind, key] of [["account", k.account], ["address", k.address]] as const) {
    const [row] = await db
      .insert(signInThrottle)
      .values({ key, failures: 1, lastFailureAt: now })
      .onConflictDoUpdate({ target: signInThrottle.key, set: { failures: sql`${signInThrottle.failures} + 1`, lastFailureAt: now } })
      .returning({ failures: signInThrottle.failures });
    const wait = waitAfterFailures(row?.failures ?? 1, kind);
    if (wait > 0) {
      await db.update(signInThrottle).set({ blockedUntil: new Date(now.getTime() + wait * 1000) }).where(eq(signInThrottle.key, key));
    }
  }
}

/** A successful sign-in clears the account's counter (the address keeps its own). */
export async function recordSignInSuccess(db: Db, keys: ThrottleKeys): Promise<void> {
  await db.delete(signInThrottle).where(eq(signInThrottle.key, keysOf(keys).account));
}
