// Open terminal sessions as admins see and end them across replicas, on both engines: the list
// comes from the session rows (every replica's), narrowed to the organizations the caller
// administers, with byte counts only where this process holds the session; ending a session
// held by another live replica stores the request (one audit row, however often it is asked),
// and that replica's watcher ends it; a session whose replica has gone quiet is closed by the
// request itself. The sessions here are rows plus stand-in handles in this process's registry:
// what a replica registers for a running terminal.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import type { Principal } from "@/lib/auth/policy";
import type { Actor } from "@/lib/audit/service";
import { registerLiveSession, type LiveSessionHandle } from "@/lib/console/session/live-sessions";
import { endOpenSession, listOpenSessions, recordReplicaAlive, REPLICA_GONE_AFTER_MS, watchReplica } from "@/lib/console/session/session-admin";
import { finishSessionRecord } from "@/lib/console/session/session-store";
import type { TerminalTarget } from "@/lib/console/targets";
import type { Db } from "@/lib/db";
import { auditEvents, consoleSessions, organizations, orgMembers, panelReplicas } from "@/lib/db/schema";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { ENGINES, useTestDatabase } from "./support/databases";
import { insertUser, uniqueName } from "./support/fixtures";

type User = Actor & { email: string };

/** The parts of a terminal target the session rows do not keep. */
const TARGET: Omit<TerminalTarget, "workloadId" | "label" | "orgId" | "teamId"> = {
  kind: "ssh-pod",
  orgSlug: "acme",
  teamSlug: "web",
  clusterId: randomUUID(),
  namespace: "mc-acme-web",
  name: "box",
  loginUser: "dev",
};

