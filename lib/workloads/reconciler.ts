// The reconciler: one replica at a time (a lease in PostgreSQL), on start and then
// periodically, it brings the rows (the intent) and the clusters (what exists) together:
//   - time-to-live due (also while the panel was down) → deleted, audited as the TTL actor;
//   - `creating` rows nobody is working on → finished (objects made idempotently) or, when the
//     cluster refuses, cleaned up; no answer → tried again with back-off;
//   - `failed` rows → their objects removed, then the row;
//   - `deleting` rows → removal finished (a deletion held by finalizers says by which);
//   - `ready` rows whose objects vanished → `lost`, audited, shown with a badge;
//   - labelled objects with no row, older than the grace period → drift (lib/workloads/drift.ts),
//     removed automatically where the cluster's settings say so.
// Each kind's driver (lib/workloads/lifecycle.ts) says how to do these for its objects.
import { and, asc, eq, inArray, isNotNull, lte } from "drizzle-orm";
import { recordAuditEvent } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { auditEvents, clusters, workloads } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { OutcomeUnknownError } from "@/lib/kube/transport";
import { moduleLogger } from "@/lib/observe/log";
import { metrics } from "@/lib/observe/metrics";
import { holdLease, releaseLease } from "@/lib/workloads/lease";
import { removesOrphans } from "@/lib/workloads/drift";
import {
  backoffMs,
  completeAudit,
  DEFAULT_GRACE_MS,
  deleteWorkload,
  driverOf,
  finishRemoval,
  isInFlight,
  registeredKinds,
  type FoundWorkload,
  type WorkloadRow,
} from "@/lib/workloads/lifecycle";

/** Who the reconciler acts as in audit rows. */
export const RECONCILER_ACTOR_LABEL = "minicloud (reconciler)";
/** Who time-to-live deletions act as. */
export const TTL_ACTOR_LABEL = "minicloud (time-to-live)";

/** What one pass did, by workload id. */
export interface ReconcileReport {
  expired: string[];
  finished: string[];
  cleanedUp: string[];
  deleted: string[];
  lost: string[];
  /** Workloads whose labelled objects (made by this panel) have no row: drift, removed or not. */
  drift: string[];
  orphansRemoved: string[];
  /** Work that could not be done this pass (a cluster unreachable), tried again later. */
  retrying: { id: string; error: string }[];
}

export interface ReconcileOptions {
  now?: Date;
  graceMs?: number;
  /** Clusters whose labelled objects without a row are removed (default: as their settings say). */
  removeOrphansIn?: (clusterId: string) => Promise<boolean>;
}

