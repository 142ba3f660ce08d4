// Teams within an organization, and their members. Every write is scoped by both the
// organization's and the team's id, so a team id from another organization reads as
// "not found"; membership changes lock the team's row first.

import { and, asc, eq, inArray, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import { ORG_ROLE_TEAM_PERMISSIONS, TEAM_ROLES, type Principal, type TeamRole } from "@/lib/auth/policy";
import type { Db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { isUuid } from "@/lib/db/ids";
import { clusterAssignments, clusters, organizations, orgMembers, teamMembers, teams } from "@/lib/db/schema";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { nameSchema, slugify } from "@/lib/names";
import { listNames } from "@/lib/orgs/service";
import { parseInput } from "@/lib/parse-input";
import {
  auditMember,
  deleteMember,
  insertMemberByEmail,
  listMembers,
  requireMember,
  ORG_MEMBERSHIP,
  TEAM_MEMBERSHIP,
  type Member,
} from "@/lib/tenancy/memberships";
import { emailSchema } from "@/lib/users/schemas";
import { listTeamWorkloadNames } from "@/lib/workloads/rows";

/** A team. */
export interface Team {
  id: string;
  orgId: string;
  name: string;
  /** Fixed at creation (renaming changes only the name). */
  slug: string;
  createdAt: Date;
}

/** A team with its organization's name, as pages show it. */
export interface TeamWithOrg extends Team {
  orgName: string;
  orgSlug: string;
}

/** A team as listed for someone: with their own role in it (null when they see it through an org role). */
export interface TeamListItem extends TeamWithOrg {
  role: TeamRole | null;
}

/** A member of a team. */
export type TeamMember = Member<TeamRole>;

const orgIdSchema = z.uuid({ error: "No such organization." });
const teamIdSchema = z.uuid({ error: "No such team." });
const userIdSchema = z.uuid({ error: "No such user." });
/** A team role from a form. */
export const teamRoleSchema = z.enum(TEAM_ROLES, { error: "Choose admin, member or viewer." });

/** Create a team in an organization. */
export const createTeamInputSchema = z.object({ orgId: orgIdSchema, name: nameSchema });
export type CreateTeamInput = z.input<typeof createTeamInputSchema>;
/** Rename a team. */
export const renameTeamInputSchema = z.object({ orgId: orgIdSchema, teamId: teamIdSchema, name: nameSchema });
export type RenameTeamInput = z.input<typeof renameTeamInputSchema>;
/** Delete a team. */
export const deleteTeamInputSchema = z.object({ orgId: orgIdSchema, teamId: teamIdSchema });
export type DeleteTeamInput = z.input<typeof deleteTeamInputSchema>;
/** Add an existing user to a team by email (they join the organization as member if needed). */
export const addTeamMemberInputSchema = z.object({ orgId: orgIdSchema, teamId: teamIdSchema, email: emailSchema, role: teamRoleSchema });
export type AddTeamMemberInput = z.input<typeof addTeamMemberInputSchema>;
/** Change a team member's role. */
export const changeTeamMemberRoleInputSchema = z.object({
  orgId: orgIdSchema,
  teamId: teamIdSchema,
  userId: userIdSchema,
  role: teamRoleSchema,
});
export type ChangeTeamMemberRoleInput = z.input<typeof changeTeamMemberRoleInputSchema>;
/** Remove a team member (they stay in the organization). */
export const removeTeamMemberInputSchema = z.object({ orgId: orgIdSchema, teamId: teamIdSchema, userId: userIdSchema });
export type RemoveTeamMemberInput = z.input<typeof removeTeamMemberInputSchema>;

const teamColumns = { id: teams.id, orgId: teams.orgId, name: teams.name, slug: teams.slug, createdAt: teams.createdAt };
const teamWithOrgColumns = { ...teamColumns, orgName: organizations.name, orgSlug: organizations.slug };

function nameTaken(): ConflictError {
  return new ConflictError("That name is taken.", { name: "A team with this name already exists in this organization." });
}

function teamNotFound(): NotFoundError {
  return new NotFoundError("No such team.");
}

// Locks the team's row for the rest of the transaction; NotFound unless it belongs to orgId.
async function lockTeam(tx: Db, orgId: string, teamId: string): Promise<Team> {
  const [team] = await tx
    .select(teamColumns)
    .from(teams)
    .where(and(eq(teams.id, teamId), eq(teams.orgId, orgId)))
    .for("update");
  if (!team) throw teamNotFound();
  return team;
}

/** Creates a team in an organization. */
export async function createTeam(db: Db, actor: Actor, input: CreateTeamInput): Promise<Team> {
  const { orgId, name } = parseInput(createTeamInputSchema, input);
  const slug = slugify(name);
  try {
    return await db.transaction(async (tx) => {
      // A shared lock is enough: it keeps the organization from being deleted meanwhile.
      const [org] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, orgId)).for("share");
      if (!org) throw new NotFoundError("No such organization.");
      const [clash] = await tx.select({ id: teams.id }).from(teams).where(and(eq(teams.orgId, orgId), eq(teams.slug, slug)));
      if (clash) throw nameTaken();
      const [team] = await tx.insert(teams).values({ orgId, name, slug }).returning(teamColumns);
      await auditSuccess(tx, actor, {
        action: "team.create",
        targetType: "team",
        targetId: team!.id,
        targetLabel: name,
        orgId,
        teamId: team!.id,
        detail: { slug },
      });
      return team!;
    });
  } catch (error) {
    if (isUniqueViolation(error, "teams_org_slug_key") || isUniqueViolation(error, "teams_org_name_key")) throw nameTaken();
    throw error;
  }
}

