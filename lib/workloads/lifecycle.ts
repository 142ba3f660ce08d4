// Durable workloads: one state machine for every kind. A create is not a request with a
// `catch` but three steps, each of which survives an outage, a database drop or a crash:
//   1. intent — the row is written in state `creating` with its audit row (outcome pending),
//      in one transaction;
//   2. objects — the kind's driver makes them with deterministic names and our labels (a retry
//      finds instead of duplicating), every call cancelled at its deadline;
//   3. done — the row becomes `ready` and the audit row `success`. A refusal by the cluster
//      removes what was made (or queues that, state `failed`); an answer that never came leaves
//      the row `creating` and the reconciler (lib/workloads/reconciler.ts) finds out.
// Deleting is the same machine: `deleting` with a pending audit row, then gone.
// Each kind registers a driver saying how to make, remove and find its objects; nothing else
// creates workload objects.
import { and, eq, sql } from "drizzle-orm";
import { markAudited, type Actor } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { auditEvents, workloads } from "@/lib/db/schema";
import { AppError, ConflictError } from "@/lib/errors";
import { OutcomeUnknownError } from "@/lib/kube/transport";
import { resolveTeamScope } from "@/lib/tenancy/principal";

/** A workload row. */
export type WorkloadRow = typeof workloads.$inferSelect;
/** The columns a create supplies (the id is chosen by the caller, so names can derive from it). */
export type NewWorkloadRow = Omit<typeof workloads.$inferInsert, "state" | "stateReason" | "stateChangedAt" | "attempts" | "nextAttemptAt"> & { id: string };
export type WorkloadState = WorkloadRow["state"];

/** Where the audit rows of a kind's changes go. */
export interface AuditTarget {
  targetType: string;
  targetId: string;
  targetLabel: string;
  orgId: string | null;
  teamId: string | null;
}

/** The audit target of a workload of type `targetType` ("ssh_pod", "vm"): the row, its team and the team's organization. */
export async function workloadAuditTarget(db: Db, row: { id: string; teamId: string; name: string }, targetType: string): Promise<AuditTarget> {
  const scope = await resolveTeamScope(db, row.teamId);
  return { targetType, targetId: row.id, targetLabel: row.name, orgId: scope.orgId, teamId: row.teamId };
}

/** How one kind makes, removes and finds its objects. Every method is idempotent. */
export interface KindDriver {
  kind: WorkloadRow["kind"];
  /** Audit action names of its create and delete ("pod.create", "pod.delete"). */
  actions: { create: string; delete: string };
  auditTarget(db: Db, row: WorkloadRow): Promise<AuditTarget>;
  /** Makes, or finishes making, every object of the row; objects that exist already are fine. Returns audit detail to add. */
  ensure(db: Db, row: WorkloadRow): Promise<Record<string, unknown>>;
  /** Removes every object of the row; resolves once none is left. Objects already gone are fine. */
  remove(db: Db, row: WorkloadRow): Promise<void>;
  /** Every workload that has objects of this kind in the cluster (labelled with the registration's id). */
  inventory(db: Db, clusterId: string): Promise<FoundWorkload[]>;
  /** Removes the objects of a workload that has no row (drift), by its labels. */
  removeOrphan(db: Db, clusterId: string, found: FoundWorkload): Promise<void>;
}

/** What a cluster holds of one workload: its labelled objects. */
export interface FoundWorkload {
  workloadId: string;
  kind: WorkloadRow["kind"];
  namespace: string;
  /** When its oldest object was made (an orphan younger than the grace period may be a create in progress). */
  createdAt: Date;
  /** Whether the anchor object (the one whose loss means the workload is lost) is among them. */
  anchored: boolean;
  /** Whether every object carries this registration's label: only then may it be removed as drift. */
  madeHere: boolean;
  objects: { kind: string; name: string; /** Deleted but held by finalizers: which. */ heldBy?: string[] }[];
}

const globalForDrivers = globalThis as typeof globalThis & { __minicloudKindDrivers?: Map<string, KindDriver> };
const drivers = (globalForDrivers.__minicloudKindDrivers ??= new Map());

/** Registers a kind's driver (once per kind; a second registration replaces the first, as module reloads do). */
export function registerKind(driver: KindDriver): void {
  drivers.set(driver.kind, driver);
}

/** The kinds with a registered driver. */
export function registeredKinds(): WorkloadRow["kind"][] {
  return [...drivers.keys()] as WorkloadRow["kind"][];
}

