// The durable side of terminal sessions: the `console_sessions` row (written when a session
// starts, completed when it ends), the one audit row per session, the organization's
// recording setting, and the recordings themselves (moved into the database when a session
// ends, so any replica can replay them).
import { readFile, rm } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { and, eq, isNull, type SQL } from "drizzle-orm";
import type { Principal } from "@/lib/auth/policy";
import { auditSuccess, recordAuditEvent, type Actor } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { isUuid } from "@/lib/db/ids";
import { consoleRecordings, consoleSessions, organizations } from "@/lib/db/schema";
import { NotFoundError } from "@/lib/errors";
import { isSessionAdmin } from "@/lib/console/session/live-sessions";
import { endMessage, type EndReason } from "@/lib/console/protocol";
import { recordingPath, salvageSpool, type RecordingResult } from "@/lib/console/session/recording";
import type { TerminalMode, TerminalTarget } from "@/lib/console/targets";

/** The row written when a session starts. */
export interface SessionStart {
  /** Chosen by the caller, so a recording's spool file can be named before the row exists. */
  id: string;
  user: Actor;
  target: TerminalTarget;
  mode: TerminalMode;
  hostId: string;
  /** Whether its output is recorded. */
  recorded: boolean;
}

/** Records a starting session; returns its start time. */
export async function startSessionRecord(db: Db, start: SessionStart): Promise<{ id: string; startedAt: Date }> {
  const [row] = await db
    .insert(consoleSessions)
    .values({
      id: start.id,
      userId: start.user.userId,
      userLabel: start.user.label,
      orgId: start.target.orgId,
      teamId: start.target.teamId,
      workloadId: start.target.workloadId,
      targetLabel: start.target.label,
      mode: start.mode,
      hostId: start.hostId,
      recorded: start.recorded,
    })
    .returning({ id: consoleSessions.id, startedAt: consoleSessions.startedAt });
  return row!;
}

/** How a session ended, for its row and its audit row. */
export interface SessionEnd {
  reason: EndReason;
  bytesIn: number;
  bytesOut: number;
  /** The finished spool file of a recorded session. */
  recording: RecordingResult | null;
  message: string;
  exitCode?: number;
}

/** What a session's audit row names: who, on what, how, since when. */
type SessionIdentity = Pick<SessionStart, "id" | "user" | "mode"> & {
  target: Pick<TerminalTarget, "workloadId" | "label" | "orgId" | "teamId">;
  startedAt: Date;
};

/** The one audit row of a session. */
function recordSessionAudit(db: Db, start: SessionIdentity, end: SessionEnd & { endedAt: Date; bytesCounted?: false }) {
  return recordAuditEvent(db, {
    actorId: start.user.userId,
    actorLabel: start.user.label,
    action: "terminal.session",
    targetType: "workload",
    targetId: start.target.workloadId,
    targetLabel: start.target.label,
    orgId: start.target.orgId,
    teamId: start.target.teamId,
    outcome: end.reason === "error" || end.reason === "panel-restarted" || end.reason === "replica-gone" ? "error" : "success",
    detail: {
      sessionId: start.id,
      mode: start.mode,
      startedAt: start.startedAt.toISOString(),
      endedAt: end.endedAt.toISOString(),
      bytesIn: end.bytesIn,
      bytesOut: end.bytesOut,
      ...(end.bytesCounted === false ? { bytesCounted: false } : {}),
      endReason: end.reason,
      message: end.message,
      ...(end.exitCode !== undefined ? { exitCode: end.exitCode } : {}),
      recorded: end.recording !== null,
      ...(end.recording?.truncated ? { recordingTruncated: true } : {}),
    },
  });
}

/**
 * Completes a session's row and writes its audit row and its recording, together; then removes
 * the recording's spool file. A spool that cannot be read leaves the session unrecorded (the
 * audit row says so) rather than losing the row. A row already closed by an admin (its replica
 * looked gone) is left as it is.
 */
export async function finishSessionRecord(db: Db, start: SessionStart & { startedAt: Date }, end: SessionEnd): Promise<void> {
  const sessionId = start.id;
  const castGzip = end.recording ? await readFile(end.recording.path).catch(() => null) : null;
  const recording = castGzip ? end.recording : null;
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(consoleSessions)
      .set({
        endedAt: new Date(),
        endReason: end.reason,
        bytesIn: end.bytesIn,
        bytesOut: end.bytesOut,
        recordingBytes: castGzip?.length ?? null,
      })
      .where(and(eq(consoleSessions.id, sessionId), isNull(consoleSessions.endedAt)))
      .returning({ endedAt: consoleSessions.endedAt });
    if (!row) return;
    if (castGzip && recording) await tx.insert(consoleRecordings).values({ sessionId, castGzip, truncated: recording.truncated });
    await recordSessionAudit(tx, start, { ...end, recording, endedAt: row.endedAt! });
  });
  if (end.recording) await rm(end.recording.path, { force: true });
}

