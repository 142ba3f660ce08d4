// What of the audit log a viewer may read: everything for a platform admin; otherwise the
// organizations where they hold `org:audit:read` and the teams where they hold `team:audit:read`.
// The filter choices (teams, actors) are drawn from the same sets, so a choice never reveals
// a team or a person the viewer could not see in the log anyway.
import "server-only";
import { listAuditActors } from "@/lib/audit/service";
import { can, type Principal } from "@/lib/auth/policy";
import type { Db } from "@/lib/db";
import { listOrgs } from "@/lib/orgs/service";
import { listTeams } from "@/lib/teams/service";

/** A choice in a filter: the value sent and the label shown. */
export interface Choice {
  value: string;
  label: string;
}

/** The part of the audit log a viewer may read, and the filter choices that go with it. */
export interface AuditAccess {
  /** Passed to `listAuditEvents` as `within`; undefined means "everything" (platform admins). */
  within: { orgIds: string[]; teamIds: string[] } | undefined;
  /** Whether there is anything at all this viewer may read. */
  any: boolean;
  teams: Choice[];
  actors: Choice[];
  /** Names to show beside events, by organization and team id. */
  orgNames: Map<string, string>;
  teamNames: Map<string, string>;
}

/** Works out what `principal` may read of the audit log. */
export async function loadAuditAccess(db: Db, principal: Principal): Promise<AuditAccess> {
  const [allOrgs, allTeams] = await Promise.all([listOrgs(db, principal), listTeams(db, principal)]);
  const all = can(principal, "audit:read-all", { kind: "platform" });
  const orgs = all ? allOrgs : allOrgs.filter((o) => can(principal, "org:audit:read", { kind: "org", orgId: o.id }));
  const teams = all
    ? allTeams
    : allTeams.filter((t) => can(principal, "team:audit:read", { kind: "team", orgId: t.orgId, teamId: t.id }));
  const within = all ? undefined : { orgIds: orgs.map((o) => o.id), teamIds: teams.map((t) => t.id) };
  const actors = await listAuditActors(db, within);
  return {
    within,
    any: all || orgs.length + teams.length > 0,
    teams: teams.map((t) => ({ value: t.id, label: `${t.orgName} / ${t.name}` })),
    actors: actors.map((a) => ({ value: a.userId, label: `${a.name} <${a.email}>` })),
    orgNames: new Map(allOrgs.map((o) => [o.id, o.name])),
    teamNames: new Map(allTeams.map((t) => [t.id, `${t.orgName} / ${t.name}`])),
  };
}
