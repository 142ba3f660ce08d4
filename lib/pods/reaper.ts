// Time-to-live: SSH pods past their `expires_at` are deleted like a user would delete them,
// with an audit row by "minicloud (time-to-live)". With several panel replicas, one runs a
// pass at a time: a pass holds a PostgreSQL advisory lock for its transaction, and the others
// skip that round.
import { sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { asSshPodRow } from "@/lib/pods/rows";
import { removeSshPod, TTL_ACTOR_LABEL } from "@/lib/pods/service";
import { listExpiredWorkloads } from "@/lib/workloads/rows";

/** What one pass did. */
export interface ReapResult {
  deleted: string[];
  failed: { id: string; error: string }[];
}

/**
 * Deletes every SSH pod whose time-to-live ended at or before `now`. One failing pod (its
 * cluster unreachable) does not stop the others; it is tried again on the next pass.
 */
export async function reapExpiredSshPods(db: Db, now: Date = new Date()): Promise<ReapResult> {
  const expired = (await listExpiredWorkloads(db, "ssh-pod", now)).map(asSshPodRow);
  const result: ReapResult = { deleted: [], failed: [] };
  for (const row of expired) {
    try {
      await removeSshPod(db, row, { actorId: null, actorLabel: TTL_ACTOR_LABEL, detail: { expiredAt: row.expiresAt!.toISOString() } });
      result.deleted.push(row.id);
    } catch (error) {
      result.failed.push({ id: row.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}

// One lock id for "the TTL reaper" across every replica sharing the database.
const REAPER_LOCK = sql`hashtext('minicloud:ttl-reaper')`;

/**
 * One pass under the advisory lock; null when another replica holds it. The lock belongs to
 * the transaction (released with it, whichever pool connection ran it), so the pass works
 * through that transaction. On PGlite (one process) this serialises with other queries, which
 * is acceptable for the few seconds a pass takes.
 */
export async function reapUnderLock(db: Db, now: Date = new Date()): Promise<ReapResult | null> {
  return db.transaction(async (tx) => {
    const locked = await tx.execute<{ locked: boolean }>(sql`select pg_try_advisory_xact_lock(${REAPER_LOCK}) as locked`);
    const first = (locked as unknown as { rows: { locked: boolean }[] }).rows[0];
    if (!first?.locked) return null;
    return reapExpiredSshPods(tx as unknown as Db, now);
  });
}

/** A running reaper. */
export interface TtlReaper {
  stop(): Promise<void>;
}

/** Runs a pass every `intervalMs` (first one right away) until stopped; errors are logged, never thrown. */
export function startTtlReaper(options: { db: Db; intervalMs?: number; log?: (line: string) => void }): TtlReaper {
  const intervalMs = options.intervalMs ?? 60_000;
  const log = options.log ?? ((line: string) => console.log(`[minicloud] ${line}`));
  let stopped = false;
  let running: Promise<void> | null = null;
  const pass = () => {
    if (stopped || running) return;
    running = reapUnderLock(options.db)
      .then((result) => {
        if (!result) return;
        if (result.deleted.length > 0) log(`time-to-live: deleted ${result.deleted.length} expired SSH pod(s)`);
        for (const f of result.failed) log(`time-to-live: could not delete SSH pod ${f.id}: ${f.error}`);
      })
      .catch((error: unknown) => log(`time-to-live pass failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(pass, intervalMs);
  timer.unref();
  pass();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
