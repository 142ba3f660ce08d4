// Open terminal sessions as admins see them, across every replica: the session rows
// (ended_at null) say who, on what and where; the replica that holds a session adds its live
// byte counts. Ending one works wherever the admin's request lands: on the replica that holds
// it the session ends at once; elsewhere the request is stored on the row, and the holding
// replica's watcher (`watchEndRequests`) ends it within a couple of seconds.
import { and, asc, eq, inArray, isNotNull, isNull, type SQL } from "drizzle-orm";
import type { Principal } from "@/lib/auth/policy";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { isUuid } from "@/lib/db/ids";
import { consoleSessions } from "@/lib/db/schema";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { isSessionAdmin, liveSessionCount, localSession } from "@/lib/console/live-sessions";
import type { TerminalMode } from "@/lib/console/targets";

/** An open session in an admin's list. */
export interface OpenSession {
  id: string;
  userId: string;
  userLabel: string;
  orgId: string;
  teamId: string;
  workloadId: string;
  target: string;
  mode: TerminalMode;
  startedAt: Date;
  /** The replica that holds it. */
  hostId: string;
  recording: boolean;
  /** Bytes so far, known only to the replica that holds the session (null elsewhere). */
  bytes: { in: number; out: number } | null;
  /** An admin asked to end it and its replica has not done so yet. */
  endRequested: boolean;
}

/** Which organizations' sessions `principal` administers: all (platform admins) or a list. */
function administeredOrgs(principal: Principal): "all" | string[] {
  if (principal.isPlatformAdmin) return "all";
  return Object.entries(principal.orgRoles)
    .filter(([, role]) => role === "owner" || role === "admin")
    .map(([orgId]) => orgId);
}

/**
 * The open sessions `principal` administers (every replica's), oldest first; `orgId` narrows
 * them to one organization. A session on a replica that died and never came back stays open
 * here until that replica's host starts again (see endAbandonedSessions).
 */
export async function listOpenSessions(db: Db, principal: Principal, filter: { orgId?: string } = {}): Promise<OpenSession[]> {
  const orgs = administeredOrgs(principal);
  if (orgs !== "all" && orgs.length === 0) return [];
  const where: SQL[] = [isNull(consoleSessions.endedAt)];
  if (orgs !== "all") where.push(inArray(consoleSessions.orgId, orgs));
  if (filter.orgId) where.push(eq(consoleSessions.orgId, filter.orgId));
  const rows = await db
    .select()
    .from(consoleSessions)
    .where(and(...where))
    .orderBy(asc(consoleSessions.startedAt));
  return rows.map((row) => {
    const here = localSession(row.id)?.view();
    return {
      id: row.id,
      userId: row.userId,
      userLabel: row.userLabel,
      orgId: row.orgId,
      teamId: row.teamId,
      workloadId: row.workloadId,
      target: row.targetLabel,
      mode: row.mode,
      startedAt: row.startedAt,
      hostId: row.hostId,
      recording: row.recorded,
      bytes: here ? { in: here.bytesIn, out: here.bytesOut } : null,
      endRequested: row.endRequestedAt !== null,
    };
  });
}

/**
 * Ends open session `sessionId` on behalf of an admin (audited as `terminal.end`); its user
 * sees "An administrator ended this session." The request is stored on the row either way, so
 * the replica that holds the session ends it even when this one does not. Someone who does not
 * administer it gets "not found" (nothing leaks); the session's own user is told to close it.
 */
export async function endOpenSession(db: Db, principal: Principal, actor: Actor, sessionId: string): Promise<{ sessionId: string; endedHere: boolean }> {
  const [row] = isUuid(sessionId) ? await db.select().from(consoleSessions).where(and(eq(consoleSessions.id, sessionId), isNull(consoleSessions.endedAt))) : [];
  if (!row || !isSessionAdmin(principal, row.orgId)) {
    if (row && row.userId === principal.userId) throw new ForbiddenError("Only an administrator can end a session this way; close the terminal instead.");
    throw new NotFoundError("No such live session.");
  }
  await db.transaction(async (tx) => {
    const requested = await tx
      .update(consoleSessions)
      .set({ endRequestedAt: new Date() })
      .where(and(eq(consoleSessions.id, row.id), isNull(consoleSessions.endedAt), isNull(consoleSessions.endRequestedAt)))
      .returning({ id: consoleSessions.id });
    if (requested.length === 0) return; // asked already (by another admin, or twice): one audit row
    await auditSuccess(tx, actor, {
      action: "terminal.end",
      targetType: "workload",
      targetId: row.workloadId,
      targetLabel: row.targetLabel,
      orgId: row.orgId,
      teamId: row.teamId,
      detail: { sessionId: row.id, user: row.userLabel, mode: row.mode, host: row.hostId },
    });
  });
  const here = localSession(row.id);
  // Held here: wait (briefly) for its row to be ended, so the list the admin sees next no longer has it.
  if (here) await Promise.race([here.end("ended-by-admin"), new Promise((resolve) => setTimeout(resolve, LOCAL_END_WAIT_MS).unref())]);
  return { sessionId: row.id, endedHere: here !== undefined };
}

/** How long ending a session held here waits for its rows before answering anyway. */
const LOCAL_END_WAIT_MS = 3000;

/** How often a replica looks for end requests while it holds sessions. */
export const END_REQUEST_POLL_MS = 2000;

/**
 * Ends this replica's sessions that an admin asked to end through another replica: every
 * `intervalMs`, while this process holds any session, one indexed query for rows of `hostId`
 * with an end request. Returns the function that stops watching.
 */
export function watchEndRequests(db: Db, hostId: string, options: { intervalMs?: number; log?: (line: string) => void } = {}): () => void {
  let busy = false;
  let failing = false;
  const timer = setInterval(() => {
    if (busy || liveSessionCount() === 0) return;
    busy = true;
    db.select({ id: consoleSessions.id })
      .from(consoleSessions)
      .where(and(eq(consoleSessions.hostId, hostId), isNull(consoleSessions.endedAt), isNotNull(consoleSessions.endRequestedAt)))
      .then(
        (rows) => {
          failing = false;
          for (const { id } of rows) void localSession(id)?.end("ended-by-admin");
        },
        (error: unknown) => {
          // Said once per outage, not every interval.
          if (!failing) options.log?.(`terminal end requests: ${error instanceof Error ? error.message : String(error)}; retrying`);
          failing = true;
        },
      )
      .finally(() => (busy = false));
  }, options.intervalMs ?? END_REQUEST_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