/** Renames a team (its slug stays). */
export async function renameTeam(db: Db, actor: Actor, input: RenameTeamInput): Promise<Team> {
  const { orgId, teamId, name } = parseInput(renameTeamInputSchema, input);
  try {
    return await db.transaction(async (tx) => {
      const before = await lockTeam(tx, orgId, teamId);
      const [team] = await tx
        .update(teams)
        .set({ name })
        .where(and(eq(teams.id, teamId), eq(teams.orgId, orgId)))
        .returning(teamColumns);
      await auditSuccess(tx, actor, {
        action: "team.rename",
        targetType: "team",
        targetId: teamId,
        targetLabel: name,
        orgId,
        teamId,
        detail: { from: before.name, to: name },
      });
      return team!;
    });
  } catch (error) {
    if (isUniqueViolation(error, "teams_org_name_key")) throw nameTaken();
    throw error;
  }
}

/**
 * Deletes a team; refused while it still has workloads or cluster assignments (named in the
 * message), since those stand for things running in a cluster.
 */
export async function deleteTeam(db: Db, actor: Actor, input: DeleteTeamInput): Promise<void> {
  const { orgId, teamId } = parseInput(deleteTeamInputSchema, input);
  await db.transaction(async (tx) => {
    const team = await lockTeam(tx, orgId, teamId);
    const remainingWorkloads = await listTeamWorkloadNames(tx, teamId);
    const remainingAssignments = await tx
      .select({ cluster: clusters.name })
      .from(clusterAssignments)
      .innerJoin(clusters, eq(clusters.id, clusterAssignments.clusterId))
      .where(eq(clusterAssignments.teamId, teamId))
      .orderBy(asc(clusters.name));
    const problems: string[] = [];
    if (remainingWorkloads.length > 0) {
      problems.push(`delete its workloads first: ${listNames(remainingWorkloads.map((w) => `${w.kind} ${w.name}`))}`);
    }
    if (remainingAssignments.length > 0) {
      problems.push(`remove its cluster assignments first: ${listNames(remainingAssignments.map((a) => a.cluster))}`);
    }
    if (problems.length > 0) throw new ConflictError(`The team still has resources — ${problems.join("; ")}.`);
    await tx.delete(teams).where(and(eq(teams.id, teamId), eq(teams.orgId, orgId)));
    await auditSuccess(tx, actor, {
      action: "team.delete",
      targetType: "team",
      targetId: teamId,
      targetLabel: team.name,
      orgId,
      teamId,
    });
  });
}

/**
 * The teams `principal` may see: every team for a platform admin; otherwise all teams of
 * the organizations where they are owner or admin, plus their own team memberships.
 * With `orgId`, only that organization's.
 */
