// Who holds a console. KubeVirt gives each VMI's serial console (and VNC) to one client and
// closes the previous one when another connects; the panel never lets that happen silently:
// - a second viewer is told who holds the console and since when, and connects only when they
//   choose to **take over** (`holderOf`);
// - the viewer who loses it is told by whom (`takenOverBy`, or at once when the holder runs on this
//   replica: `takeOverFrom`).
// The holders are the open session rows of the console (every replica writes them), so this works
// whichever replica each viewer landed on. Rows of a replica gone quiet do not count.
import { and, desc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { consoleSessions, panelReplicas } from "@/lib/db/schema";
import { localSession } from "@/lib/console/session/live-sessions";
import { REPLICA_GONE_AFTER_MS } from "@/lib/console/session/session-admin";
import type { TerminalMode } from "@/lib/console/targets";

/** A session holding a console. */
export interface ConsoleHolder {
  sessionId: string;
  userId: string;
  userLabel: string;
  startedAt: Date;
}

/** What a viewer is told about the holder (the protocol's `busy` message). */
export interface ConsoleHolderView {
  /** Who holds it (their e-mail). */
  user: string;
  /** RFC 3339. */
  since: string;
  /** Whether it is the viewer themself (another tab or window). */
  you: boolean;
}

const live = sql<boolean>`coalesce(${panelReplicas.lastSeenAt} >= now() - ${sql.raw(`interval '${REPLICA_GONE_AFTER_MS / 1000} seconds'`)}, false)`;

function holders(db: Db, workloadId: string, mode: TerminalMode, extra: ReturnType<typeof and>[]) {
  return db
    .select({ sessionId: consoleSessions.id, userId: consoleSessions.userId, userLabel: consoleSessions.userLabel, startedAt: consoleSessions.startedAt, hostLive: live })
    .from(consoleSessions)
    .leftJoin(panelReplicas, eq(panelReplicas.hostId, consoleSessions.hostId))
    .where(and(eq(consoleSessions.workloadId, workloadId), eq(consoleSessions.mode, mode), isNull(consoleSessions.endedAt), ...extra))
    .orderBy(desc(consoleSessions.startedAt));
}

const asHolder = (row: { sessionId: string; userId: string; userLabel: string; startedAt: Date }): ConsoleHolder => ({
  sessionId: row.sessionId,
  userId: row.userId,
  userLabel: row.userLabel,
  startedAt: row.startedAt,
});

/** The session holding `mode` of workload `workloadId` now (the newest open one), or null. */
export async function holderOf(db: Db, workloadId: string, mode: TerminalMode): Promise<ConsoleHolder | null> {
  const rows = await holders(db, workloadId, mode, []);
  // A session on this replica counts even before its first heartbeat; others only while their replica is alive.
  const row = rows.find((r) => r.hostLive || localSession(r.sessionId));
  return row ? asHolder(row) : null;
}

/** Who took the console over from session `sessionId` (a newer open session of the same console), or null. */
export async function takenOverBy(db: Db, session: { id: string; workloadId: string; mode: TerminalMode; startedAt: Date }): Promise<ConsoleHolder | null> {
  const [row] = await holders(db, session.workloadId, session.mode, [ne(consoleSessions.id, session.id), gt(consoleSessions.startedAt, session.startedAt)]);
  return row ? asHolder(row) : null;
}

/** What the holder reads when KubeVirt gave the console to a client the panel does not know of. */
export const TAKEN_BY_OUTSIDER = "Another client outside the panel (such as virtctl) opened this console, and the cluster gave it the console.";

/** The sentence the previous holder reads. */
export function takenOverMessage(by: { userLabel: string }, sameUser: boolean): string {
  return sameUser ? "You opened this console in another window, which took it over." : `${by.userLabel} took over this console.`;
}

/**
 * Ends `holder` at once when it runs on this replica, telling its viewer who took over. Elsewhere
 * KubeVirt closes its stream when the new one connects, and that replica asks `takenOverBy`.
 */
export async function takeOverFrom(holder: ConsoleHolder, by: { userId: string; userLabel: string }): Promise<void> {
  await localSession(holder.sessionId)?.end("taken-over", takenOverMessage(by, by.userId === holder.userId));
}

/** The holder as a viewer is told about it. */
export function holderView(holder: ConsoleHolder, viewerId: string): ConsoleHolderView {
  return { user: holder.userLabel, since: holder.startedAt.toISOString(), you: holder.userId === viewerId };
}
