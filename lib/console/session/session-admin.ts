// Open terminal sessions as admins see them, across every replica: the session rows
// (ended_at null) say who, on what and where; the replica that holds a session adds its live
// byte counts. Ending one works wherever the admin's request lands: on the replica that holds
// it the session ends at once; elsewhere the request is stored on the row, and the holding
// replica's watcher (`watchReplica`) ends it within a couple of seconds. The same watcher says
// every few seconds that its replica is alive, so a session whose replica has gone quiet (died
// and never came back) is closed by the admin's request itself instead of waiting forever.
import { and, asc, eq, inArray, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import type { Principal } from "@/lib/auth/policy";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { isUuid } from "@/lib/db/ids";
import { consoleSessions, panelReplicas } from "@/lib/db/schema";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { isSessionAdmin, liveSessionIds, localSession, type LiveSessionView } from "@/lib/console/session/live-sessions";
import { closeSessionOfGoneReplica } from "@/lib/console/session/session-store";

/**
 * An open session in an admin's list: what the session row says (the same fields a running
 * session reports, less its byte counts), and where it is held.
 */
export interface OpenSession extends Omit<LiveSessionView, "bytesIn" | "bytesOut"> {
  /** The replica that holds it. */
  hostId: string;
  /** Bytes so far, known only to the replica that holds the session (null elsewhere). */
  bytes: { in: number; out: number } | null;
  /** An admin asked to end it and its replica has not done so yet. */
  endRequested: boolean;
  /** Its replica has not said it is alive for REPLICA_GONE_AFTER_MS (or never did): nothing will end it but an admin. */
  holderGone: boolean;
}

/** How often a replica says it is alive. */
export const REPLICA_HEARTBEAT_MS = 10_000;
/** A replica silent for this long is taken for gone. */
export const REPLICA_GONE_AFTER_MS = 60_000;


/** Which organizations' sessions `principal` administers: all (platform admins) or a list. */
function administeredOrgs(principal: Principal): "all" | string[] {
  if (principal.isPlatformAdmin) return "all";
  return Object.keys(principal.orgRoles).filter((orgId) => isSessionAdmin(principal, orgId));
}

/**
 * Open session rows matching `where`, oldest first, each with whether its replica has gone
 * quiet — judged by the database's clock, which also stamps the heartbeats, so replicas whose
 * clocks differ cannot misjudge each other.
 */
function openSessionRows(db: Db, where: SQL[]) {
  const quiet = sql<boolean>`coalesce(${panelReplicas.lastSeenAt} < now() - ${sql.raw(`interval '${REPLICA_GONE_AFTER_MS / 1000} seconds'`)}, true)`;
  return db
    .select({ row: consoleSessions, holderQuiet: quiet })
    .from(consoleSessions)
    .leftJoin(panelReplicas, eq(panelReplicas.hostId, consoleSessions.hostId))
    .where(and(isNull(consoleSessions.endedAt), ...where))
    .orderBy(asc(consoleSessions.startedAt));
}

/**
 * The open sessions `principal` administers (every replica's), oldest first; `orgId` narrows
 * them to one organization. A session whose replica has gone quiet is marked `holderGone`.
 */
export async function listOpenSessions(db: Db, principal: Principal, filter: { orgId?: string } = {}): Promise<OpenSession[]> {
  const orgs = administeredOrgs(principal);
  if (orgs !== "all" && orgs.length === 0) return [];
  const where: SQL[] = [];
  if (orgs !== "all") where.push(inArray(consoleSessions.orgId, orgs));
  if (filter.orgId) where.push(eq(consoleSessions.orgId, filter.orgId));
  const rows = await openSessionRows(db, where);
  return rows.map(({ row, holderQuiet }) => {
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
      holderGone: !here && holderQuiet,
    };
  });
}

/**
 * Ends open session `sessionId` on behalf of an admin (audited as `terminal.end`); its user
 * sees "An administrator ended this session." The request is stored on the row either way, so
 * the replica that holds the session ends it even when this one does not; the row of a replica
 * gone quiet is closed at once. Someone who does not
 * administer it gets "not found" (nothing leaks); the session's own user is told to close it.
 */
export async function endOpenSession(db: Db, principal: Principal, actor: Actor, sessionId: string): Promise<{ sessionId: string; endedHere: boolean; closedGone: boolean }> {
  const [found] = isUuid(sessionId) ? await openSessionRows(db, [eq(consoleSessions.id, sessionId)]) : [];
  const row = found?.row;
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
  // Held by a replica gone quiet: nobody else will end it, so its row is closed here.
  const closedGone = !here && found.holderQuiet && (await closeSessionOfGoneReplica(db, row.id));
  return { sessionId: row.id, endedHere: here !== undefined, closedGone };
}

/** How long ending a session held here waits for its rows before answering anyway. */
const LOCAL_END_WAIT_MS = 3000;

/** How often a replica looks for end requests while it holds sessions. */
export const END_REQUEST_POLL_MS = 2000;

/** Says that replica `hostId` is alive, as of the database's clock (or as of `at`, for tests of the past). */
export async function recordReplicaAlive(db: Db, hostId: string, at?: Date): Promise<void> {
  const lastSeenAt = at ?? sql`now()`;
  await db.insert(panelReplicas).values({ hostId, lastSeenAt }).onConflictDoUpdate({ target: panelReplicas.hostId, set: { lastSeenAt: sql`excluded.last_seen_at` } });
}

/**
 * What a replica does for the sessions it holds, while it runs: says it is alive every
 * `heartbeatMs` (from the start), and every `intervalMs`, while this process holds any session,
 * ends the ones an admin asked to end through another replica (one query by the held ids).
 * Returns the function that stops both.
 */
export function watchReplica(
  db: Db,
  hostId: string,
  // onRound: called after each completed look at the end requests (lets a caller wait for rounds, not for time).
  options: { intervalMs?: number; heartbeatMs?: number; log?: (line: string) => void; onRound?: () => void } = {},
): () => void {
  const failing = new Set<string>();
  // Said once per outage, not every interval.
  const report = (what: string) => (error: unknown) => {
    if (!failing.has(what)) options.log?.(`${what}: ${error instanceof Error ? error.message : String(error)}; retrying`);
    failing.add(what);
  };
  const beat = () => void recordReplicaAlive(db, hostId).then(() => failing.delete("replica heartbeat"), report("replica heartbeat"));
  beat();
  const heartbeat = setInterval(beat, options.heartbeatMs ?? REPLICA_HEARTBEAT_MS);
  heartbeat.unref();

  let busy = false;
  const requests = setInterval(() => {
    const held = liveSessionIds();
    if (busy || held.length === 0) return;
    busy = true;
    // By the ids held here, ended rows included: a row an admin already closed (this replica
    // looked gone for a while) still ends the terminal that kept running here.
    db.select({ id: consoleSessions.id })
      .from(consoleSessions)
      .where(and(inArray(consoleSessions.id, held), eq(consoleSessions.hostId, hostId), isNotNull(consoleSessions.endRequestedAt)))
      .then((rows) => {
        failing.delete("terminal end requests");
        for (const { id } of rows) void localSession(id)?.end("ended-by-admin");
      }, report("terminal end requests"))
      .finally(() => {
        busy = false;
        options.onRound?.();
      });
  }, options.intervalMs ?? END_REQUEST_POLL_MS);
  requests.unref();
  return () => {
    clearInterval(heartbeat);
    clearInterval(requests);
  };
}