/**
 * Ends the open rows matching `where` that no process is ending (their replica died), each with
 * one audit row; the byte counts, kept in the dead process, are lost. With `spoolDir` (the dead
 * replica's own recordings directory, on a restart), what a recorded session's spool still holds
 * is salvaged as a truncated recording. Returns the rows ended.
 */
async function endOrphanedRows(db: Db, where: SQL, reason: "panel-restarted" | "replica-gone", spoolDir?: string) {
  const spools: string[] = [];
  const rows = await db.transaction(async (tx) => {
    const ended = await tx
      .update(consoleSessions)
      .set({ endedAt: new Date(), endReason: reason })
      .where(and(where, isNull(consoleSessions.endedAt)))
      .returning();
    for (const row of ended) {
      const spool = spoolDir && row.recorded ? recordingPath(spoolDir, row.id) : null;
      const castGzip = spool ? await salvageSpool(spool) : null;
      if (spool) spools.push(spool);
      if (castGzip) {
        await tx.insert(consoleRecordings).values({ sessionId: row.id, castGzip, truncated: true });
        await tx.update(consoleSessions).set({ recordingBytes: castGzip.length }).where(eq(consoleSessions.id, row.id));
      }
      await recordSessionAudit(
        tx,
        {
          id: row.id,
          user: { userId: row.userId, label: row.userLabel },
          mode: row.mode,
          target: { workloadId: row.workloadId, label: row.targetLabel, orgId: row.orgId, teamId: row.teamId },
          startedAt: row.startedAt,
        },
        {
          reason,
          endedAt: row.endedAt!,
          bytesIn: row.bytesIn,
          bytesOut: row.bytesOut,
          bytesCounted: false,
          recording: castGzip && spool ? { path: spool, bytes: castGzip.length, truncated: true } : null,
          message: endMessage(reason),
        },
      );
    }
    return ended;
  });
  await Promise.all(spools.map((spool) => rm(spool, { force: true })));
  return rows;
}

/**
 * Ends the rows that replica `hostId` left open when its process died without ending its
 * sessions (a crash, a kill): run when the replica starts, before it accepts terminals, so
 * none of them can be live. `spoolDir` is its recordings directory: what the spools of recorded
 * sessions still hold is kept as truncated recordings. Returns how many rows were ended.
 */
export async function endAbandonedSessions(db: Db, hostId: string, spoolDir?: string): Promise<number> {
  return (await endOrphanedRows(db, eq(consoleSessions.hostId, hostId), "panel-restarted", spoolDir)).length;
}

/** Closes the open row of session `sessionId`, whose replica has gone quiet (an admin's call). Whether it was open. */
export async function closeSessionOfGoneReplica(db: Db, sessionId: string): Promise<boolean> {
  return (await endOrphanedRows(db, eq(consoleSessions.id, sessionId), "replica-gone")).length > 0;
}

/** A session row as stored. */
export type ConsoleSession = typeof consoleSessions.$inferSelect;

/** One session's row (for tests and the audit page); null when there is none. */
export async function getSessionRecord(db: Db, sessionId: string): Promise<ConsoleSession | null> {
  if (!isUuid(sessionId)) return null;
  const [row] = await db.select().from(consoleSessions).where(eq(consoleSessions.id, sessionId));
  return row ?? null;
}

/** Whether an organization records its terminal sessions. */
export async function isRecordingEnabled(db: Db, orgId: string): Promise<boolean> {
  const [row] = await db.select({ on: organizations.recordTerminals }).from(organizations).where(eq(organizations.id, orgId));
  return row?.on ?? false;
}

/** Turns terminal recording on or off for an organization (its owners/admins, or platform admins). */
export async function setTerminalRecording(db: Db, principal: Principal, actor: Actor, orgId: string, enabled: boolean): Promise<void> {
  if (!isUuid(orgId) || !isSessionAdmin(principal, orgId)) throw new NotFoundError("No such organization.");
  await db.transaction(async (tx) => {
    const [org] = await tx.update(organizations).set({ recordTerminals: enabled }).where(eq(organizations.id, orgId)).returning({ name: organizations.name });
    if (!org) throw new NotFoundError("No such organization.");
    await auditSuccess(tx, actor, {
      action: enabled ? "org.terminal-recording.enable" : "org.terminal-recording.disable",
      targetType: "organization",
      targetId: orgId,
      targetLabel: org.name,
      orgId,
    });
  });
}

/**
 * The asciicast text of a recorded session, for replay by an admin of the session's
 * organization. Anyone else, or a session without a recording, reads as "not found".
 */
export async function readSessionRecording(db: Db, principal: Principal, sessionId: string): Promise<string> {
  const session = await getSessionRecord(db, sessionId);
  if (!session || !isSessionAdmin(principal, session.orgId)) throw new NotFoundError("No such recording.");
  const [recording] = await db.select({ castGzip: consoleRecordings.castGzip }).from(consoleRecordings).where(eq(consoleRecordings.sessionId, sessionId));
  if (!recording) throw new NotFoundError("No such recording.");
  return gunzipSync(recording.castGzip).toString("utf8");
}