/** How long a create or delete may be in the hands of a request before the reconciler takes it over (and how old an orphan must be). */
export const DEFAULT_GRACE_MS = 60_000;

/** The driver of `kind`. */
export function driverOf(kind: WorkloadRow["kind"]): KindDriver {
  const driver = drivers.get(kind);
  if (!driver) throw new Error(`no lifecycle driver registered for workload kind ${kind}`);
  return driver;
}

// Rows a request of this process is working on right now: the reconciler leaves them alone.
const globalForInFlight = globalThis as typeof globalThis & { __minicloudWorkloadsInFlight?: Set<string> };
const inFlight = (globalForInFlight.__minicloudWorkloadsInFlight ??= new Set<string>());

/** Whether a request of this process is creating or deleting the workload at the moment. */
export function isInFlight(id: string): boolean {
  return inFlight.has(id);
}

async function holding<T>(id: string, work: () => Promise<T>): Promise<T> {
  inFlight.add(id);
  try {
    return await work();
  } finally {
    inFlight.delete(id);
  }
}

const messageOf = (error: unknown) => (error instanceof AppError ? error.message : "unexpected error (details in the server log)");

/** Completes the pending audit row of `action` on the workload. */
export async function completeAudit(db: Db, action: string, workloadId: string, outcome: "success" | "error", detail: Record<string, unknown>): Promise<void> {
  await db
    .update(auditEvents)
    .set({ outcome, detail: sql`${auditEvents.detail} || ${JSON.stringify(detail)}::jsonb` })
    .where(and(eq(auditEvents.action, action), eq(auditEvents.targetId, workloadId), eq(auditEvents.outcome, "pending")));
}

// Why a workload that is not ready cannot be changed, by its lifecycle state.
const NOT_READY = {
  creating: "is still being created",
  failed: "failed to be created and is being cleaned up",
  deleting: "is being deleted",
  lost: "is lost (its objects are gone from the cluster)",
} as const;

/**
 * Refuses an operation on a workload that is not `ready` (while the machine or the reconciler
 * works on it, a second change could race it): `The VM “x” is being deleted; it cannot be operated now.`
 */
export function requireReady(row: { state: WorkloadState }, subject: string, verb: string): void {
  if (row.state !== "ready") throw new ConflictError(`${subject} ${NOT_READY[row.state]}; it cannot be ${verb} now.`);
}

/** What a create came to, as the caller should hear it. */
export type CreateOutcome =
  | { state: "ready"; row: WorkloadRow; detail: Record<string, unknown> }
  | { state: "creating"; row: WorkloadRow; message: string };

/** The sentence for a create whose outcome is not known yet. */
export const STILL_CREATING = "Still being created: it was interrupted before the panel could confirm it (the cluster or the database did not answer). The panel will finish or clean up; this page shows which.";

/**
 * Creates a workload durably (see the top of this file). Resolves `ready`, or `creating` when
 * the outcome is unknown (the reconciler finishes or cleans up); throws the cluster's refusal
 * after removing what was made ("failed, cleaned up").
 */
export async function createWorkload(db: Db, actor: Actor, values: NewWorkloadRow, auditDetail: Record<string, unknown>): Promise<CreateOutcome> {
  const driver = driverOf(values.kind);
  return holding(values.id, async () => {
    // 1. Intent: the row and its audit row together.
    const row = await db.transaction(async (tx) => {
      const [inserted] = await tx.insert(workloads).values({ ...values, state: "creating" }).returning();
      const target = await driver.auditTarget(tx as unknown as Db, inserted!);
      await tx.insert(auditEvents).values({ actorId: actor.userId, actorLabel: actor.label, action: driver.actions.create, ...target, outcome: "pending", detail: auditDetail });
      return inserted!;
    });

    // 2. Objects.
    let made: Record<string, unknown>;
    try {
      made = await driver.ensure(db, row);
    } catch (error) {
      if (error instanceof OutcomeUnknownError || !(error instanceof AppError)) {
        await noteUnknown(db, row, error).catch(() => {});
        return { state: "creating", row, message: STILL_CREATING };
      }
      await failCreate(db, driver, row, error);
      markAudited(error);
      throw error;
    }

    // 3. Done. If the database is gone now, the objects exist and the row says creating: the
    // reconciler confirms it; the caller hears "still being created", not "failed".
    try {
      const ready = await db.transaction(async (tx) => {
        const [updated] = await tx
          .update(workloads)
          .set({ state: "ready", stateReason: null, stateChangedAt: new Date(), nextAttemptAt: null })
          .where(and(eq(workloads.id, row.id), eq(workloads.state, "creating")))
          .returning();
        await completeAudit(tx as unknown as Db, driver.actions.create, row.id, "success", made);
        return updated ?? row;
      });
      return { state: "ready", row: ready, detail: made };
    } catch {
      return { state: "creating", row, message: STILL_CREATING };
    }
  });
}