describe.each(ENGINES)("open terminal sessions across replicas on %s", (engine) => {
  const getDb = useTestDatabase(engine);
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  const principal = async (db: Db, user: User): Promise<Principal> => (await loadPrincipal(db, user.userId))!;

  async function world(db: Db) {
    const slug = () => uniqueName("org").replace(/\s/g, "-").toLowerCase();
    const [orgX, orgY] = await db
      .insert(organizations)
      .values([slug(), slug()].map((s) => ({ name: s, slug: s })))
      .returning();
    const [adminX, memberX, dev] = [await insertUser(db), await insertUser(db), await insertUser(db)];
    const platformAdmin = await insertUser(db, { isPlatformAdmin: true });
    await db.insert(orgMembers).values([
      { orgId: orgX!.id, userId: adminX.userId, role: "admin" },
      { orgId: orgX!.id, userId: memberX.userId, role: "member" },
      { orgId: orgX!.id, userId: dev.userId, role: "member" },
    ]);
    // The replicas these sessions live on say they are alive, as running ones do.
    for (const hostId of ["replica-a", "replica-b", "replica-c"]) await recordReplicaAlive(db, hostId);
    return { orgX: orgX!.id, orgY: orgY!.id, adminX, memberX, dev, platformAdmin };
  }

  /** An open (or ended) session row of `dev` on replica `hostId`. */
  async function sessionRow(db: Db, dev: User, orgId: string, hostId: string, extra: Partial<typeof consoleSessions.$inferInsert> = {}) {
    const [row] = await db
      .insert(consoleSessions)
      .values({
        userId: dev.userId,
        userLabel: dev.email,
        orgId,
        teamId: randomUUID(),
        workloadId: randomUUID(),
        targetLabel: `web/${uniqueName("box")}`,
        mode: "exec",
        hostId,
        ...extra,
      })
      .returning();
    return row!;
  }

  /**
   * A stand-in for a terminal running in this process: reports bytes, records how it was ended,
   * and leaves the registry when it ends (as a session does).
   */
  function holdHere(row: { id: string; userId: string; orgId: string }, bytes = { in: 7, out: 4096 }) {
    const ends: string[] = [];
    const handle: LiveSessionHandle = {
      view: () => ({ ...row, userLabel: "", teamId: "", workloadId: "", target: "", mode: "exec", startedAt: new Date(), bytesIn: bytes.in, bytesOut: bytes.out, recording: false }),
      end: async (reason) => {
        ends.push(reason);
        unregister();
      },
    };
    const unregister = registerLiveSession(row.id, handle);
    cleanups.push(unregister);
    return ends;
  }

  const endRows = (db: Db, sessionId: string) =>
    db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "terminal.end"))
      .then((rows) => rows.filter((r) => (r.detail as { sessionId?: string }).sessionId === sessionId));

  it("admins list every replica's open sessions of the organizations they administer; bytes only where this process holds one", async () => {
    const db = getDb();
    const w = await world(db);
    const here = await sessionRow(db, w.dev, w.orgX, "replica-a", { recorded: true });
    const elsewhere = await sessionRow(db, w.dev, w.orgX, "replica-b");
    const otherOrg = await sessionRow(db, w.dev, w.orgY, "replica-b");
    const ended = await sessionRow(db, w.dev, w.orgX, "replica-b", { endedAt: new Date(), endReason: "exited" });
    holdHere(here, { in: 12, out: 3400 });

    const ids = (sessions: { id: string }[]) => sessions.map((s) => s.id);
    const all = await listOpenSessions(db, await principal(db, w.platformAdmin));
    expect(ids(all)).toEqual(expect.arrayContaining([here.id, elsewhere.id, otherOrg.id]));
    expect(ids(all)).not.toContain(ended.id);
    const forAdminX = await listOpenSessions(db, await principal(db, w.adminX));
    expect(ids(forAdminX).sort()).toEqual([here.id, elsewhere.id].sort());
    expect(forAdminX.find((s) => s.id === here.id)).toMatchObject({ hostId: "replica-a", recording: true, bytes: { in: 12, out: 3400 }, endRequested: false, holderGone: false, userLabel: w.dev.email });
    expect(forAdminX.find((s) => s.id === elsewhere.id)).toMatchObject({ hostId: "replica-b", recording: false, bytes: null, holderGone: false });
    expect(await listOpenSessions(db, await principal(db, w.memberX))).toEqual([]);
    expect(await listOpenSessions(db, await principal(db, w.dev))).toEqual([]);
    expect(ids(await listOpenSessions(db, await principal(db, w.platformAdmin), { orgId: w.orgY }))).toEqual([otherOrg.id]);
    // An org filter does not widen what an org admin sees.
    expect(await listOpenSessions(db, await principal(db, w.adminX), { orgId: w.orgY })).toEqual([]);
  });

  it("ending a session held by another replica stores the request with one audit row; the list says it is ending", async () => {
    const db = getDb();
    const w = await world(db);
    const row = await sessionRow(db, w.dev, w.orgX, "replica-b");

    const result = await endOpenSession(db, await principal(db, w.adminX), w.adminX, row.id);
    expect(result).toEqual({ sessionId: row.id, endedHere: false, closedGone: false });
    const [stored] = await db.select().from(consoleSessions).where(eq(consoleSessions.id, row.id));
    expect(stored!.endRequestedAt).toBeInstanceOf(Date);
    expect(stored!.endedAt).toBeNull();
    const [audit, ...more] = await endRows(db, row.id);
    expect(more).toHaveLength(0);
    expect(audit).toMatchObject({ actorId: w.adminX.userId, targetId: row.workloadId, orgId: w.orgX, detail: { sessionId: row.id, user: w.dev.email, mode: "exec", host: "replica-b" } });
    expect((await listOpenSessions(db, await principal(db, w.adminX)))[0]).toMatchObject({ id: row.id, endRequested: true });

    // Asked again (another admin, a double click): still one request and one audit row.
    await endOpenSession(db, await principal(db, w.platformAdmin), w.platformAdmin, row.id);
    expect(await endRows(db, row.id)).toHaveLength(1);
    const [again] = await db.select().from(consoleSessions).where(eq(consoleSessions.id, row.id));
    expect(again!.endRequestedAt!.getTime()).toBe(stored!.endRequestedAt!.getTime());
  });

  it("a session held here ends at once", async () => {
    const db = getDb();
    const w = await world(db);
    const row = await sessionRow(db, w.dev, w.orgX, "replica-a");
    const ends = holdHere(row);
    expect(await endOpenSession(db, await principal(db, w.adminX), w.adminX, row.id)).toEqual({ sessionId: row.id, endedHere: true, closedGone: false });
    expect(ends).toEqual(["ended-by-admin"]);
  });

  it("others get not found, the session's own user is told to close it, and nothing is stored", async () => {
    const db = getDb();
    const w = await world(db);
    const row = await sessionRow(db, w.dev, w.orgX, "replica-b");
    const ended = await sessionRow(db, w.dev, w.orgX, "replica-b", { endedAt: new Date(), endReason: "exited" });
    const outsider = await insertUser(db);
    await expect(endOpenSession(db, await principal(db, w.memberX), w.memberX, row.id)).rejects.toThrow(NotFoundError);
    await expect(endOpenSession(db, await principal(db, outsider), outsider, row.id)).rejects.toThrow(NotFoundError);
    await expect(endOpenSession(db, await principal(db, w.dev), w.dev, row.id)).rejects.toThrow(ForbiddenError);
    await expect(endOpenSession(db, await principal(db, w.adminX), w.adminX, ended.id)).rejects.toThrow(NotFoundError);
    await expect(endOpenSession(db, await principal(db, w.adminX), w.adminX, "not-a-session")).rejects.toThrow(NotFoundError);
    const [stored] = await db.select().from(consoleSessions).where(eq(consoleSessions.id, row.id));
    expect(stored!.endRequestedAt).toBeNull();
    expect(await endRows(db, row.id)).toHaveLength(0);
  });

  it("a session whose replica has gone quiet shows so, and ending it closes its row; that replica's late finish changes nothing", async () => {
    const db = getDb();
    const w = await world(db);
    const quietHost = `replica-${randomUUID()}`;
    await recordReplicaAlive(db, quietHost, new Date(Date.now() - REPLICA_GONE_AFTER_MS - 5000));
    const neverSeen = `replica-${randomUUID()}`;
    const quiet = await sessionRow(db, w.dev, w.orgX, quietHost, { bytesIn: 3, bytesOut: 40 });
    const unseen = await sessionRow(db, w.dev, w.orgX, neverSeen);
    const listed = await listOpenSessions(db, await principal(db, w.adminX));
    expect(listed.find((s) => s.id === quiet.id)).toMatchObject({ holderGone: true, bytes: null });
    expect(listed.find((s) => s.id === unseen.id)).toMatchObject({ holderGone: true });

    expect(await endOpenSession(db, await principal(db, w.adminX), w.adminX, quiet.id)).toEqual({ sessionId: quiet.id, endedHere: false, closedGone: true });
    const [closed] = await db.select().from(consoleSessions).where(eq(consoleSessions.id, quiet.id));
    expect(closed!.endedAt).toBeInstanceOf(Date);
    expect(closed!.endReason).toBe("replica-gone");
    const audit = await db.select().from(auditEvents).where(eq(auditEvents.targetId, quiet.workloadId));
    expect(audit.map((a) => a.action).sort()).toEqual(["terminal.end", "terminal.session"]);
    expect(audit.find((a) => a.action === "terminal.session")).toMatchObject({
      outcome: "error",
      detail: { sessionId: quiet.id, endReason: "replica-gone", bytesIn: 3, bytesOut: 40, bytesCounted: false, recorded: false },
    });
    expect((await listOpenSessions(db, await principal(db, w.adminX))).map((s) => s.id)).not.toContain(quiet.id);

    // The replica comes back and finishes the session after all: the closed row and its audit stay as they are.
    await finishSessionRecord(
      db,
      {
        id: quiet.id,
        user: w.dev,
        target: { ...TARGET, workloadId: quiet.workloadId, label: quiet.targetLabel, orgId: quiet.orgId, teamId: quiet.teamId },
        mode: "exec",
        hostId: quietHost,
        recorded: false,
        startedAt: quiet.startedAt,
      },
      { reason: "client-closed", bytesIn: 9, bytesOut: 90, recording: null, message: "closed" },
    );
    const [after] = await db.select().from(consoleSessions).where(eq(consoleSessions.id, quiet.id));
    expect(after).toMatchObject({ endReason: "replica-gone", bytesIn: 3, bytesOut: 40 });
    expect(await db.select().from(auditEvents).where(eq(auditEvents.targetId, quiet.workloadId))).toHaveLength(2);
  });

  it("the holding replica's watcher ends the sessions asked to end (rows already closed included), and only its own", async () => {
    const db = getDb();
    const w = await world(db);
    const asked = await sessionRow(db, w.dev, w.orgX, "replica-b");
    const notAsked = await sessionRow(db, w.dev, w.orgX, "replica-b");
    const otherHost = await sessionRow(db, w.dev, w.orgX, "replica-c");
    // Closed by an admin while this replica looked gone, its terminal still running here.
    const closedMeanwhile = await sessionRow(db, w.dev, w.orgX, "replica-b", { endRequestedAt: new Date(), endedAt: new Date(), endReason: "replica-gone" });
    const closedEnds = holdHere(closedMeanwhile);
    const askedEnds = holdHere(asked);
    const notAskedEnds = holdHere(notAsked);
    const otherHostEnds = holdHere(otherHost);
    // Requests stored as another replica stores them (no handle of its own for these sessions).
    await db.update(consoleSessions).set({ endRequestedAt: new Date() }).where(eq(consoleSessions.id, asked.id));
    await db.update(consoleSessions).set({ endRequestedAt: new Date() }).where(eq(consoleSessions.id, otherHost.id));

    const before = Date.now();
    let rounds = 0;
    const stop = watchReplica(db, "replica-b", { intervalMs: 20, onRound: () => rounds++ });
    cleanups.push(stop);
    // It says at once that its replica is alive.
    await expect
      .poll(async () => (await db.select().from(panelReplicas).where(eq(panelReplicas.hostId, "replica-b")))[0]?.lastSeenAt.getTime() ?? 0, { timeout: 5000 })
      .toBeGreaterThanOrEqual(before);
    await expect.poll(() => askedEnds, { timeout: 5000 }).toEqual(["ended-by-admin"]);
    await expect.poll(() => closedEnds, { timeout: 5000 }).toEqual(["ended-by-admin"]);
    // A few more rounds: the others stay untouched.
    const roundsSoFar = rounds;
    await expect.poll(() => rounds, { timeout: 5000 }).toBeGreaterThanOrEqual(roundsSoFar + 3);
    expect(notAskedEnds).toEqual([]);
    expect(otherHostEnds).toEqual([]);
  });
});
