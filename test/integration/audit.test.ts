import { describe, expect, it } from "vitest";
import { listAuditActors, listAuditEvents, recordAuditEvent } from "@/lib/audit/service";
import { createOrg } from "@/lib/orgs/service";
import { addTeamMember, createTeam, renameTeam } from "@/lib/teams/service";
import { ENGINES, useTestDatabase } from "./support/databases";
import { insertUser, uniqueName } from "./support/fixtures";

describe.each(ENGINES)("audit log on %s", (engine) => {
  const db = useTestDatabase(engine);

  async function arrange() {
    const admin = await insertUser(db(), { isPlatformAdmin: true, name: "Admin Person" });
    const helper = await insertUser(db());
    const org = await createOrg(db(), admin, { name: uniqueName("Audited") });
    const teamA = await createTeam(db(), admin, { orgId: org.id, name: "A" });
    const teamB = await createTeam(db(), admin, { orgId: org.id, name: "B" });
    await addTeamMember(db(), admin, { orgId: org.id, teamId: teamA.id, email: helper.email, role: "admin" });
    await renameTeam(db(), helper, { orgId: org.id, teamId: teamA.id, name: "A Renamed" });
    return { admin, helper, org, teamA, teamB };
  }

  it("lists newest first with the actor's current name and email", async () => {
    const { admin, helper, org } = await arrange();
    const events = await listAuditEvents(db(), { orgId: org.id, limit: 10 });
    expect(events.map((e) => e.action)).toEqual([
      "team.rename",
      "team.member.add",
      "org.member.add",
      "team.create",
      "team.create",
      "org.create",
    ]);
    expect(events[0]).toMatchObject({ actorId: helper.userId, actorEmail: helper.email, actorLabel: helper.label, outcome: "success" });
    expect(events.at(-1)).toMatchObject({ actorId: admin.userId, actorName: "Admin Person" });
  });

  it("filters by team, actor and action (exact or prefix)", async () => {
    const { admin, helper, org, teamA, teamB } = await arrange();
    expect((await listAuditEvents(db(), { teamId: teamB.id, limit: 10 })).map((e) => e.action)).toEqual(["team.create"]);
    expect((await listAuditEvents(db(), { orgId: org.id, actorId: helper.userId, limit: 10 })).map((e) => e.action)).toEqual([
      "team.rename",
    ]);
    const teamEvents = await listAuditEvents(db(), { orgId: org.id, action: "team.*", limit: 10 });
    expect(new Set(teamEvents.map((e) => e.action))).toEqual(new Set(["team.rename", "team.member.add", "team.create"]));
    expect(await listAuditEvents(db(), { orgId: org.id, action: "team.create", limit: 10 })).toHaveLength(2);
    // LIKE wildcards typed by a user are literal.
    expect(await listAuditEvents(db(), { orgId: org.id, action: "%*", limit: 10 })).toEqual([]);
    expect(await listAuditEvents(db(), { orgId: org.id, action: "team_*", limit: 10 })).toEqual([]);
    expect((await listAuditEvents(db(), { teamId: teamA.id, actorId: admin.userId, limit: 10 })).map((e) => e.action)).toEqual([
      "team.member.add",
      "team.create",
    ]);
  });

  it("pages with a (createdAt, id) cursor without gaps or repeats", async () => {
    const { org } = await arrange();
    const all = await listAuditEvents(db(), { orgId: org.id, limit: 100 });
    const seen: string[] = [];
    let before: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const page = await listAuditEvents(db(), { orgId: org.id, limit: 2, before });
      if (page.length === 0) break;
      seen.push(...page.map((e) => e.id));
      const last = page.at(-1)!;
      before = { createdAt: last.createdAt, id: last.id };
    }
    expect(seen).toEqual(all.map((e) => e.id));
  });

  it("restricts to what a viewer may audit with `within`", async () => {
    const { org, teamA, teamB } = await arrange();
    const onlyA = await listAuditEvents(db(), { within: { orgIds: [], teamIds: [teamA.id] }, limit: 50 });
    expect(onlyA.length).toBeGreaterThan(0);
    expect(onlyA.every((e) => e.teamId === teamA.id)).toBe(true);
    const wholeOrg = await listAuditEvents(db(), { within: { orgIds: [org.id], teamIds: [] }, limit: 50 });
    expect(wholeOrg.some((e) => e.teamId === teamB.id)).toBe(true);
    expect(await listAuditEvents(db(), { within: { orgIds: [], teamIds: [] }, limit: 50 })).toEqual([]);
    const actors = await listAuditActors(db(), { orgIds: [], teamIds: [teamB.id] });
    expect(actors).toHaveLength(1);
  });

  it("records denied and error outcomes, and events without an org", async () => {
    const actor = await insertUser(db());
    await recordAuditEvent(db(), {
      actorId: actor.userId,
      actorLabel: actor.label,
      action: "team.delete",
      targetType: "team",
      targetId: "00000000-0000-4000-8000-000000000001",
      outcome: "denied",
      detail: { permission: "team:delete" },
    });
    const [event] = await listAuditEvents(db(), { actorId: actor.userId, limit: 5 });
    expect(event).toMatchObject({ outcome: "denied", orgId: null, teamId: null, detail: { permission: "team:delete" } });
  });
});
