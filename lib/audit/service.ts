// The audit log: who did what to which resource, with what outcome. Services record their
// own success rows inside the transaction that makes the change, so a change is never
// committed without its row (and a rolled-back change leaves none).

import { and, asc, desc, eq, inArray, isNotNull, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/lib/db/client";
import { auditEvents, users } from "@/lib/db/schema";

/** Who performs a mutation: their user id and a label copied into audit rows (their email). */
export interface Actor {
  userId: string;
  label: string;
}

/** One audit row to write. */
export interface AuditEventInput {
  actorId: string | null;
  actorLabel: string;
  /** `<domain>.<verb>`, e.g. `team.create`. */
  action: string;
  targetType: string;
  targetId?: string | null;
  targetLabel?: string | null;
  orgId?: string | null;
  teamId?: string | null;
  outcome?: "success" | "denied" | "error" | "pending";
  detail?: Record<string, unknown>;
}

/** Writes one audit row; pass the transaction handle when the row belongs to a change. */
export async function recordAuditEvent(db: Db, event: AuditEventInput): Promise<void> {
  await db.insert(auditEvents).values({
    actorId: event.actorId,
    actorLabel: event.actorLabel,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId ?? null,
    targetLabel: event.targetLabel ?? null,
    orgId: event.orgId ?? null,
    teamId: event.teamId ?? null,
    outcome: event.outcome ?? "success",
    detail: event.detail ?? {},
  });
}

// Unexpected errors a service already wrote its own error row for (with what it knew of the
// target); the action layer records unexpected errors too, and skips these.
const auditedErrors = new WeakSet<object>();

/** Marks `error` as recorded, so the action layer does not write a second error row for it. */
export function markAudited(error: unknown): void {
  if (typeof error === "object" && error !== null) auditedErrors.add(error);
}

/** Whether a service already recorded `error` (see `markAudited`). */
export function wasAudited(error: unknown): boolean {
  return typeof error === "object" && error !== null && auditedErrors.has(error);
}

/** The success row of a mutation by `actor` (the usual case inside services). */
export function auditSuccess(
  db: Db,
  actor: Actor,
  event: Omit<AuditEventInput, "actorId" | "actorLabel" | "outcome">,
): Promise<void> {
  return recordAuditEvent(db, { ...event, actorId: actor.userId, actorLabel: actor.label, outcome: "success" });
}

/** Where a page of audit events ends: pass the last event's createdAt and id to get the next page. */
export interface AuditCursor {
  createdAt: Date;
  id: string;
}

/** Filters for the audit log page; the caller decides which org/team the viewer may see. */
export const auditFilterSchema = z.object({
  orgId: z.uuid().optional(),
  teamId: z.uuid().optional(),
  actorId: z.uuid().optional(),
  action: z.string().trim().min(1).max(100).optional(),
  limit: z.number().int().min(1).max(500).default(50),
  before: z.object({ createdAt: z.date(), id: z.uuid() }).optional(),
  /**
   * Only events of these organizations or these teams (a viewer who is not a platform admin
   * sees what they may audit). Absent: no restriction. Both lists empty: nothing matches.
   */
  within: z.object({ orgIds: z.array(z.uuid()), teamIds: z.array(z.uuid()) }).optional(),
});
export type AuditFilter = z.input<typeof auditFilterSchema>;

/** An audit row as shown: the actor's current name and email when the user still exists. */
export interface AuditEventView {
  id: string;
  createdAt: Date;
  actorId: string | null;
  /** The label copied when the event was written (survives the user). */
  actorLabel: string;
  actorName: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  targetLabel: string | null;
  orgId: string | null;
  teamId: string | null;
  outcome: "success" | "denied" | "error" | "pending";
  detail: Record<string, unknown>;
}

/** Audit events matching `filter`, newest first. An `action` ending in `.` or `*` matches a prefix (`team.*`). */
export async function listAuditEvents(db: Db, filter: AuditFilter): Promise<AuditEventView[]> {
  const f = auditFilterSchema.parse(filter);
  const conditions: SQL[] = [];
  if (f.orgId) conditions.push(eq(auditEvents.orgId, f.orgId));
  if (f.teamId) conditions.push(eq(auditEvents.teamId, f.teamId));
  if (f.actorId) conditions.push(eq(auditEvents.actorId, f.actorId));
  if (f.action) conditions.push(actionCondition(f.action));
  if (f.within) {
    const visible = withinCondition(f.within);
    if (!visible) return [];
    conditions.push(visible);
  }
  if (f.before) {
    // Events of the same millisecond are ordered by insertion (seq); the cursor's event gives its seq.
    const { createdAt, id } = f.before;
    const cursorSeq = sql`(select ${auditEvents.seq} from ${auditEvents} where ${auditEvents.id} = ${id})`;
    conditions.push(
      or(lt(auditEvents.createdAt, createdAt), and(eq(auditEvents.createdAt, createdAt), sql`${auditEvents.seq} < ${cursorSeq}`))!,
    );
  }
  return db
    .select({
      id: auditEvents.id,
      createdAt: auditEvents.createdAt,
      actorId: auditEvents.actorId,
      actorLabel: auditEvents.actorLabel,
      actorName: users.name,
      actorEmail: users.email,
      action: auditEvents.action,
      targetType: auditEvents.targetType,
      targetId: auditEvents.targetId,
      targetLabel: auditEvents.targetLabel,
      orgId: auditEvents.orgId,
      teamId: auditEvents.teamId,
      outcome: auditEvents.outcome,
      detail: auditEvents.detail,
    })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(and(...conditions))
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.seq))
    .limit(f.limit);
}

/** Who appears as the actor of events — of these organizations or teams with `within` — by email (for filter choices). */
export async function listAuditActors(
  db: Db,
  within?: { orgIds: string[]; teamIds: string[] },
): Promise<{ userId: string; name: string; email: string }[]> {
  const conditions: SQL[] = [isNotNull(auditEvents.actorId)];
  if (within) {
    const visible = withinCondition(within);
    if (!visible) return [];
    conditions.push(visible);
  }
  return db
    .selectDistinct({ userId: users.id, name: users.name, email: users.email })
    .from(auditEvents)
    .innerJoin(users, eq(users.id, auditEvents.actorId))
    .where(and(...conditions))
    .orderBy(asc(users.email));
}

// Events of any of these organizations or teams; null when both lists are empty (nothing matches).
function withinCondition(within: { orgIds: string[]; teamIds: string[] }): SQL | null {
  const visible: SQL[] = [];
  if (within.orgIds.length > 0) visible.push(inArray(auditEvents.orgId, within.orgIds));
  if (within.teamIds.length > 0) visible.push(inArray(auditEvents.teamId, within.teamIds));
  return visible.length > 0 ? or(...visible)! : null;
}

function actionCondition(action: string): SQL {
  const prefix = action.endsWith("*") ? action.slice(0, -1) : action.endsWith(".") ? action : null;
  if (prefix === null) return eq(auditEvents.action, action);
  // Escape LIKE wildcards in what the user typed.
  const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql`${auditEvents.action} like ${escaped + "%"}`;
}