const logger = moduleLogger("reconciler");
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One pass over every workload (see the top of this file). One failing workload never stops the others. */
export async function reconcileOnce(db: Db, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const now = options.now ?? new Date();
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const settled = new Date(now.getTime() - graceMs);
  const report: ReconcileReport = { expired: [], finished: [], cleanedUp: [], deleted: [], lost: [], drift: [], orphansRemoved: [], retrying: [] };
  const attempt = async (row: WorkloadRow, work: () => Promise<void>) => {
    if (isInFlight(row.id)) return;
    try {
      await work();
    } catch (error) {
      report.retrying.push({ id: row.id, error: messageOf(error) });
      const attempts = row.attempts + 1;
      await db
        .update(workloads)
        .set({ attempts, nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)), stateReason: messageOf(error) })
        .where(eq(workloads.id, row.id))
        .catch(() => {});
    }
  };
  const due = (row: WorkloadRow) => !row.nextAttemptAt || row.nextAttemptAt <= now;

  // Time-to-live, carried out even when it fell due while the panel was down.
  const expired = await db
    .select()
    .from(workloads)
    .where(and(inArray(workloads.state, ["ready", "lost"]), isNotNull(workloads.expiresAt), lte(workloads.expiresAt, now)))
    .orderBy(asc(workloads.expiresAt));
  for (const row of expired) {
    await attempt(row, async () => {
      report.expired.push(row.id);
      const result = await deleteWorkload(db, row, { actorId: null, actorLabel: TTL_ACTOR_LABEL, detail: { expiredAt: row.expiresAt!.toISOString() } });
      if (result === "deleted") report.deleted.push(row.id);
      else throw new Error((await stateReasonOf(db, row.id)) ?? "the cluster did not answer");
    });
  }

  const unfinished = await db
    .select()
    .from(workloads)
    .where(inArray(workloads.state, ["creating", "failed", "deleting"]))
    .orderBy(asc(workloads.stateChangedAt));
  for (const row of unfinished) {
    // A request may still be working on it (here or on another replica): leave it its grace period.
    if (row.stateChangedAt > settled || !due(row)) continue;
    const driver = driverOf(row.kind);
    if (row.state === "creating") {
      await attempt(row, async () => {
        try {
          const made = await driver.ensure(db, row);
          await db.transaction(async (tx) => {
            await tx.update(workloads).set({ state: "ready", stateReason: null, stateChangedAt: now, nextAttemptAt: null }).where(and(eq(workloads.id, row.id), eq(workloads.state, "creating")));
            await completeAudit(tx as unknown as Db, driver.actions.create, row.id, "success", { ...made, finishedBy: RECONCILER_ACTOR_LABEL });
          });
          report.finished.push(row.id);
        } catch (error) {
          if (error instanceof OutcomeUnknownError || !(error instanceof AppError)) throw error;
          // The cluster refused: this create will not succeed; remove what it made.
          await driver.remove(db, row);
          await finishRemoval(db, driver.actions.create, row, "error", { error: error.message, cleanedUpBy: RECONCILER_ACTOR_LABEL });
          report.cleanedUp.push(row.id);
        }
      });
    } else if (row.state === "failed") {
      await attempt(row, async () => {
        await driver.remove(db, row);
        await finishRemoval(db, driver.actions.create, row, "error", { error: row.stateReason ?? "failed", cleanedUpBy: RECONCILER_ACTOR_LABEL });
        report.cleanedUp.push(row.id);
      });
    } else {
      await attempt(row, async () => {
        await driver.remove(db, row);
        await finishRemoval(db, driver.actions.delete, row, "success", { finishedBy: RECONCILER_ACTOR_LABEL });
        report.deleted.push(row.id);
      });
    }
  }

  await checkClusters(db, settled, options, report);
  return report;
}

async function stateReasonOf(db: Db, id: string): Promise<string | null> {
  const [row] = await db.select({ reason: workloads.stateReason }).from(workloads).where(eq(workloads.id, id));
  return row?.reason ?? null;
}

// Per cluster and kind: rows whose objects vanished are lost; objects with no row are drift.
async function checkClusters(db: Db, settled: Date, options: ReconcileOptions, report: ReconcileReport): Promise<void> {
  // One read of every row: all their ids tell drift apart; the ready and deleting ones are checked.
  const all = await db.select().from(workloads);
  const allIds = new Set(all.map((r) => r.id));
  const byCluster = new Map<string, WorkloadRow[]>();
  for (const row of all.filter((r) => r.state === "ready" || r.state === "deleting")) byCluster.set(row.clusterId, [...(byCluster.get(row.clusterId) ?? []), row]);
  const clusterIds = (await db.select({ id: clusters.id }).from(clusters)).map((c) => c.id);

  for (const clusterId of clusterIds) {
    const clusterRows = byCluster.get(clusterId) ?? [];
    for (const kind of registeredKinds()) {
      let found: FoundWorkload[];
      try {
        found = await driverOf(kind).inventory(db, clusterId);
      } catch (error) {
        // An unreachable cluster proves nothing about its objects.
        report.retrying.push({ id: `cluster:${clusterId}`, error: messageOf(error) });
        continue;
      }
      const present = new Map(found.map((f) => [f.workloadId, f]));
      for (const row of clusterRows.filter((r) => r.kind === kind)) {
        const objects = present.get(row.id);
        if (row.state === "ready" && row.stateChangedAt <= settled && !objects?.anchored && !isInFlight(row.id)) {
          await markLost(db, row);
          report.lost.push(row.id);
        }
        if (row.state === "deleting" && objects) {
          const held = objects.objects.filter((o) => o.heldBy?.length);
          if (held.length > 0) {
            const reason = `Waiting for finalizers: ${held.map((o) => `${o.kind} ${o.name} (${o.heldBy!.join(", ")})`).join("; ")}.`;
            await db.update(workloads).set({ stateReason: reason }).where(eq(workloads.id, row.id));
          }
        }
      }
      const orphans = found.filter((f) => f.madeHere && !allIds.has(f.workloadId) && f.createdAt <= settled);
      report.drift.push(...orphans.map((o) => o.workloadId));
      const removeOrphans = await (options.removeOrphansIn ?? ((id: string) => removesOrphans(db, id)))(clusterId);
      if (!removeOrphans) continue;
      for (const orphan of orphans) {
        try {
          await driverOf(kind).removeOrphan(db, clusterId, orphan);
          await recordAuditEvent(db, {
            actorId: null,
            actorLabel: RECONCILER_ACTOR_LABEL,
            action: "workload.orphan-removed",
            targetType: "cluster",
            targetId: clusterId,
            targetLabel: `${orphan.namespace}: ${orphan.objects.map((o) => `${o.kind} ${o.name}`).join(", ")}`,
            outcome: "success",
            detail: { workloadId: orphan.workloadId, kind: orphan.kind },
          });
          report.orphansRemoved.push(orphan.workloadId);
        } catch (error) {
          report.retrying.push({ id: orphan.workloadId, error: messageOf(error) });
        }
      }
    }
  }
}

