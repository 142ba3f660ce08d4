// Who the caller is, in the policy's terms, loaded fresh from the database for each request;
// and which organization or team owns a resource — always looked up, never taken from input.

import { eq } from "drizzle-orm";
import type { OrgRole, Principal, Scope, TeamRole } from "@/lib/auth/policy";
import type { Db } from "@/lib/db/client";
import { isUuid } from "@/lib/db/ids";
import { organizations, orgMembers, teamMembers, teams, users } from "@/lib/db/schema";
import { NotFoundError } from "@/lib/errors";

/**
 * The principal for a session of `userId` issued at `issuedAt`, or null when the session
 * must be refused: the user is gone or disabled, or the session was issued before the
 * user's `sessions_valid_after` (it predates a disable, so it stays dead after re-enabling).
 */
export async function loadPrincipal(db: Db, userId: string, issuedAt?: Date): Promise<Principal | null> {
  if (!isUuid(userId)) return null;
  const [user] = await db
    .select({ isPlatformAdmin: users.isPlatformAdmin, disabledAt: users.disabledAt, sessionsValidAfter: users.sessionsValidAfter })
    .from(users)
    .where(eq(users.id, userId));
  if (!user || user.disabledAt) return null;
  if (issuedAt && user.sessionsValidAfter && issuedAt.getTime() < user.sessionsValidAfter.getTime()) return null;
  const [orgRows, teamRows] = await Promise.all([
    db.select({ orgId: orgMembers.orgId, role: orgMembers.role }).from(orgMembers).where(eq(orgMembers.userId, userId)),
    db.select({ teamId: teamMembers.teamId, role: teamMembers.role }).from(teamMembers).where(eq(teamMembers.userId, userId)),
  ]);
  const orgRoles: Record<string, OrgRole> = {};
  for (const row of orgRows) orgRoles[row.orgId] = row.role;
  const teamRoles: Record<string, TeamRole> = {};
  for (const row of teamRows) teamRoles[row.teamId] = row.role;
  return { userId, isPlatformAdmin: user.isPlatformAdmin, orgRoles, teamRoles };
}

/** The scope of an organization that exists; NotFound otherwise. */
export async function resolveOrgScope(db: Db, orgId: string): Promise<Scope & { kind: "org" }> {
  if (!isUuid(orgId)) throw new NotFoundError("No such organization.");
  const [org] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, orgId));
  if (!org) throw new NotFoundError("No such organization.");
  return { kind: "org", orgId: org.id };
}

/** The scope of a team that exists, with the organization that owns it (from the database); NotFound otherwise. */
export async function resolveTeamScope(db: Db, teamId: string): Promise<Scope & { kind: "team" }> {
  if (!isUuid(teamId)) throw new NotFoundError("No such team.");
  const [team] = await db.select({ id: teams.id, orgId: teams.orgId }).from(teams).where(eq(teams.id, teamId));
  if (!team) throw new NotFoundError("No such team.");
  return { kind: "team", orgId: team.orgId, teamId: team.id };
}