// A create the cluster refused: remove what was made, then the row (audit: error). When the
// removal fails too, the row stays `failed` and the reconciler removes the rest.
async function failCreate(db: Db, driver: KindDriver, row: WorkloadRow, error: unknown): Promise<void> {
  const reason = messageOf(error);
  try {
    await driver.remove(db, row);
  } catch (cleanupError) {
    await db
      .update(workloads)
      .set({ state: "failed", stateReason: `${reason} (cleanup pending: ${messageOf(cleanupError)})`, stateChangedAt: new Date(), nextAttemptAt: new Date() })
      .where(eq(workloads.id, row.id))
      .catch(() => {});
    await completeAudit(db, driver.actions.create, row.id, "error", { error: reason, cleanup: "pending" }).catch(() => {});
    return;
  }
  await finishRemoval(db, driver.actions.create, row, "error", { error: reason });
}

/** Deletes the row and completes the pending audit row of `action`, together. */
export async function finishRemoval(db: Db, action: string, row: WorkloadRow, outcome: "success" | "error", detail: Record<string, unknown>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(workloads).where(eq(workloads.id, row.id));
    await completeAudit(tx as unknown as Db, action, row.id, outcome, detail);
  });
}

// The outcome of a create is unknown: say so on the row, and when to look again.
async function noteUnknown(db: Db, row: WorkloadRow, error: unknown): Promise<void> {
  await db
    .update(workloads)
    .set({ stateReason: messageOf(error), nextAttemptAt: new Date(Date.now() + backoffMs(1)), attempts: 1 })
    .where(and(eq(workloads.id, row.id), eq(workloads.state, "creating")));
}

/** The wait before retry number `attempt` (1, 2, …): 5 s doubling up to 5 minutes. */
export function backoffMs(attempt: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 300_000);
}

/**
 * Deletes a workload durably: the row goes to `deleting` with a pending audit row, the
 * objects are removed, then the row goes and the audit row says success. When the cluster does
 * not answer, the row stays `deleting` (shown so) and the reconciler finishes the job.
 * Resolves `deleted`, or `deleting` when the reconciler will finish.
 */
export async function deleteWorkload(
  db: Db,
  row: WorkloadRow,
  audit: { actorId: string | null; actorLabel: string; detail: Record<string, unknown> },
  /** A changed spec written together with the `deleting` state (how the delete should go, e.g. a VM's disk kept), so the reconciler sees it too. */
  options: { spec?: Record<string, unknown> } = {},
): Promise<"deleted" | "deleting"> {
  const driver = driverOf(row.kind);
  return holding(row.id, async () => {
    const started = await db.transaction(async (tx) => {
      const [marked] = await tx
        .update(workloads)
        .set({ state: "deleting", stateReason: null, stateChangedAt: new Date(), attempts: 0, nextAttemptAt: null, ...(options.spec && { spec: options.spec }) })
        .where(eq(workloads.id, row.id))
        .returning();
      if (!marked) return null; // someone else finished the delete meanwhile: their row describes it
      // One pending delete row at a time (a second request while one runs adds none).
      const [pending] = await tx
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(and(eq(auditEvents.action, driver.actions.delete), eq(auditEvents.targetId, row.id), eq(auditEvents.outcome, "pending")));
      if (!pending) {
        const target = await driver.auditTarget(tx as unknown as Db, marked);
        await tx.insert(auditEvents).values({ actorId: audit.actorId, actorLabel: audit.actorLabel, action: driver.actions.delete, ...target, outcome: "pending", detail: audit.detail });
      }
      return marked;
    });
    if (!started) return "deleted";
    try {
      await driver.remove(db, started);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      await db
        .update(workloads)
        .set({ stateReason: error.message, attempts: 1, nextAttemptAt: new Date(Date.now() + backoffMs(1)) })
        .where(eq(workloads.id, row.id))
        .catch(() => {});
      return "deleting";
    }
    await finishRemoval(db, driver.actions.delete, started, "success", {});
    return "deleted";
  });
}
