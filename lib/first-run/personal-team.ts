// "Create a personal organization and team for me": the first-run shortcut that makes an
// organization owned by the caller with one team in it, through the orgs and teams services
// (their checks, their audit rows). Nothing is left half-made: a team that cannot be created
// takes its new organization with it.
import type { Actor } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { createOrg, deleteOrg } from "@/lib/orgs/service";
import { createTeam } from "@/lib/teams/service";
import { nameProblem } from "@/lib/names";

/** The team's name in a personal organization. */
export const PERSONAL_TEAM_NAME = "personal";

/** A suggested organization name from an email address's local part ("ada.l@…" → "ada-l"), or "personal". */
export function suggestPersonalOrgName(email: string): string {
  const local = email.split("@")[0] ?? "";
  const name = local
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return name && nameProblem(name) === null ? name : "personal";
}

/** Creates organization `orgName` owned by the actor, with the team "personal" in it. */
export async function createPersonalTeam(db: Db, actor: Actor, input: { orgName: string }): Promise<{ orgId: string; teamId: string }> {
  const org = await createOrg(db, actor, { name: input.orgName, ownerUserId: actor.userId });
  try {
    const team = await createTeam(db, actor, { orgId: org.id, name: PERSONAL_TEAM_NAME });
    return { orgId: org.id, teamId: team.id };
  } catch (error) {
    await deleteOrg(db, actor, { orgId: org.id }).catch(() => {});
    throw error;
  }
}
