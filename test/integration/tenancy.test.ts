import { describe, expect, it } from "vitest";
import { can } from "@/lib/auth/policy";
import { NotFoundError } from "@/lib/errors";
import { addOrgMember, createOrg } from "@/lib/orgs/service";
import { addTeamMember, createTeam } from "@/lib/teams/service";
import { loadPrincipal, resolveOrgScope, resolveTeamScope } from "@/lib/tenancy/principal";
import { setUserDisabled } from "@/lib/users/service";
import { ENGINES, useTestDatabase } from "./support/databases";
import { insertUser, uniqueName } from "./support/fixtures";

const MISSING_ID = "00000000-0000-4000-8000-000000000000";

describe.each(ENGINES)("principals and scopes on %s", (engine) => {
  const db = useTestDatabase(engine);

  it("loads the roles of a user from the database", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const gus = await insertUser(db());
    const org = await createOrg(db(), admin, { name: uniqueName("Org") });
    const team = await createTeam(db(), admin, { orgId: org.id, name: "Team" });
    await addOrgMember(db(), admin, { orgId: org.id, email: gus.email, role: "admin" });
    await addTeamMember(db(), admin, { orgId: org.id, teamId: team.id, email: gus.email, role: "viewer" });
    expect(await loadPrincipal(db(), gus.userId)).toEqual({
      userId: gus.userId,
      isPlatformAdmin: false,
      orgRoles: { [org.id]: "admin" },
      teamRoles: { [team.id]: "viewer" },
    });
    expect((await loadPrincipal(db(), admin.userId))!.isPlatformAdmin).toBe(true);
  });

  it("refuses missing and disabled users and sessions older than the last disable", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const hal = await insertUser(db());
    expect(await loadPrincipal(db(), MISSING_ID)).toBeNull();
    expect(await loadPrincipal(db(), "not-a-uuid")).toBeNull();
    const oldSession = new Date(Date.now() - 60_000);
    expect(await loadPrincipal(db(), hal.userId, oldSession)).not.toBeNull();
    await setUserDisabled(db(), admin, hal.userId, true);
    expect(await loadPrincipal(db(), hal.userId)).toBeNull();
    await setUserDisabled(db(), admin, hal.userId, false);
    expect(await loadPrincipal(db(), hal.userId, oldSession)).toBeNull();
    expect(await loadPrincipal(db(), hal.userId, new Date(Date.now() + 1000))).not.toBeNull();
  });

  it("resolves the owner of a team from the database, so another org's role grants nothing", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const ivy = await insertUser(db());
    const ivysOrg = await createOrg(db(), admin, { name: uniqueName("Ivy"), ownerUserId: ivy.userId });
    const otherOrg = await createOrg(db(), admin, { name: uniqueName("Other") });
    const otherTeam = await createTeam(db(), admin, { orgId: otherOrg.id, name: "Secret" });

    expect(await resolveOrgScope(db(), ivysOrg.id)).toEqual({ kind: "org", orgId: ivysOrg.id });
    const scope = await resolveTeamScope(db(), otherTeam.id);
    expect(scope).toEqual({ kind: "team", orgId: otherOrg.id, teamId: otherTeam.id });
    const principal = (await loadPrincipal(db(), ivy.userId))!;
    expect(can(principal, "org:delete", await resolveOrgScope(db(), ivysOrg.id))).toBe(true);
    expect(can(principal, "team:read", scope)).toBe(false);
    expect(can(principal, "team:delete", scope)).toBe(false);

    await expect(resolveOrgScope(db(), MISSING_ID)).rejects.toThrow(NotFoundError);
    await expect(resolveTeamScope(db(), MISSING_ID)).rejects.toThrow(NotFoundError);
    await expect(resolveTeamScope(db(), "../etc")).rejects.toThrow(NotFoundError);
  });
});
