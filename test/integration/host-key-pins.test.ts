// Forgetting a pod's pinned SSH host key, on both engines: the org's session admins (platform
// admins, org owners and admins) may, and it leaves exactly one audit row naming the forgotten
// fingerprint; a team member (even the team's admin) is forbidden, another org's owner gets
// "not found", and a pod with no pin is refused with a message — none of those change or write
// anything. The server action takes the same path.
import { eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { executeAction, type Caller } from "@/lib/actions/define-action";
import type { Principal } from "@/lib/auth/policy";
import type { Db } from "@/lib/db";
import { forgetPinnedHostKey, mayForgetHostKey } from "@/lib/console/bridges/ssh/host-key-pins";
import { checkHostKey, hostKeyPin, sshFingerprint } from "@/lib/console/bridges/ssh/host-keys";
import { auditEvents, clusters, organizations, orgMembers, teamMembers, teams, workloads } from "@/lib/db/schema";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { forgetSshPodHostKeyAction } from "@/app/(panel)/t/[teamId]/pods/actions";
import { ENGINES, useTestDatabase } from "./support/databases";
import { auditCount, auditRowsFor, insertUser, uniqueName } from "./support/fixtures";

type User = { userId: string; label: string };

describe.each(ENGINES)("forgetting SSH host key pins on %s", (engine) => {
  const getDb = useTestDatabase(engine);
  const world = {} as {
    orgA: string;
    teamA: string;
    pod: string;
    unpinned: string;
    platformAdmin: User;
    ownerA: User;
    adminA: User;
    teamAdminA: User;
    memberA: User;
    ownerB: User;
  };
  const key = Buffer.from("pod-host-key-blob");
  const principal = async (db: Db, user: User): Promise<Principal> => (await loadPrincipal(db, user.userId))!;
  const caller = async (db: Db, user: User): Promise<Caller> => ({ principal: await principal(db, user), actor: user });
  const forgetRows = (db: Db, workloadId: string) => auditRowsFor(db, workloadId).then((rows) => rows.filter((r) => r.action === "pod.host-key.forget"));

  beforeAll(async () => {
    const db = getDb();
    const slug = () => uniqueName("org").replace(/\s/g, "-").toLowerCase();
    const [orgA, orgB] = await db
      .insert(organizations)
      .values([slug(), slug()].map((s) => ({ name: s, slug: s })))
      .returning();
    const [teamA] = await db.insert(teams).values({ orgId: orgA!.id, name: "A", slug: "a" }).returning();
    const clusterSlug = slug();
    const [cluster] = await db.insert(clusters).values({ name: clusterSlug, slug: clusterSlug, kind: "host" }).returning();
    const platformAdmin = await insertUser(db, { isPlatformAdmin: true });
    const [ownerA, adminA, teamAdminA, memberA, ownerB] = await Promise.all([1, 2, 3, 4, 5].map(() => insertUser(db)));
    await db.insert(orgMembers).values([
      { orgId: orgA!.id, userId: ownerA!.userId, role: "owner" },
      { orgId: orgA!.id, userId: adminA!.userId, role: "admin" },
      { orgId: orgA!.id, userId: teamAdminA!.userId, role: "member" },
      { orgId: orgA!.id, userId: memberA!.userId, role: "member" },
      { orgId: orgB!.id, userId: ownerB!.userId, role: "owner" },
    ]);
    await db.insert(teamMembers).values([
      { teamId: teamA!.id, userId: teamAdminA!.userId, role: "admin" },
      { teamId: teamA!.id, userId: memberA!.userId, role: "member" },
    ]);
    const [pod, unpinned] = await db
      .insert(workloads)
      .values(
        ["box", "fresh"].map((name) => ({ teamId: teamA!.id, clusterId: cluster!.id, kind: "ssh-pod" as const, namespace: "mc-x-a", name, createdBy: memberA!.userId })),
      )
      .returning();
    Object.assign(world, { orgA: orgA!.id, teamA: teamA!.id, pod: pod!.id, unpinned: unpinned!.id, platformAdmin, ownerA, adminA, teamAdminA, memberA, ownerB });
  });

  // Every case starts with the pod's key pinned (a case that forgot it leaves no pin behind).
  beforeEach(async () => {
    const check = await checkHostKey(getDb(), world.pod, key);
    expect(check.ok).toBe(true);
  });

  it("an org admin forgets the pin: it is gone, one audit row names the fingerprint, the next connection pins again", async () => {
    const db = getDb();
    const before = await auditCount(db);
    const forgotten = await forgetPinnedHostKey(db, await principal(db, world.adminA), world.adminA, world.pod);
    expect(forgotten.fingerprint).toBe(sshFingerprint(key));
    expect(await hostKeyPin(db, world.pod)).toBeNull();
    expect(await auditCount(db)).toBe(before + 1);
    const [row, ...more] = await forgetRows(db, world.pod);
    expect(more).toHaveLength(0);
    expect(row).toMatchObject({
      actorId: world.adminA.userId,
      actorLabel: world.adminA.label,
      targetType: "ssh_pod",
      targetId: world.pod,
      targetLabel: "box",
      orgId: world.orgA,
      teamId: world.teamA,
      outcome: "success",
      detail: { fingerprint: sshFingerprint(key), keyType: "unknown" },
    });
    // The key the pod presents next is trusted and pinned (here a different one).
    expect(await checkHostKey(db, world.pod, Buffer.from("replacement-key-blob"))).toMatchObject({ ok: true, firstUse: true });
    // Leave no pin behind, so the next case pins `key` afresh.
    await forgetPinnedHostKey(db, await principal(db, world.adminA), world.adminA, world.pod);
  });

  it("org owners and platform admins may too; the page asks the same rule", async () => {
    const db = getDb();
    for (const user of [world.ownerA, world.platformAdmin]) {
      await checkHostKey(db, world.pod, key);
      await forgetPinnedHostKey(db, await principal(db, user), user, world.pod);
      expect(await hostKeyPin(db, world.pod)).toBeNull();
    }
    expect((await forgetRows(db, world.pod)).filter((r) => [world.ownerA.userId, world.platformAdmin.userId].includes(r.actorId!))).toHaveLength(2);
    expect(mayForgetHostKey(await principal(db, world.adminA), world.orgA)).toBe(true);
    expect(mayForgetHostKey(await principal(db, world.teamAdminA), world.orgA)).toBe(false);
    expect(mayForgetHostKey(await principal(db, world.ownerB), world.orgA)).toBe(false);
  });

  it("a member of the pod's team (even its admin) is forbidden; another org's owner gets not found; nothing changes", async () => {
    const db = getDb();
    const before = await auditCount(db);
    for (const user of [world.memberA, world.teamAdminA]) {
      await expect(forgetPinnedHostKey(db, await principal(db, user), user, world.pod)).rejects.toThrow(ForbiddenError);
    }
    await expect(forgetPinnedHostKey(db, await principal(db, world.ownerB), world.ownerB, world.pod)).rejects.toThrow(NotFoundError);
    await expect(forgetPinnedHostKey(db, await principal(db, world.adminA), world.adminA, "not-a-uuid")).rejects.toThrow(NotFoundError);
    expect((await hostKeyPin(db, world.pod))?.fingerprint).toBe(sshFingerprint(key));
    expect(await auditCount(db)).toBe(before);
  });

  it("a pod with no pin is refused with a message, and nothing is written", async () => {
    const db = getDb();
    const before = await auditCount(db);
    const error = await forgetPinnedHostKey(db, await principal(db, world.adminA), world.adminA, world.unpinned).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe("No SSH host key is pinned for a/fresh; the next ssh connection will pin the key the pod presents.");
    expect(await auditCount(db)).toBe(before);
  });

  it("two admins forgetting at once: one succeeds, the other is told there is no pin; one audit row", async () => {
    const db = getDb();
    const rowsBefore = (await forgetRows(db, world.pod)).length;
    const results = await Promise.allSettled([
      forgetPinnedHostKey(db, await principal(db, world.adminA), world.adminA, world.pod),
      forgetPinnedHostKey(db, await principal(db, world.ownerA), world.ownerA, world.pod),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ValidationError);
    expect((await forgetRows(db, world.pod)).length).toBe(rowsBefore + 1);
  });

  it("the server action: the pod's org decides (not the form), refusals write nothing, bad input is a field error", async () => {
    const db = getDb();
    const def = forgetSshPodHostKeyAction.definition;
    const before = await auditCount(db);
    await expect(executeAction(def, await caller(db, world.memberA), { workloadId: world.pod }, db)).rejects.toBeInstanceOf(ForbiddenError);
    // A forged team or org id in the form changes nothing.
    await expect(
      executeAction(def, await caller(db, world.ownerB), { workloadId: world.pod, teamId: world.teamA, orgId: world.orgA }, db),
    ).rejects.toBeInstanceOf(NotFoundError);
    const invalid = await executeAction(def, await caller(db, world.adminA), { workloadId: "nope" }, db).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).fieldErrors).toMatchObject({ workloadId: "No such SSH pod." });
    expect(await auditCount(db)).toBe(before);
    expect((await hostKeyPin(db, world.pod))?.fingerprint).toBe(sshFingerprint(key));

    const { result } = await executeAction(def, await caller(db, world.adminA), { workloadId: world.pod }, db);
    expect(result).toEqual({ fingerprint: sshFingerprint(key) });
    expect(await hostKeyPin(db, world.pod)).toBeNull();
    expect(await db.select().from(auditEvents).where(eq(auditEvents.action, "pod.host-key.forget"))).toHaveLength((await forgetRows(db, world.pod)).length);
    expect(await auditCount(db)).toBe(before + 1);
  });
});
