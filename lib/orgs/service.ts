// Organizations and their members. Writes are scoped by the organization's id; membership
// changes lock the organization's row first, so two concurrent demotions cannot leave an
// organization without an owner.

import { and, asc, count, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import { ORG_ROLES, type OrgRole, type Principal } from "@/lib/auth/policy";
import type { Db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { isUuid } from "@/lib/db/ids";
import { organizations, orgMembers, teamMembers, teams, users } from "@/lib/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { nameSchema, slugify } from "@/lib/names";
import { parseInput } from "@/lib/parse-input";
import {
  auditMember,
  deleteMember,
  insertMemberByEmail,
  listMembers,
  ORG_MEMBERSHIP,
  requireMember,
  type Member,
} from "@/lib/tenancy/memberships";
import { emailSchema } from "@/lib/users/schemas";

/** An organization. */
export interface Org {
  id: string;
  name: string;
  /** Fixed at creation (renaming changes only the name). */
  slug: string;
  createdAt: Date;
}

/** An organization as listed for someone: with their role there (null for platform admins who are not members). */
export interface OrgListItem extends Org {
  role: OrgRole | null;
}

/** A member of an organization. */
export type OrgMember = Member<OrgRole>;

const orgIdSchema = z.uuid({ error: "No such organization." });
const userIdSchema = z.uuid({ error: "No such user." });
/** An organization role from a form. */
export const orgRoleSchema = z.enum(ORG_ROLES, { error: "Choose owner, admin or member." });

/** Create an organization, optionally with its first owner. */
export const createOrgInputSchema = z.object({ name: nameSchema, ownerUserId: userIdSchema.optional() });
export type CreateOrgInput = z.input<typeof createOrgInputSchema>;
/** Rename an organization. */
export const renameOrgInputSchema = z.object({ orgId: orgIdSchema, name: nameSchema });
export type RenameOrgInput = z.input<typeof renameOrgInputSchema>;
/** Delete an organization. */
export const deleteOrgInputSchema = z.object({ orgId: orgIdSchema });
export type DeleteOrgInput = z.input<typeof deleteOrgInputSchema>;
/** Add an existing user to an organization by email. */
export const addOrgMemberInputSchema = z.object({ orgId: orgIdSchema, email: emailSchema, role: orgRoleSchema });
export type AddOrgMemberInput = z.input<typeof addOrgMemberInputSchema>;
/** Change a member's role. */
export const changeOrgMemberRoleInputSchema = z.object({ orgId: orgIdSchema, userId: userIdSchema, role: orgRoleSchema });
export type ChangeOrgMemberRoleInput = z.input<typeof changeOrgMemberRoleInputSchema>;
/** Remove a member (and their memberships in the organization's teams). */
export const removeOrgMemberInputSchema = z.object({ orgId: orgIdSchema, userId: userIdSchema });
export type RemoveOrgMemberInput = z.input<typeof removeOrgMemberInputSchema>;

const orgColumns = { id: organizations.id, name: organizations.name, slug: organizations.slug, createdAt: organizations.createdAt };

function nameTaken(): ConflictError {
  return new ConflictError("That name is taken.", { name: "An organization with this name already exists." });
}

function orgNotFound(): NotFoundError {
  return new NotFoundError("No such organization.");
}

// Locks the organization's row for the rest of the transaction; NotFound when it does not exist.
async function lockOrg(tx: Db, orgId: string): Promise<Org> {
  const [org] = await tx.select(orgColumns).from(organizations).where(eq(organizations.id, orgId)).for("update");
  if (!org) throw orgNotFound();
  return org;
}

async function ownerCount(tx: Db, orgId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(orgMembers)
    .where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.role, "owner")));
  return row?.n ?? 0;
}

/** Creates an organization; with `ownerUserId`, that user becomes its owner. */
export async function createOrg(db: Db, actor: Actor, input: CreateOrgInput): Promise<Org> {
  const { name, ownerUserId } = parseInput(createOrgInputSchema, input);
  const slug = slugify(name);
  try {
    return await db.transaction(async (tx) => {
      const [clash] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug));
      if (clash) throw nameTaken();
      let owner: { id: string; email: string } | undefined;
      if (ownerUserId) {
        [owner] = await tx.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, ownerUserId));
        if (!owner) throw new ValidationError("Please correct the highlighted fields.", { ownerUserId: "No such user." });
      }
      const [org] = await tx.insert(organizations).values({ name, slug }).returning(orgColumns);
      if (owner) await tx.insert(orgMembers).values({ orgId: org!.id, userId: owner.id, role: "owner" });
      await auditSuccess(tx, actor, {
        action: "org.create",
        targetType: "org",
        targetId: org!.id,
        targetLabel: name,
        orgId: org!.id,
        detail: { slug, ...(owner ? { ownerUserId: owner.id, ownerEmail: owner.email } : {}) },
      });
      return org!;
    });
  } catch (error) {
    if (isUniqueViolation(error, "organizations_slug_key") || isUniqueViolation(error, "organizations_name_key")) throw nameTaken();
    throw error;
  }
}

/** Renames an organization (its slug stays). */
export async function renameOrg(db: Db, actor: Actor, input: RenameOrgInput): Promise<Org> {
  const { orgId, name } = parseInput(renameOrgInputSchema, input);
  try {
    return await db.transaction(async (tx) => {
      const before = await lockOrg(tx, orgId);
      const [org] = await tx.update(organizations).set({ name }).where(eq(organizations.id, orgId)).returning(orgColumns);
      await auditSuccess(tx, actor, {
        action: "org.rename",
        targetType: "org",
        targetId: orgId,
        targetLabel: name,
        orgId,
        detail: { from: before.name, to: name },
      });
      return org!;
    });
  } catch (error) {
    if (isUniqueViolation(error, "organizations_name_key")) throw nameTaken();
    throw error;
  }
}

