// The first-run checklist reads its state from the database (however a step was done), and the
// one-click personal organization and team goes through the action layer: platform admins only,
// audited, and a refusal leaves nothing behind.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createPersonalTeamAction } from "@/app/(panel)/actions";
import { startLocalClusterAction } from "@/app/(panel)/admin/local-cluster/actions";
import { executeAction, type Caller } from "@/lib/actions/define-action";
import type { Db } from "@/lib/db";
import { clusterAssignments, clusters, consoleSessions, orgMembers, organizations, teams, workloads } from "@/lib/db/schema";
import { ConflictError, ForbiddenError, UnavailableError } from "@/lib/errors";
import { readFirstRunChecklist } from "@/lib/first-run/checklist";
import { suggestPersonalOrgName } from "@/lib/first-run/personal-team";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { ENGINES, useTestDatabase } from "./support/databases";
import { auditCount, auditRowsFor, insertUser } from "./support/fixtures";

async function callerFor(db: Db, user: { userId: string; label: string }): Promise<Caller> {
  const principal = await loadPrincipal(db, user.userId);
  if (!principal) throw new Error("no principal");
  return { principal, actor: user };
}

const doneSteps = async (db: Db) => (await readFirstRunChecklist(db)).steps.filter((s) => s.done).map((s) => s.id);

describe("suggestPersonalOrgName", () => {
  it("makes a name from the address's local part, or falls back to “personal”", () => {
    expect(suggestPersonalOrgName("ada.lovelace@example.test")).toBe("ada-lovelace");
    expect(suggestPersonalOrgName("Grace_Hopper+x@example.test")).toBe("grace-hopper-x");
    expect(suggestPersonalOrgName("__@example.test")).toBe("personal");
  });
});

describe.each(ENGINES)("first run on %s", (engine) => {
  const getDb = useTestDatabase(engine);

  it("ticks each step off from what the database holds, and is complete once a terminal was opened on an SSH pod", async () => {
    const db = getDb();
    const admin = await insertUser(db, { isPlatformAdmin: true, email: "first@example.test" });
    expect(await doneSteps(db)).toEqual([]);
    expect((await readFirstRunChecklist(db)).steps.find((s) => s.id === "assign")?.href).toBeNull();

    const caller = await callerFor(db, admin);
    const { result } = await executeAction(createPersonalTeamAction.definition, caller, { orgName: suggestPersonalOrgName(admin.email) }, db);
    expect(await doneSteps(db)).toEqual(["team"]);

    const [cluster] = await db.insert(clusters).values({ name: "local", slug: "local", kind: "host", builtIn: true }).returning();
    let checklist = await readFirstRunChecklist(db);
    expect(checklist.cluster).toEqual({ id: cluster!.id, name: "local", builtIn: true });
    expect(checklist.steps.find((s) => s.id === "assign")?.href).toBe(`/admin/clusters/${cluster!.id}`);

    await db.insert(clusterAssignments).values({ clusterId: cluster!.id, teamId: result.teamId, namespace: "mc-first-personal" });
    checklist = await readFirstRunChecklist(db);
    expect(checklist.steps.find((s) => s.id === "pod")?.href).toBe(`/t/${result.teamId}/pods/new`);

    const [pod] = await db
      .insert(workloads)
      .values({ teamId: result.teamId, clusterId: cluster!.id, kind: "ssh-pod", namespace: "mc-first-personal", name: "box-abcde", createdBy: admin.userId })
      .returning();
    checklist = await readFirstRunChecklist(db);
    expect(checklist.steps.filter((s) => s.done).map((s) => s.id)).toEqual(["team", "cluster", "assign", "pod"]);
    expect(checklist.steps.find((s) => s.id === "terminal")?.href).toBe(`/t/${result.teamId}/pods/${pod!.id}/terminal`);
    expect(checklist.complete).toBe(false);

    await db.insert(consoleSessions).values({
      userId: admin.userId,
      userLabel: admin.email,
      orgId: result.orgId,
      teamId: result.teamId,
      workloadId: pod!.id,
      targetLabel: "personal/box",
      mode: "exec",
      hostId: randomUUID(),
    });
    expect((await readFirstRunChecklist(db)).complete).toBe(true);
  });

  it("makes a personal organization owned by the caller with the team “personal”, audited; refuses others and taken names, leaving nothing", async () => {
    const db = getDb();
    const admin = await insertUser(db, { isPlatformAdmin: true });
    const orgOwner = await insertUser(db);
    const name = `me-${randomUUID().slice(0, 6)}`;
    const { result } = await executeAction(createPersonalTeamAction.definition, await callerFor(db, admin), { orgName: name }, db);
    const [org] = await db.select().from(organizations).where(eq(organizations.id, result.orgId));
    expect(org?.name).toBe(name);
    expect(await db.select({ role: orgMembers.role }).from(orgMembers).where(eq(orgMembers.orgId, result.orgId))).toEqual([{ role: "owner" }]);
    expect(await db.select({ name: teams.name }).from(teams).where(eq(teams.orgId, result.orgId))).toEqual([{ name: "personal" }]);
    expect((await auditRowsFor(db, result.orgId)).map((r) => r.action)).toContain("org.create");
    expect((await auditRowsFor(db, result.teamId)).map((r) => r.action)).toContain("team.create");

    // The same name again: refused, no second organization.
    const orgsBefore = (await db.select({ id: organizations.id }).from(organizations)).length;
    await expect(executeAction(createPersonalTeamAction.definition, await callerFor(db, admin), { orgName: name }, db)).rejects.toBeInstanceOf(ConflictError);
    expect((await db.select({ id: organizations.id }).from(organizations)).length).toBe(orgsBefore);

    // Not a platform admin: refused (and the denial audited), nothing made.
    const audits = await auditCount(db);
    await expect(executeAction(createPersonalTeamAction.definition, await callerFor(db, orgOwner), { orgName: "mine" }, db)).rejects.toBeInstanceOf(ForbiddenError);
    expect((await db.select({ id: organizations.id }).from(organizations)).length).toBe(orgsBefore);
    expect(await auditCount(db)).toBe(audits + 1);
  });

  it("lets only platform admins start the built-in cluster, and says so where no panel process runs it", async () => {
    const db = getDb();
    const admin = await insertUser(db, { isPlatformAdmin: true });
    const orgOwner = await insertUser(db);
    const clustersBefore = await db.select({ id: clusters.id }).from(clusters);
    await expect(executeAction(startLocalClusterAction.definition, await callerFor(db, orgOwner), { name: "local" }, db)).rejects.toBeInstanceOf(ForbiddenError);
    // This test process is not server.ts: there is no runner to start it.
    await expect(executeAction(startLocalClusterAction.definition, await callerFor(db, admin), { name: "local" }, db)).rejects.toBeInstanceOf(UnavailableError);
    expect(await db.select({ id: clusters.id }).from(clusters)).toEqual(clustersBefore);
  });
});
