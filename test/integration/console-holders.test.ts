// Who holds a VM console, across replicas, on both engines: the newest open session row of that
// console on a replica that is alive (or held in this process) is the holder; rows of a replica gone
// quiet, ended rows, other consoles of the VM and other VMs do not count. The viewer who lost the
// console finds who took it (a newer open row of the same console); a take-over ends a holder held
// in this process at once, naming who took it.
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { registerLiveSession, type LiveSessionHandle } from "@/lib/console/session/live-sessions";
import { holderOf, holderView, takenOverBy, takenOverMessage, takeOverFrom } from "@/lib/console/session/console-holders";
import { recordReplicaAlive, REPLICA_GONE_AFTER_MS } from "@/lib/console/session/session-admin";
import type { Db } from "@/lib/db";
import { consoleSessions } from "@/lib/db/schema";
import { ENGINES, useTestDatabase } from "./support/databases";
import { insertUser } from "./support/fixtures";

describe.each(ENGINES)("console holders on %s", (engine) => {
  const getDb = useTestDatabase(engine);
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  async function row(db: Db, user: { userId: string; email: string }, workloadId: string, values: Partial<typeof consoleSessions.$inferInsert> & { startedAt: Date }) {
    const [inserted] = await db
      .insert(consoleSessions)
      .values({ userId: user.userId, userLabel: user.email, orgId: randomUUID(), teamId: randomUUID(), workloadId, targetLabel: "web/vm", mode: "serial", hostId: "replica-live", ...values })
      .returning();
    return inserted!;
  }

  it("the newest open row of the console on a live replica holds it; quiet replicas, ended rows, VNC and other VMs do not", async () => {
    const db = getDb();
    const [ann, bob, cat] = [await insertUser(db), await insertUser(db), await insertUser(db)];
    const vm = randomUUID();
    await recordReplicaAlive(db, "replica-live");
    await recordReplicaAlive(db, "replica-quiet", new Date(Date.now() - REPLICA_GONE_AFTER_MS - 60_000));
    const t = (seconds: number) => new Date(Date.now() - 600_000 + seconds * 1000);

    expect(await holderOf(db, vm, "serial")).toBeNull();
    await row(db, ann, vm, { startedAt: t(1) });
    await row(db, cat, vm, { startedAt: t(2), hostId: "replica-quiet" });
    await row(db, cat, vm, { startedAt: t(3), endedAt: t(4) });
    await row(db, cat, vm, { startedAt: t(5), mode: "vnc" });
    await row(db, cat, randomUUID(), { startedAt: t(6) });
    expect(await holderOf(db, vm, "serial")).toMatchObject({ userId: ann.userId, userLabel: ann.email });
    expect(await holderOf(db, vm, "vnc")).toMatchObject({ userId: cat.userId });

    // Bob takes it over: he holds it now, and Ann's session finds who took it.
    const annRow = (await holderOf(db, vm, "serial"))!;
    await row(db, bob, vm, { startedAt: t(10) });
    expect(await holderOf(db, vm, "serial")).toMatchObject({ userId: bob.userId });
    const taken = await takenOverBy(db, { id: annRow.sessionId, workloadId: vm, mode: "serial", startedAt: annRow.startedAt });
    expect(taken).toMatchObject({ userId: bob.userId, userLabel: bob.email });
    expect(takenOverMessage(taken!, false)).toBe(`${bob.email} took over this console.`);
    // Bob's own session was taken by nobody.
    const bobRow = (await holderOf(db, vm, "serial"))!;
    expect(await takenOverBy(db, { id: bobRow.sessionId, workloadId: vm, mode: "serial", startedAt: bobRow.startedAt })).toBeNull();
    expect(holderView(bobRow, bob.userId)).toEqual({ user: bob.email, since: bobRow.startedAt.toISOString(), you: true });
    expect(holderView(bobRow, ann.userId).you).toBe(false);
  });

  it("a session held in this process counts before its replica's first heartbeat, and a take-over ends it naming who", async () => {
    const db = getDb();
    const [ann, bob] = [await insertUser(db), await insertUser(db)];
    const vm = randomUUID();
    const held = await row(db, ann, vm, { startedAt: new Date(), hostId: `never-beat-${randomUUID()}` });
    const ends: { reason: string; detail?: string }[] = [];
    const handle: LiveSessionHandle = {
      view: () => ({ id: held.id, userId: ann.userId, userLabel: ann.email, orgId: held.orgId, teamId: held.teamId, workloadId: vm, target: "web/vm", mode: "serial", startedAt: held.startedAt, bytesIn: 0, bytesOut: 0, recording: false }),
      end: async (reason, detail) => {
        ends.push({ reason, detail });
      },
    };
    cleanups.push(registerLiveSession(held.id, handle));
    const holder = await holderOf(db, vm, "serial");
    expect(holder).toMatchObject({ sessionId: held.id, userId: ann.userId });
    await takeOverFrom(holder!, { userId: bob.userId, userLabel: bob.email });
    expect(ends).toEqual([{ reason: "taken-over", detail: `${bob.email} took over this console.` }]);
    await takeOverFrom(holder!, { userId: ann.userId, userLabel: ann.email });
    expect(ends[1]).toEqual({ reason: "taken-over", detail: "You opened this console in another window, which took it over." });
  });
});