export async function listTeams(db: Db, principal: Principal, options: { orgId?: string } = {}): Promise<TeamListItem[]> {
  if (options.orgId !== undefined && !isUuid(options.orgId)) return [];
  const conditions: SQL[] = [];
  if (options.orgId) conditions.push(eq(teams.orgId, options.orgId));
  if (!principal.isPlatformAdmin) {
    const adminOrgIds = Object.entries(principal.orgRoles)
      .filter(([, role]) => ORG_ROLE_TEAM_PERMISSIONS[role].includes("team:read")) // the policy table decides
      .map(([orgId]) => orgId);
    const memberTeamIds = Object.keys(principal.teamRoles);
    const visible: SQL[] = [];
    if (adminOrgIds.length > 0) visible.push(inArray(teams.orgId, adminOrgIds));
    if (memberTeamIds.length > 0) visible.push(inArray(teams.id, memberTeamIds));
    if (visible.length === 0) return [];
    conditions.push(or(...visible)!);
  }
  return db
    .select({ ...teamWithOrgColumns, role: teamMembers.role })
    .from(teams)
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .leftJoin(teamMembers, and(eq(teamMembers.teamId, teams.id), eq(teamMembers.userId, principal.userId)))
    .where(and(...conditions))
    .orderBy(asc(organizations.name), asc(teams.name));
}

/** One team with its organization's name, or null. */
export async function getTeam(db: Db, teamId: string): Promise<TeamWithOrg | null> {
  if (!isUuid(teamId)) return null;
  const [team] = await db
    .select(teamWithOrgColumns)
    .from(teams)
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .where(eq(teams.id, teamId));
  return team ?? null;
}

/** The members of a team, by email. */
export function listTeamMembers(db: Db, teamId: string): Promise<TeamMember[]> {
  return listMembers(db, TEAM_MEMBERSHIP, teamId);
}

/** Adds an existing user (found by email) to a team, and to its organization as `member` if they are not in it yet. */
export async function addTeamMember(db: Db, actor: Actor, input: AddTeamMemberInput): Promise<TeamMember> {
  const { orgId, teamId, email, role } = parseInput(addTeamMemberInputSchema, input);
  return db.transaction(async (tx) => {
    // Organization first (shared), then team: the order removeOrgMember also follows, so a
    // concurrent removal from the organization cannot leave a team membership behind.
    await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, orgId)).for("share");
    const team = await lockTeam(tx, orgId, teamId);
    const member = await insertMemberByEmail(tx, TEAM_MEMBERSHIP, teamId, email, role);
    const joinedOrg = await tx
      .insert(orgMembers)
      .values({ orgId, userId: member.userId, role: "member" })
      .onConflictDoNothing()
      .returning({ userId: orgMembers.userId });
    if (joinedOrg.length > 0) {
      await auditMember(tx, actor, ORG_MEMBERSHIP, "add", member, { orgId }, { role: "member", via: "team.member.add", team: team.name });
    }
    await auditMember(tx, actor, TEAM_MEMBERSHIP, "add", member, { orgId, teamId }, { role, team: team.name });
    return member;
  });
}

/** Changes a team member's role. */
export async function changeTeamMemberRole(db: Db, actor: Actor, input: ChangeTeamMemberRoleInput): Promise<void> {
  const { orgId, teamId, userId, role } = parseInput(changeTeamMemberRoleInputSchema, input);
  await db.transaction(async (tx) => {
    await lockTeam(tx, orgId, teamId);
    const member = await requireMember(tx, TEAM_MEMBERSHIP, teamId, userId);
    if (member.role === role) return;
    await TEAM_MEMBERSHIP.setRole(tx, teamId, userId, role);
    await auditMember(tx, actor, TEAM_MEMBERSHIP, "role", { userId, email: member.email }, { orgId, teamId }, { from: member.role, to: role });
  });
}

/** Removes a member from a team (they stay in the organization). */
export async function removeTeamMember(db: Db, actor: Actor, input: RemoveTeamMemberInput): Promise<void> {
  const { orgId, teamId, userId } = parseInput(removeTeamMemberInputSchema, input);
  await db.transaction(async (tx) => {
    await lockTeam(tx, orgId, teamId);
    const member = await requireMember(tx, TEAM_MEMBERSHIP, teamId, userId);
    await deleteMember(tx, TEAM_MEMBERSHIP, teamId, userId);
    await auditMember(tx, actor, TEAM_MEMBERSHIP, "remove", { userId, email: member.email }, { orgId, teamId }, { role: member.role });
  });
}
