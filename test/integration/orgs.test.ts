import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { orgMembers, teamMembers } from "@/lib/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import {
  addOrgMember,
  changeOrgMemberRole,
  createOrg,
  deleteOrg,
  getOrg,
  listOrgMembers,
  listOrgs,
  removeOrgMember,
  renameOrg,
} from "@/lib/orgs/service";
import { addTeamMember, createTeam, deleteTeam } from "@/lib/teams/service";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { ENGINES, useTestDatabase } from "./support/databases";
import { auditCount, auditRowsFor, insertUser, uniqueEmail, uniqueName } from "./support/fixtures";

const MISSING_ID = "00000000-0000-4000-8000-000000000000";

describe.each(ENGINES)("organizations on %s", (engine) => {
  const db = useTestDatabase(engine);

  it("creates an organization with a slug and an owner, audited", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const owner = await insertUser(db());
    const name = uniqueName("Acme Corp");
    const org = await createOrg(db(), admin, { name: `  ${name}  `, ownerUserId: owner.userId });
    expect(org).toMatchObject({ name, slug: expect.stringMatching(/^acme-corp-[0-9a-f]{6}$/) });
    expect(await getOrg(db(), org.id)).toMatchObject({ id: org.id, name });
    expect(await listOrgMembers(db(), org.id)).toMatchObject([{ userId: owner.userId, role: "owner" }]);
    const audit = await auditRowsFor(db(), org.id);
    expect(audit).toMatchObject([{ action: "org.create", actorId: admin.userId, orgId: org.id, outcome: "success" }]);
  });

  it("refuses bad and duplicate names, changing nothing", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const name = uniqueName("Dup");
    await createOrg(db(), admin, { name });
    const before = await auditCount(db());

    const duplicate = await createOrg(db(), admin, { name: name.toUpperCase() }).catch((e) => e);
    expect(duplicate).toBeInstanceOf(ConflictError);
    expect((duplicate as ConflictError).fieldErrors?.name).toMatch(/already exists/);

    const bad = await createOrg(db(), admin, { name: "bad_name!" }).catch((e) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).fieldErrors?.name).toMatch(/not allowed/);

    const noOwner = await createOrg(db(), admin, { name: uniqueName("Orphan"), ownerUserId: MISSING_ID }).catch((e) => e);
    expect(noOwner).toBeInstanceOf(ValidationError);
    expect((noOwner as ValidationError).fieldErrors).toHaveProperty("ownerUserId");

    expect(await auditCount(db())).toBe(before);
  });

  it("renames, keeping the slug; a taken name is refused", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const org = await createOrg(db(), admin, { name: uniqueName("Old") });
    const other = await createOrg(db(), admin, { name: uniqueName("Other") });
    const newName = uniqueName("New");
    const renamed = await renameOrg(db(), admin, { orgId: org.id, name: newName });
    expect(renamed).toMatchObject({ id: org.id, name: newName, slug: org.slug });
    expect((await auditRowsFor(db(), org.id)).map((a) => [a.action, a.detail])).toEqual([
      ["org.create", { slug: org.slug }],
      ["org.rename", { from: org.name, to: newName }],
    ]);
    await expect(renameOrg(db(), admin, { orgId: org.id, name: other.name })).rejects.toThrow(ConflictError);
    await expect(renameOrg(db(), admin, { orgId: MISSING_ID, name: uniqueName() })).rejects.toThrow(NotFoundError);
    expect((await getOrg(db(), org.id))!.name).toBe(newName);
  });

  it("refuses deletion while teams remain, naming them; deletes once they are gone", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const org = await createOrg(db(), admin, { name: uniqueName("Doomed") });
    const team = await createTeam(db(), admin, { orgId: org.id, name: "Alpha Team" });
    const error = await deleteOrg(db(), admin, { orgId: org.id }).catch((e) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain("Alpha Team");
    expect(await getOrg(db(), org.id)).not.toBeNull();

    await deleteTeam(db(), admin, { orgId: org.id, teamId: team.id });
    await deleteOrg(db(), admin, { orgId: org.id });
    expect(await getOrg(db(), org.id)).toBeNull();
    expect((await auditRowsFor(db(), org.id)).map((a) => a.action)).toEqual(["org.create", "org.delete"]);
    await expect(deleteOrg(db(), admin, { orgId: org.id })).rejects.toThrow(NotFoundError);
  });

  it("lists organizations per principal: members see theirs, platform admins all", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const alice = await insertUser(db());
    const mine = await createOrg(db(), admin, { name: uniqueName("Mine"), ownerUserId: alice.userId });
    const theirs = await createOrg(db(), admin, { name: uniqueName("Theirs") });
    const alicePrincipal = (await loadPrincipal(db(), alice.userId))!;
    const adminPrincipal = (await loadPrincipal(db(), admin.userId))!;
    expect((await listOrgs(db(), alicePrincipal)).map((o) => [o.id, o.role])).toEqual([[mine.id, "owner"]]);
    const all = (await listOrgs(db(), adminPrincipal)).map((o) => o.id);
    expect(all).toEqual(expect.arrayContaining([mine.id, theirs.id]));
  });

  it("adds members by email; unknown emails and existing members are refused", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const bob = await insertUser(db());
    const org = await createOrg(db(), admin, { name: uniqueName("Club") });
    const member = await addOrgMember(db(), admin, { orgId: org.id, email: bob.email.toUpperCase(), role: "admin" });
    expect(member).toMatchObject({ userId: bob.userId, email: bob.email, role: "admin" });
    expect((await auditRowsFor(db(), bob.userId)).map((a) => [a.action, a.orgId])).toEqual([["org.member.add", org.id]]);

    const before = await auditCount(db());
    const unknown = uniqueEmail("ghost");
    const notFound = await addOrgMember(db(), admin, { orgId: org.id, email: unknown, role: "member" }).catch((e) => e);
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect((notFound as Error).message).toContain(unknown);
    const again = await addOrgMember(db(), admin, { orgId: org.id, email: bob.email, role: "member" }).catch((e) => e);
    expect(again).toBeInstanceOf(ConflictError);
    expect((again as ConflictError).fieldErrors?.email).toMatch(/already a member/);
    await expect(addOrgMember(db(), admin, { orgId: org.id, email: bob.email, role: "emperor" as "owner" })).rejects.toThrow(
      ValidationError,
    );
    await expect(addOrgMember(db(), admin, { orgId: MISSING_ID, email: bob.email, role: "member" })).rejects.toThrow(
      NotFoundError,
    );
    expect(await auditCount(db())).toBe(before);
  });

  it("never demotes or removes the last owner", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const first = await insertUser(db());
    const second = await insertUser(db());
    const org = await createOrg(db(), admin, { name: uniqueName("Owned"), ownerUserId: first.userId });
    const before = await auditCount(db());
    await expect(changeOrgMemberRole(db(), admin, { orgId: org.id, userId: first.userId, role: "admin" })).rejects.toThrow(
      ConflictError,
    );
    await expect(removeOrgMember(db(), admin, { orgId: org.id, userId: first.userId })).rejects.toThrow(ConflictError);
    expect(await auditCount(db())).toBe(before);

    await addOrgMember(db(), admin, { orgId: org.id, email: second.email, role: "owner" });
    await changeOrgMemberRole(db(), admin, { orgId: org.id, userId: first.userId, role: "admin" });
    await expect(removeOrgMember(db(), admin, { orgId: org.id, userId: second.userId })).rejects.toThrow(ConflictError);
    expect((await listOrgMembers(db(), org.id)).map((m) => [m.userId, m.role]).sort()).toEqual(
      [
        [first.userId, "admin"],
        [second.userId, "owner"],
      ].sort(),
    );
    expect((await auditRowsFor(db(), first.userId)).at(-1)).toMatchObject({
      action: "org.member.role",
      detail: { from: "owner", to: "admin" },
    });
  });

  it("keeps an owner when two owners are demoted at the same time", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const first = await insertUser(db());
    const second = await insertUser(db());
    const org = await createOrg(db(), admin, { name: uniqueName("Race"), ownerUserId: first.userId });
    await addOrgMember(db(), admin, { orgId: org.id, email: second.email, role: "owner" });
    const results = await Promise.allSettled([
      changeOrgMemberRole(db(), admin, { orgId: org.id, userId: first.userId, role: "member" }),
      changeOrgMemberRole(db(), admin, { orgId: org.id, userId: second.userId, role: "member" }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect((await listOrgMembers(db(), org.id)).filter((m) => m.role === "owner")).toHaveLength(1);
  });

  it("removing a member also removes their team memberships in that organization only", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const carol = await insertUser(db());
    const org = await createOrg(db(), admin, { name: uniqueName("Left") });
    const elsewhere = await createOrg(db(), admin, { name: uniqueName("Right") });
    const team = await createTeam(db(), admin, { orgId: org.id, name: "Red" });
    const otherTeam = await createTeam(db(), admin, { orgId: elsewhere.id, name: "Blue" });
    await addTeamMember(db(), admin, { orgId: org.id, teamId: team.id, email: carol.email, role: "member" });
    await addTeamMember(db(), admin, { orgId: elsewhere.id, teamId: otherTeam.id, email: carol.email, role: "member" });

    await removeOrgMember(db(), admin, { orgId: org.id, userId: carol.userId });
    const memberships = await db().select().from(teamMembers).where(eq(teamMembers.userId, carol.userId));
    expect(memberships.map((m) => m.teamId)).toEqual([otherTeam.id]);
    const orgRows = await db()
      .select()
      .from(orgMembers)
      .where(and(eq(orgMembers.userId, carol.userId), eq(orgMembers.orgId, org.id)));
    expect(orgRows).toHaveLength(0);
    expect((await auditRowsFor(db(), carol.userId)).at(-1)).toMatchObject({
      action: "org.member.remove",
      orgId: org.id,
      detail: { removedFromTeams: [team.id] },
    });
    await expect(removeOrgMember(db(), admin, { orgId: org.id, userId: carol.userId })).rejects.toThrow(NotFoundError);
  });
});
