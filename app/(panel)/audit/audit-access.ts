// What of the audit log a viewer may read: everything for a platform admin; otherwise the
// organizations where they hold `org:audit:read` and the teams where they hold `team:audit:read`.
// The filter choices (teams, actors) are drawn from the same sets, so a choice never reveals
// a team or a person the viewer could not see anyway.
import "server-only";
import { can, type Principal } from "@/lib/auth/policy";
import type { Db } from "@/lib/db";
import { listOrgMembers, listOrgs } from "@/lib/orgs/service";
import { listTeamMembers, listTeams } from "@/lib/teams/service";
import { listUsers } from "@/lib/users/service";

/** A choice in a filter: the value sent and the label shown. */
export interface Choice {
  value: string;
  label: string;
}

/** The part of the audit log a viewer may read, and the filter choices that go with it. */
export interface AuditAccess {
  /** Passed to `listAuditEvents` as `within`; undefined means "everything" (platform admins). */
  within: { orgIds: string[]; teamIds: string[] } | undefined;
  teams: Choice[];
  actors: Choice[];
  /** Names to show beside events, by organization and team id. */
  orgNames: Map<string, string>;
  teamNames: Map<string, string>;
}

/** Works out what `principal` may read of the audit log. */
export async function loadAuditAccess(db: Db, principal: Principal): Promise<AuditAccess> {
  const allOrgs = await listOrgs(db, principal);
  const allTeams = await listTeams(db, principal);
  const all = can(principal, "audit:read-all", { kind: "platform" });
  const orgs = all ? allOrgs : allOrgs.filter((o) => can(principal, "org:audit:read", { kind: "org", orgId: o.id }));
  const teams = all
    ? allTeams
    : allTeams.filter((t) => can(principal, "team:audit:read", { kind: "team", orgId: t.orgId, teamId: t.id }));
  return {
    within: all ? undefined : { orgIds: orgs.map((o) => o.id), teamIds: teams.map((t) => t.id) },
    teams: teams.map((t) => ({ value: t.id, label: `${t.orgName} / ${t.name}` })),
    actors: all ? (await listUsers(db)).map((u) => actorChoice(u.id, u)) : await membersOf(db, orgs.map((o) => o.id), teams.map((t) => t.id)),
    orgNames: new Map(allOrgs.map((o) => [o.id, o.name])),
    teamNames: new Map(allTeams.map((t) => [t.id, `${t.orgName} / ${t.name}`])),
  };
}

function actorChoice(userId: string, person: { name: string; email: string }): Choice {
  return { value: userId, label: `${person.name} <${person.email}>` };
}

// Everyone who belongs to one of these organizations or teams, once each, by email.
async function membersOf(db: Db, orgIds: string[], teamIds: string[]): Promise<Choice[]> {
  const lists = await Promise.all([...orgIds.map((id) => listOrgMembers(db, id)), ...teamIds.map((id) => listTeamMembers(db, id))]);
  const byId = new Map<string, { userId: string; name: string; email: string }>();
  for (const member of lists.flat()) byId.set(member.userId, member);
  return [...byId.values()].sort((a, b) => a.email.localeCompare(b.email)).map((m) => actorChoice(m.userId, m));
}
