// The action layer refuses across teams and organizations: the owner of the target is resolved
// from the database, the permission is checked there, a denial is audited and changes nothing,
// and a target the caller may not even see is "not found" rather than "forbidden".
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { executeAction, type Caller } from "@/lib/actions/define-action";
import { auditEvents, teams } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from "@/lib/errors";
import { addOrgMember, createOrg } from "@/lib/orgs/service";
import { addTeamMember, createTeam, getTeam } from "@/lib/teams/service";
import { loadPrincipal } from "@/lib/tenancy/principal";
import {
  addOrgMemberAction,
  createOrgAction,
  createTeamAction,
  deleteOrgAction,
} from "@/app/(panel)/orgs/actions";
import {
  addTeamMemberAction,
  deleteTeamAction,
  removeTeamMemberAction,
  renameTeamAction,
} from "@/app/(panel)/t/[teamId]/settings/actions";
import { ENGINES, useTestDatabase } from "./support/databases";
import { insertUser, uniqueName } from "./support/fixtures";

async function callerFor(db: Db, user: { userId: string; label: string }): Promise<Caller> {
  const principal = await loadPrincipal(db, user.userId);
  if (!principal) throw new Error("no principal");
  return { principal, actor: user };
}

describe.each(ENGINES)("action authorization on %s", (engine) => {
  const getDb = useTestDatabase(engine);
  const world = {} as {
    orgA: string;
    orgB: string;
    teamA1: string;
    teamA2: string;
    teamB1: string;
    platformAdmin: Caller;
    ownerA: Caller;
    memberA1: Caller;
    viewerA1: Caller;
    ownerB: Caller;
    outsiderEmail: string;
  };

  beforeAll(async () => {
    const db = getDb();
    const admin = await insertUser(db, { isPlatformAdmin: true });
    const ownerA = await insertUser(db);
    const ownerB = await insertUser(db);
    const memberA1 = await insertUser(db);
    const viewerA1 = await insertUser(db);
    const outsider = await insertUser(db);
    const orgA = await createOrg(db, admin, { name: uniqueName("org a"), ownerUserId: ownerA.userId });
    const orgB = await createOrg(db, admin, { name: uniqueName("org b"), ownerUserId: ownerB.userId });
    const teamA1 = await createTeam(db, admin, { orgId: orgA.id, name: "a1" });
    const teamA2 = await createTeam(db, admin, { orgId: orgA.id, name: "a2" });
    const teamB1 = await createTeam(db, admin, { orgId: orgB.id, name: "b1" });
    await addTeamMember(db, admin, { orgId: orgA.id, teamId: teamA1.id, email: memberA1.email, role: "member" });
    await addTeamMember(db, admin, { orgId: orgA.id, teamId: teamA1.id, email: viewerA1.email, role: "viewer" });
    Object.assign(world, {
      orgA: orgA.id,
      orgB: orgB.id,
      teamA1: teamA1.id,
      teamA2: teamA2.id,
      teamB1: teamB1.id,
      platformAdmin: await callerFor(db, admin),
      ownerA: await callerFor(db, ownerA),
      memberA1: await callerFor(db, memberA1),
      viewerA1: await callerFor(db, viewerA1),
      ownerB: await callerFor(db, ownerB),
      outsiderEmail: outsider.email,
    });
  });

  async function deniedRows(db: Db, userId: string) {
    return db.select().from(auditEvents).where(eq(auditEvents.actorId, userId));
  }

  it("a team member may not rename their own team (forbidden), and the denial is audited", async () => {
    const db = getDb();
    await expect(
      executeAction(renameTeamAction.definition, world.memberA1, { teamId: world.teamA1, name: "renamed" }, db),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await getTeam(db, world.teamA1))?.name).toBe("a1");
    const rows = await deniedRows(db, world.memberA1.actor.userId);
    expect(rows.some((r) => r.action === "team.rename" && r.outcome === "denied" && r.teamId === world.teamA1)).toBe(true);
  });

  it("another team of the same org is not found for a team member, and unchanged", async () => {
    const db = getDb();
    await expect(
      executeAction(addTeamMemberAction.definition, world.memberA1, { teamId: world.teamA2, email: world.outsiderEmail, role: "admin" }, db),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      executeAction(deleteTeamAction.definition, world.memberA1, { id: world.teamA2, confirmName: "a2" }, db),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await getTeam(db, world.teamA2)).not.toBeNull();
  });

  it("a team of another org is not found for that org's neighbour owner", async () => {
    const db = getDb();
    for (const [def, input] of [
      [renameTeamAction.definition, { teamId: world.teamB1, name: "mine-now" }],
      [removeTeamMemberAction.definition, { teamId: world.teamB1, userId: world.ownerB.actor.userId }],
      [deleteTeamAction.definition, { id: world.teamB1, confirmName: "b1" }],
    ] as const) {
      await expect(executeAction(def as never, world.ownerA, input, db)).rejects.toBeInstanceOf(NotFoundError);
    }
    expect((await getTeam(db, world.teamB1))?.name).toBe("b1");
    await expect(
      executeAction(addOrgMemberAction.definition, world.ownerA, { orgId: world.orgB, email: world.outsiderEmail, role: "owner" }, db),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      executeAction(createTeamAction.definition, world.ownerA, { orgId: world.orgB, name: "sneaky" }, db),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(executeAction(deleteOrgAction.definition, world.ownerA, { id: world.orgB, confirmName: "x" }, db)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("the owner of the target comes from the database: an org owner acts on their own org's other team", async () => {
    const db = getDb();
    const { result } = await executeAction(renameTeamAction.definition, world.ownerA, { teamId: world.teamA2, name: "a2 renamed" }, db);
    expect(result.name).toBe("a2 renamed");
    // Extra fields the form might carry (a forged orgId) are ignored: the scope is the team's real org.
    await expect(
      executeAction(renameTeamAction.definition, world.ownerB, { teamId: world.teamA2, orgId: world.orgB, name: "hijack" }, db),
    ).rejects.toBeInstanceOf(NotFoundError);
    const [row] = await db.select().from(teams).where(eq(teams.id, world.teamA2));
    expect(row?.name).toBe("a2 renamed");
  });

  it("a viewer may not add members; a platform-only action is forbidden to org owners", async () => {
    const db = getDb();
    await expect(
      executeAction(addTeamMemberAction.definition, world.viewerA1, { teamId: world.teamA1, email: world.outsiderEmail, role: "member" }, db),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(executeAction(createOrgAction.definition, world.ownerA, { name: uniqueName("org") }, db)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    const { result } = await executeAction(createOrgAction.definition, world.platformAdmin, { name: uniqueName("org") }, db);
    expect(result.id).toMatch(/[0-9a-f-]{36}/);
  });

  it("signed out is refused before anything else; bad input is refused without an audit row", async () => {
    const db = getDb();
    await expect(executeAction(renameTeamAction.definition, null, { teamId: world.teamA1, name: "x" }, db)).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
    const before = (await db.select().from(auditEvents)).length;
    const error = await executeAction(renameTeamAction.definition, world.ownerA, { teamId: "not-a-uuid", name: "Bad Name!" }, db).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors).toMatchObject({ teamId: "No such team.", name: expect.stringContaining("not allowed") });
    expect((await db.select().from(auditEvents)).length).toBe(before);
  });

  it("deleting a team needs its exact name typed", async () => {
    const db = getDb();
    const error = await executeAction(deleteTeamAction.definition, world.ownerA, { id: world.teamA1, confirmName: "a 1" }, db).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(await getTeam(db, world.teamA1)).not.toBeNull();
  });
});

// Membership changes made through the services are reflected in the next principal load.
describe.each(ENGINES)("principal on %s", (engine) => {
  const getDb = useTestDatabase(engine);
  it("follows org membership", async () => {
    const db = getDb();
    const admin = await insertUser(db, { isPlatformAdmin: true });
    const user = await insertUser(db);
    const org = await createOrg(db, admin, { name: uniqueName("org") });
    expect((await loadPrincipal(db, user.userId))?.orgRoles[org.id]).toBeUndefined();
    await addOrgMember(db, admin, { orgId: org.id, email: user.email, role: "admin" });
    expect((await loadPrincipal(db, user.userId))?.orgRoles[org.id]).toBe("admin");
  });
});
