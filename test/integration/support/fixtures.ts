// Small builders for integration tests: users with unique emails, and the actor acting on them.

import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Actor } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { auditEvents, users } from "@/lib/db/schema";

/** A unique email for this run. */
export function uniqueEmail(label = "user"): string {
  return `${label}-${randomBytes(4).toString("hex")}@example.test`;
}

/** A unique display name that is a valid slug source. */
export function uniqueName(label = "Name"): string {
  return `${label} ${randomBytes(3).toString("hex")}`;
}

/** Inserts a user directly (no audit row), for arranging a test; returns it as an Actor too. */
export async function insertUser(
  db: Db,
  options: { email?: string; name?: string; isPlatformAdmin?: boolean } = {},
): Promise<Actor & { email: string }> {
  const email = options.email ?? uniqueEmail();
  const [row] = await db
    .insert(users)
    .values({ email, name: options.name ?? email.split("@")[0]!, isPlatformAdmin: options.isPlatformAdmin ?? false })
    .returning({ id: users.id });
  return { userId: row!.id, label: email, email };
}

/** The audit rows about one target, oldest first. */
export async function auditRowsFor(db: Db, targetId: string) {
  return db.select().from(auditEvents).where(eq(auditEvents.targetId, targetId)).orderBy(auditEvents.createdAt);
}

/** How many audit rows exist (to prove a refused change wrote none). */
export async function auditCount(db: Db): Promise<number> {
  return (await db.select({ id: auditEvents.id }).from(auditEvents)).length;
}