async function markLost(db: Db, row: WorkloadRow): Promise<void> {
  const driver = driverOf(row.kind);
  const target = await driver.auditTarget(db, row);
  await db.transaction(async (tx) => {
    const [marked] = await tx
      .update(workloads)
      .set({ state: "lost", stateReason: "Its objects are gone from the cluster (deleted outside the panel?).", stateChangedAt: new Date() })
      .where(and(eq(workloads.id, row.id), eq(workloads.state, "ready")))
      .returning();
    if (!marked) return;
    await tx.insert(auditEvents).values({ actorId: null, actorLabel: RECONCILER_ACTOR_LABEL, action: "workload.lost", ...target, outcome: "success", detail: { kind: row.kind } });
  });
}

/** The reconciler's lease name. */
export const RECONCILER_LEASE = "workload-reconciler";

/** One pass under the lease; null when another replica holds it. */
export async function reconcileUnderLease(db: Db, holder: string, options: ReconcileOptions = {}): Promise<ReconcileReport | null> {
  // The lease outlives a slow pass (many clusters timing out) by a wide margin.
  if (!(await holdLease(db, RECONCILER_LEASE, holder, 10 * 60_000))) return null;
  try {
    return await reconcileOnce(db, options);
  } finally {
    await releaseLease(db, RECONCILER_LEASE, holder).catch(() => {});
  }
}

/** The pass's findings as metrics (the last pass's counts; passes counted). */
function observePass(report: ReconcileReport): void {
  const { reconcilerFindings, reconcilerPasses } = metrics();
  reconcilerPasses.inc({ outcome: "done" });
  const counts: Record<string, number> = {
    expired: report.expired.length,
    finished: report.finished.length,
    "cleaned-up": report.cleanedUp.length,
    deleted: report.deleted.length,
    lost: report.lost.length,
    drift: report.drift.length,
    "orphans-removed": report.orphansRemoved.length,
    retrying: report.retrying.length,
  };
  for (const [finding, count] of Object.entries(counts)) reconcilerFindings.set({ finding }, count);
}

/** A running reconciler. */
export interface Reconciler {
  /** Runs a pass now (after the one under way, if any). */
  kick(): void;
  stop(): Promise<void>;
}

/** Runs a pass at start and every `intervalMs` until stopped; errors are logged, never thrown. */
export function startReconciler(options: { db: Db; holder: string; intervalMs?: number; log?: (line: string) => void } & ReconcileOptions): Reconciler {
  const log = options.log ?? ((line: string) => logger.info(line));
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  const pass = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = reconcileUnderLease(options.db, options.holder, options)
      .then((report) => {
        if (!report) return;
        observePass(report);
        const said = (what: string, ids: string[]) => ids.length > 0 && log(`reconciler: ${what} ${ids.length} workload(s)`);
        said("deleted (time-to-live)", report.expired.filter((id) => report.deleted.includes(id)));
        said("finished the interrupted create of", report.finished);
        said("cleaned up", report.cleanedUp);
        said("finished deleting", report.deleted.filter((id) => !report.expired.includes(id)));
        said("marked lost", report.lost);
        said("removed the orphaned objects of", report.orphansRemoved);
        for (const r of report.retrying) log(`reconciler: ${r.id}: ${r.error}; trying again later`);
      })
      .catch((error: unknown) => {
        metrics().reconcilerPasses.inc({ outcome: "failed" });
        log(`reconciler pass failed: ${messageOf(error)}`);
      })
      .finally(() => {
        running = null;
        if (again && !stopped) {
          again = false;
          pass();
        }
      });
  };
  const timer = setInterval(pass, options.intervalMs ?? 30_000);
  timer.unref();
  pass();
  return {
    kick: pass,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