/** Deletes an organization; refused while it still has teams (they are named in the message). */
export async function deleteOrg(db: Db, actor: Actor, input: DeleteOrgInput): Promise<void> {
  const { orgId } = parseInput(deleteOrgInputSchema, input);
  await db.transaction(async (tx) => {
    const org = await lockOrg(tx, orgId);
    const remaining = await tx.select({ name: teams.name }).from(teams).where(eq(teams.orgId, orgId)).orderBy(asc(teams.name));
    if (remaining.length > 0) {
      throw new ConflictError(`Delete the organization's teams first: ${listNames(remaining.map((t) => t.name))}.`);
    }
    await tx.delete(organizations).where(eq(organizations.id, orgId));
    await auditSuccess(tx, actor, { action: "org.delete", targetType: "org", targetId: orgId, targetLabel: org.name, orgId });
  });
}

/** "a, b and 3 more" — names in refusal messages, kept short. */
export function listNames(names: string[], max = 10): string {
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** The organizations `principal` belongs to (every organization for a platform admin). */
export async function listOrgs(db: Db, principal: Principal): Promise<OrgListItem[]> {
  if (principal.isPlatformAdmin) {
    const rows = await db
      .select({ ...orgColumns, role: orgMembers.role })
      .from(organizations)
      .leftJoin(orgMembers, and(eq(orgMembers.orgId, organizations.id), eq(orgMembers.userId, principal.userId)))
      .orderBy(asc(organizations.name));
    return rows;
  }
  return db
    .select({ ...orgColumns, role: orgMembers.role })
    .from(organizations)
    .innerJoin(orgMembers, eq(orgMembers.orgId, organizations.id))
    .where(eq(orgMembers.userId, principal.userId))
    .orderBy(asc(organizations.name));
}

/** One organization, or null. */
export async function getOrg(db: Db, orgId: string): Promise<Org | null> {
  if (!isUuid(orgId)) return null;
  const [org] = await db.select(orgColumns).from(organizations).where(eq(organizations.id, orgId));
  return org ?? null;
}

/** The members of an organization, by email. */
export function listOrgMembers(db: Db, orgId: string): Promise<OrgMember[]> {
  return listMembers(db, ORG_MEMBERSHIP, orgId);
}

/** Adds an existing user (found by email) to an organization. */
export async function addOrgMember(db: Db, actor: Actor, input: AddOrgMemberInput): Promise<OrgMember> {
  const { orgId, email, role } = parseInput(addOrgMemberInputSchema, input);
  try {
    return await addOrgMemberOnce(db, actor, orgId, email, role);
  } catch (error) {
    // Joined through a team at the same moment.
    if (isUniqueViolation(error, "org_members_pkey")) {
      throw new ConflictError("Already a member.", { email: `${email} is already a member.` });
    }
    throw error;
  }
}

async function addOrgMemberOnce(db: Db, actor: Actor, orgId: string, email: string, role: OrgRole): Promise<OrgMember> {
  return db.transaction(async (tx) => {
    const org = await lockOrg(tx, orgId);
    const member = await insertMemberByEmail(tx, ORG_MEMBERSHIP, orgId, email, role);
    await auditMember(tx, actor, ORG_MEMBERSHIP, "add", member, { orgId }, { role, org: org.name });
    return member;
  });
}

/** Changes a member's role; refused when it would leave the organization without an owner. */
export async function changeOrgMemberRole(db: Db, actor: Actor, input: ChangeOrgMemberRoleInput): Promise<void> {
  const { orgId, userId, role } = parseInput(changeOrgMemberRoleInputSchema, input);
  await db.transaction(async (tx) => {
    await lockOrg(tx, orgId);
    const member = await requireMember(tx, ORG_MEMBERSHIP, orgId, userId);
    if (member.role === role) return;
    if (member.role === "owner" && (await ownerCount(tx, orgId)) <= 1) {
      throw new ConflictError("An organization needs an owner. Make someone else owner first.", {
        role: "This is the last owner.",
      });
    }
    await ORG_MEMBERSHIP.setRole(tx, orgId, userId, role);
    await auditMember(tx, actor, ORG_MEMBERSHIP, "role", { userId, email: member.email }, { orgId }, { from: member.role, to: role });
  });
}

/**
 * Removes a member from an organization and from all of its teams; refused for the last
 * owner.
 */
export async function removeOrgMember(db: Db, actor: Actor, input: RemoveOrgMemberInput): Promise<void> {
  const { orgId, userId } = parseInput(removeOrgMemberInputSchema, input);
  await db.transaction(async (tx) => {
    await lockOrg(tx, orgId);
    const member = await requireMember(tx, ORG_MEMBERSHIP, orgId, userId);
    if (member.role === "owner" && (await ownerCount(tx, orgId)) <= 1) {
      throw new ConflictError("An organization needs an owner. Make someone else owner first.");
    }
    const orgTeamIds = tx.select({ id: teams.id }).from(teams).where(eq(teams.orgId, orgId));
    const removedFromTeams = await tx
      .delete(teamMembers)
      .where(and(eq(teamMembers.userId, userId), inArray(teamMembers.teamId, orgTeamIds)))
      .returning({ teamId: teamMembers.teamId });
    await deleteMember(tx, ORG_MEMBERSHIP, orgId, userId);
    await auditMember(tx, actor, ORG_MEMBERSHIP, "remove", { userId, email: member.email }, { orgId }, {
      role: member.role,
      removedFromTeams: removedFromTeams.map((t) => t.teamId),
    });
  });
}
