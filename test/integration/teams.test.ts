import { describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client";
import { clusterAssignments, clusters, workloads } from "@/lib/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { changeOrgMemberRole, createOrg, listOrgMembers } from "@/lib/orgs/service";
import {
  addTeamMember,
  changeTeamMemberRole,
  createTeam,
  deleteTeam,
  getTeam,
  listTeamMembers,
  listTeams,
  removeTeamMember,
  renameTeam,
} from "@/lib/teams/service";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { ENGINES, useTestDatabase } from "./support/databases";
import { auditCount, auditRowsFor, insertUser, uniqueEmail, uniqueName } from "./support/fixtures";

async function insertCluster(db: Db, name: string) {
  const [cluster] = await db.insert(clusters).values({ name, slug: name.toLowerCase(), kind: "host", inCluster: true }).returning();
  return cluster!;
}

describe.each(ENGINES)("teams on %s", (engine) => {
  const db = useTestDatabase(engine);

  async function arrange() {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const org = await createOrg(db(), admin, { name: uniqueName("Org") });
    return { admin, org };
  }

  it("creates a team in an organization, audited with org and team", async () => {
    const { admin, org } = await arrange();
    const team = await createTeam(db(), admin, { orgId: org.id, name: "Platform Team" });
    expect(team).toMatchObject({ orgId: org.id, name: "Platform Team", slug: "platform-team" });
    expect(await getTeam(db(), team.id)).toMatchObject({ id: team.id, orgName: org.name, orgSlug: org.slug });
    expect(await auditRowsFor(db(), team.id)).toMatchObject([
      { action: "team.create", actorId: admin.userId, orgId: org.id, teamId: team.id, targetLabel: "Platform Team" },
    ]);
  });

  it("keeps slugs unique within an organization only; bad names are refused; nothing changes", async () => {
    const { admin, org } = await arrange();
    const { org: otherOrg } = await arrange();
    await createTeam(db(), admin, { orgId: org.id, name: "Web" });
    await createTeam(db(), admin, { orgId: otherOrg.id, name: "Web" });
    const before = await auditCount(db());
    const duplicate = await createTeam(db(), admin, { orgId: org.id, name: "WEB" }).catch((e) => e);
    expect(duplicate).toBeInstanceOf(ConflictError);
    expect((duplicate as ConflictError).fieldErrors?.name).toMatch(/already exists/);
    const bad = await createTeam(db(), admin, { orgId: org.id, name: "-web-" }).catch((e) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).fieldErrors?.name).toMatch(/Start and end/);
    const long = await createTeam(db(), admin, { orgId: org.id, name: "x".repeat(64) }).catch((e) => e);
    expect((long as ValidationError).fieldErrors?.name).toMatch(/63/);
    await expect(createTeam(db(), admin, { orgId: "00000000-0000-4000-8000-000000000000", name: "Lost" })).rejects.toThrow(
      NotFoundError,
    );
    expect(await auditCount(db())).toBe(before);
  });

  it("renames a team, scoped by its organization", async () => {
    const { admin, org } = await arrange();
    const { org: otherOrg } = await arrange();
    const team = await createTeam(db(), admin, { orgId: org.id, name: "Before" });
    await createTeam(db(), admin, { orgId: org.id, name: "Taken" });
    const renamed = await renameTeam(db(), admin, { orgId: org.id, teamId: team.id, name: "After" });
    expect(renamed).toMatchObject({ name: "After", slug: "before" });
    await expect(renameTeam(db(), admin, { orgId: org.id, teamId: team.id, name: "taken" })).rejects.toThrow(ConflictError);
    // The team exists, but not in that organization: cross-org writes read as not found.
    await expect(renameTeam(db(), admin, { orgId: otherOrg.id, teamId: team.id, name: "Hijacked" })).rejects.toThrow(
      NotFoundError,
    );
    expect((await getTeam(db(), team.id))!.name).toBe("After");
    expect((await auditRowsFor(db(), team.id)).map((a) => a.action)).toEqual(["team.create", "team.rename"]);
  });

  it("refuses deletion while workloads or cluster assignments remain, naming them", async () => {
    const { admin, org } = await arrange();
    const team = await createTeam(db(), admin, { orgId: org.id, name: "Busy" });
    const cluster = await insertCluster(db(), `cluster-${team.id.slice(0, 8)}`);
    await db().insert(clusterAssignments).values({ clusterId: cluster.id, teamId: team.id, namespace: "mc-acme-a1", maxPods: 10 });
    await db().insert(workloads).values({
      teamId: team.id,
      clusterId: cluster.id,
      kind: "ssh-pod",
      namespace: "mc-busy",
      name: "devbox-abcde",
      createdBy: admin.userId,
    });
    const before = await auditCount(db());
    const error = await deleteTeam(db(), admin, { orgId: org.id, teamId: team.id }).catch((e) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain("ssh-pod devbox-abcde");
    expect((error as Error).message).toContain(cluster.name);
    expect(await getTeam(db(), team.id)).not.toBeNull();
    expect(await auditCount(db())).toBe(before);

    await db().delete(workloads);
    const stillAssigned = await deleteTeam(db(), admin, { orgId: org.id, teamId: team.id }).catch((e) => e);
    expect((stillAssigned as Error).message).not.toContain("devbox");
    expect((stillAssigned as Error).message).toContain(cluster.name);
  });

  it("deletes an empty team with its memberships; wrong organization reads as not found", async () => {
    const { admin, org } = await arrange();
    const { org: otherOrg } = await arrange();
    const dan = await insertUser(db());
    const team = await createTeam(db(), admin, { orgId: org.id, name: "Short Lived" });
    await addTeamMember(db(), admin, { orgId: org.id, teamId: team.id, email: dan.email, role: "member" });
    await expect(deleteTeam(db(), admin, { orgId: otherOrg.id, teamId: team.id })).rejects.toThrow(NotFoundError);
    await deleteTeam(db(), admin, { orgId: org.id, teamId: team.id });
    expect(await getTeam(db(), team.id)).toBeNull();
    expect(await listTeamMembers(db(), team.id)).toEqual([]);
    expect((await auditRowsFor(db(), team.id)).map((a) => a.action)).toEqual(["team.create", "team.delete"]);
  });

  it("adds members by email, joining them to the organization as member when needed", async () => {
    const { admin, org } = await arrange();
    const erin = await insertUser(db());
    const team = await createTeam(db(), admin, { orgId: org.id, name: "Joiners" });
    const member = await addTeamMember(db(), admin, { orgId: org.id, teamId: team.id, email: erin.email, role: "viewer" });
    expect(member).toMatchObject({ userId: erin.userId, role: "viewer" });
    expect(await listOrgMembers(db(), org.id)).toMatchObject([{ userId: erin.userId, role: "member" }]);
    expect((await auditRowsFor(db(), erin.userId)).map((a) => [a.action, a.teamId])).toEqual([
      ["org.member.add", null],
      ["team.member.add", team.id],
    ]);

    const before = await auditCount(db());
    await expect(addTeamMember(db(), admin, { orgId: org.id, teamId: team.id, email: erin.email, role: "admin" })).rejects.toThrow(
      ConflictError,
    );
    await expect(
      addTeamMember(db(), admin, { orgId: org.id, teamId: team.id, email: uniqueEmail("nobody"), role: "admin" }),
    ).rejects.toThrow(NotFoundError);
    expect(await auditCount(db())).toBe(before);
  });

  it("changes roles and removes members, who stay in the organization", async () => {
    const { admin, org } = await arrange();
    const { org: otherOrg } = await arrange();
    const finn = await insertUser(db());
    const team = await createTeam(db(), admin, { orgId: org.id, name: "Roles" });
    await addTeamMember(db(), admin, { orgId: org.id, teamId: team.id, email: finn.email, role: "member" });
    await changeTeamMemberRole(db(), admin, { orgId: org.id, teamId: team.id, userId: finn.userId, role: "admin" });
    expect(await listTeamMembers(db(), team.id)).toMatchObject([{ userId: finn.userId, role: "admin" }]);
    await expect(
      changeTeamMemberRole(db(), admin, { orgId: otherOrg.id, teamId: team.id, userId: finn.userId, role: "viewer" }),
    ).rejects.toThrow(NotFoundError);
    await expect(removeTeamMember(db(), admin, { orgId: otherOrg.id, teamId: team.id, userId: finn.userId })).rejects.toThrow(
      NotFoundError,
    );
    await removeTeamMember(db(), admin, { orgId: org.id, teamId: team.id, userId: finn.userId });
    expect(await listTeamMembers(db(), team.id)).toEqual([]);
    expect((await listOrgMembers(db(), org.id)).map((m) => m.userId)).toEqual([finn.userId]);
    expect((await auditRowsFor(db(), finn.userId)).map((a) => a.action)).toEqual([
      "org.member.add",
      "team.member.add",
      "team.member.role",
      "team.member.remove",
    ]);
    await expect(removeTeamMember(db(), admin, { orgId: org.id, teamId: team.id, userId: finn.userId })).rejects.toThrow(
      NotFoundError,
    );
  });

  it("lists teams per principal: own memberships, all of orgs they administer, everything for platform admins", async () => {
    const { admin, org } = await arrange();
    const { org: otherOrg } = await arrange();
    const member = await insertUser(db());
    const orgAdmin = await insertUser(db());
    const mine = await createTeam(db(), admin, { orgId: org.id, name: "Mine" });
    const notMine = await createTeam(db(), admin, { orgId: org.id, name: "Not Mine" });
    const foreign = await createTeam(db(), admin, { orgId: otherOrg.id, name: "Foreign" });
    await addTeamMember(db(), admin, { orgId: org.id, teamId: mine.id, email: member.email, role: "member" });
    await addTeamMember(db(), admin, { orgId: org.id, teamId: mine.id, email: orgAdmin.email, role: "viewer" });
    await changeOrgMemberRole(db(), admin, { orgId: org.id, userId: orgAdmin.userId, role: "admin" });

    const memberTeams = await listTeams(db(), (await loadPrincipal(db(), member.userId))!);
    expect(memberTeams.map((t) => [t.id, t.role])).toEqual([[mine.id, "member"]]);
    const adminTeams = await listTeams(db(), (await loadPrincipal(db(), orgAdmin.userId))!);
    expect(adminTeams.map((t) => [t.id, t.role])).toEqual([
      [mine.id, "viewer"],
      [notMine.id, null],
    ]);
    const platform = await listTeams(db(), (await loadPrincipal(db(), admin.userId))!, { orgId: otherOrg.id });
    expect(platform.map((t) => t.id)).toEqual([foreign.id]);
    const outsider = await insertUser(db());
    expect(await listTeams(db(), (await loadPrincipal(db(), outsider.userId))!)).toEqual([]);
  });
});
