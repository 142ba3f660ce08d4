// Terminal tickets on both engines: issued only to people who may open terminals on the pod's
// team, spent exactly once (also under a race), bound to their user, dead after 30 seconds,
// and worthless once the user loses access. Host key pins: first use wins, a change is refused.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { checkHostKey } from "@/lib/console/bridges/ssh/host-keys";
import { consumeTerminalTicket, issueTerminalTicket, TICKET_TTL_SECONDS, TICKETS_PER_MINUTE } from "@/lib/console/gateway/tickets";
import { clusters, consoleTickets, organizations, orgMembers, teamMembers, teams, workloads } from "@/lib/db/schema";
import { ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from "@/lib/errors";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { ENGINES, useTestDatabase } from "./support/databases";
import { insertUser, uniqueName } from "./support/fixtures";

describe.each(ENGINES)("terminal tickets on %s", (engine) => {
  const getDb = useTestDatabase(engine);
  const world = {} as { member: string; viewer: string; outsider: string; podA: string; vm: string; teamA: string };
  const principal = async (db: Db, userId: string) => (await loadPrincipal(db, userId))!;

  beforeAll(async () => {
    const db = getDb();
    const slug = uniqueName("org").replace(/\s/g, "-").toLowerCase();
    const [org] = await db.insert(organizations).values({ name: slug, slug }).returning();
    const [teamA, teamB] = await db
      .insert(teams)
      .values([
        { orgId: org!.id, name: "A", slug: "a" },
        { orgId: org!.id, name: "B", slug: "b" },
      ])
      .returning();
    const [cluster] = await db.insert(clusters).values({ name: slug, slug, kind: "host" }).returning();
    const member = await insertUser(db);
    const viewer = await insertUser(db);
    const outsider = await insertUser(db);
    await db.insert(orgMembers).values([member, viewer, outsider].map((u) => ({ orgId: org!.id, userId: u.userId, role: "member" as const })));
    await db.insert(teamMembers).values([
      { teamId: teamA!.id, userId: member.userId, role: "member" },
      { teamId: teamA!.id, userId: viewer.userId, role: "viewer" },
      { teamId: teamB!.id, userId: outsider.userId, role: "member" },
    ]);
    const [pod, vm] = await db
      .insert(workloads)
      .values([
        { teamId: teamA!.id, clusterId: cluster!.id, kind: "ssh-pod", namespace: "mc-x-a", name: "box", createdBy: member.userId },
        { teamId: teamA!.id, clusterId: cluster!.id, kind: "vm", namespace: "mc-x-a", name: "vm", createdBy: member.userId },
      ])
      .returning();
    Object.assign(world, { member: member.userId, viewer: viewer.userId, outsider: outsider.userId, podA: pod!.id, vm: vm!.id, teamA: teamA!.id });
  });

  it("issues to team members only: viewers are forbidden, other teams get not found", async () => {
    const db = getDb();
    const member = await principal(db, world.member);
    // The expiry is the issue time plus the TTL: bracketed by the clock around the call, however long it took.
    const before = Date.now();
    const issued = await issueTerminalTicket(db, member, { workloadId: world.podA, mode: "exec" });
    const after = Date.now();
    expect(issued.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issued.target).toMatchObject({ workloadId: world.podA, label: "a/box", mode: "exec" });
    // The database may store milliseconds rounded: one second of slack on each side.
    expect(issued.expiresAt.getTime()).toBeGreaterThanOrEqual(before + (TICKET_TTL_SECONDS - 1) * 1000);
    expect(issued.expiresAt.getTime()).toBeLessThanOrEqual(after + (TICKET_TTL_SECONDS + 1) * 1000);
    // Only the hash is stored.
    const rows = await db.select().from(consoleTickets).where(eq(consoleTickets.workloadId, world.podA));
    expect(rows.map((r) => r.ticketHash)).not.toContain(issued.ticket);

    await expect(issueTerminalTicket(db, await principal(db, world.viewer), { workloadId: world.podA, mode: "exec" })).rejects.toThrow(ForbiddenError);
    await expect(issueTerminalTicket(db, await principal(db, world.outsider), { workloadId: world.podA, mode: "exec" })).rejects.toThrow(NotFoundError);
    await expect(issueTerminalTicket(db, await principal(db, world.member), { workloadId: "not-a-uuid", mode: "exec" })).rejects.toThrow(NotFoundError);
    // Each kind offers its own modes: a VM has no exec, a pod no serial or VNC console.
    await expect(issueTerminalTicket(db, await principal(db, world.member), { workloadId: world.vm, mode: "exec" })).rejects.toThrow(ValidationError);
    await expect(issueTerminalTicket(db, await principal(db, world.member), { workloadId: world.podA, mode: "vnc" })).rejects.toThrow(ValidationError);
    // A VM console page asks for VMs only: a pod's id is not found there.
    await expect(issueTerminalTicket(db, await principal(db, world.member), { workloadId: world.podA, mode: "ssh" }, undefined, "vm")).rejects.toThrow(NotFoundError);
    expect((await issueTerminalTicket(db, await principal(db, world.member), { workloadId: world.vm, mode: "serial" }, undefined, "vm")).target).toMatchObject({ workloadId: world.vm, mode: "serial" });
  });

  it("issues a person at most TICKETS_PER_MINUTE a minute, then refuses in a sentence", async () => {
    const db = getDb();
    const busy = await insertUser(db);
    await db.insert(teamMembers).values({ teamId: world.teamA, userId: busy.userId, role: "member" });
    const who = await principal(db, busy.userId);
    await db.insert(consoleTickets).values(
      Array.from({ length: TICKETS_PER_MINUTE }, (_, i) => ({ ticketHash: `busy-${busy.userId}-${i}`, userId: busy.userId, workloadId: world.podA, mode: "exec" as const, expiresAt: new Date(Date.now() + 30_000) })),
    );
    const refused = issueTerminalTicket(db, who, { workloadId: world.podA, mode: "exec" });
    await expect(refused).rejects.toBeInstanceOf(RateLimitedError);
    await expect(refused).rejects.toThrow(`You opened ${TICKETS_PER_MINUTE} terminals in the last minute; wait a moment before opening another.`);
    // A minute later they no longer count.
    await db.update(consoleTickets).set({ createdAt: new Date(Date.now() - 61_000) }).where(eq(consoleTickets.userId, busy.userId));
    expect((await issueTerminalTicket(db, who, { workloadId: world.podA, mode: "exec" })).ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("is spent once, even when two replicas race for it", async () => {
    const db = getDb();
    const member = await principal(db, world.member);
    const { ticket } = await issueTerminalTicket(db, member, { workloadId: world.podA, mode: "ssh" });
    const [a, b] = await Promise.all([consumeTerminalTicket(db, member, ticket), consumeTerminalTicket(db, member, ticket)]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const won = a.ok ? a : b;
    expect(won).toMatchObject({ ok: true, mode: "ssh", target: { workloadId: world.podA, teamId: world.teamA } });
    expect(await consumeTerminalTicket(db, member, ticket)).toEqual({ ok: false, reason: "used" });
  });

  it("is bound to its user, expires, and dies with the user's access", async () => {
    const db = getDb();
    const member = await principal(db, world.member);
    const { ticket } = await issueTerminalTicket(db, member, { workloadId: world.podA, mode: "exec" });
    // Another user cannot use it, and trying does not spend it.
    expect(await consumeTerminalTicket(db, await principal(db, world.outsider), ticket)).toEqual({ ok: false, reason: "other user" });
    expect((await consumeTerminalTicket(db, member, ticket)).ok).toBe(true);

    const late = await issueTerminalTicket(db, member, { workloadId: world.podA, mode: "exec" });
    // Its 30 seconds pass (every ticket issued so far is moved into the past).
    await db.update(consoleTickets).set({ expiresAt: new Date(Date.now() - 1000) });
    expect(await consumeTerminalTicket(db, member, late.ticket)).toEqual({ ok: false, reason: "expired" });

    const revoked = await issueTerminalTicket(db, member, { workloadId: world.podA, mode: "exec" });
    await db.delete(teamMembers).where(eq(teamMembers.userId, world.member));
    expect(await consumeTerminalTicket(db, await principal(db, world.member), revoked.ticket)).toEqual({ ok: false, reason: "no longer authorized" });
    expect(await consumeTerminalTicket(db, member, "x".repeat(43))).toEqual({ ok: false, reason: "unknown" });
    expect(await consumeTerminalTicket(db, member, "short")).toEqual({ ok: false, reason: "malformed" });
  });

  it("pins a host key on first use and refuses a different one", async () => {
    const db = getDb();
    const first = Buffer.from("first-key-blob");
    const pinned = await checkHostKey(db, world.podA, first);
    expect(pinned).toMatchObject({ ok: true, firstUse: true });
    expect(await checkHostKey(db, world.podA, first)).toMatchObject({ ok: true, firstUse: false });
    const changed = await checkHostKey(db, world.podA, Buffer.from("another-key-blob"));
    expect(changed).toMatchObject({ ok: false, expected: pinned.ok ? pinned.fingerprint : "" });
  });
});
