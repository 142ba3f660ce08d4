// Membership rows, the same for organizations and teams: an `org_members` or `team_members`
// row ties a user to its organization or team with a role. The orgs and teams services keep
// their own rules (the last owner, joining the organization through a team, locking order);
// the rows, their lookups and their audit rows are written once, here.
import { and, asc, eq } from "drizzle-orm";
import type { OrgRole, TeamRole } from "@/lib/auth/policy";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { isUuid } from "@/lib/db/ids";
import { orgMembers, teamMembers, users } from "@/lib/db/schema";
import { ConflictError, NotFoundError } from "@/lib/errors";

/** A member of an organization or a team. */
export interface Member<R extends string> {
  userId: string;
  email: string;
  name: string;
  role: R;
  disabledAt: Date | null;
  createdAt: Date;
}

/** One kind of membership: its table, the column naming what one belongs to, and its words. */
export interface Membership<R extends string> {
  table: typeof orgMembers | typeof teamMembers;
  /** The organization's or the team's id. */
  parent: typeof orgMembers.orgId | typeof teamMembers.teamId;
  /** `organization` or `team`, in messages. */
  noun: string;
  /** The audit action prefix: `org.member` or `team.member`. */
  action: string;
  /** What "already a member" says on the form's email field. */
  already(email: string, role: R): string;
  /** Inserts a row; answers when it was created. */
  insert(tx: Db, parentId: string, userId: string, role: R): Promise<Date>;
  /** Changes a row's role. */
  setRole(tx: Db, parentId: string, userId: string, role: R): Promise<void>;
}

/** Organization memberships (`org_members`). */
export const ORG_MEMBERSHIP: Membership<OrgRole> = {
  table: orgMembers,
  parent: orgMembers.orgId,
  noun: "organization",
  action: "org.member",
  already: (email, role) => `${email} is already a member (${role}).`,
  async insert(tx, orgId, userId, role) {
    const [row] = await tx.insert(orgMembers).values({ orgId, userId, role }).returning({ createdAt: orgMembers.createdAt });
    return row!.createdAt;
  },
  async setRole(tx, orgId, userId, role) {
    await tx.update(orgMembers).set({ role }).where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.userId, userId)));
  },
};

/** Team memberships (`team_members`). */
export const TEAM_MEMBERSHIP: Membership<TeamRole> = {
  table: teamMembers,
  parent: teamMembers.teamId,
  noun: "team",
  action: "team.member",
  already: (email, role) => `${email} is already in this team (${role}).`,
  async insert(tx, teamId, userId, role) {
    const [row] = await tx.insert(teamMembers).values({ teamId, userId, role }).returning({ createdAt: teamMembers.createdAt });
    return row!.createdAt;
  },
  async setRole(tx, teamId, userId, role) {
    await tx.update(teamMembers).set({ role }).where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)));
  },
};

const rowOf = <R extends string>(m: Membership<R>, parentId: string, userId: string) => and(eq(m.parent, parentId), eq(m.table.userId, userId));

/** The members of one organization or team, by email. */
export async function listMembers<R extends string>(db: Db, m: Membership<R>, parentId: string): Promise<Member<R>[]> {
  if (!isUuid(parentId)) return [];
  const rows = await db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      role: m.table.role,
      disabledAt: users.disabledAt,
      createdAt: m.table.createdAt,
    })
    .from(m.table)
    .innerJoin(users, eq(users.id, m.table.userId))
    .where(eq(m.parent, parentId))
    .orderBy(asc(users.email));
  return rows as Member<R>[];
}

/** A user's membership (role and email), or null. */
export async function findMember<R extends string>(tx: Db, m: Membership<R>, parentId: string, userId: string): Promise<{ role: R; email: string } | null> {
  const [member] = await tx
    .select({ role: m.table.role, email: users.email })
    .from(m.table)
    .innerJoin(users, eq(users.id, m.table.userId))
    .where(rowOf(m, parentId, userId));
  return (member as { role: R; email: string } | undefined) ?? null;
}

/** A user's membership; NotFound ("not a member of this …") when there is none. */
export async function requireMember<R extends string>(tx: Db, m: Membership<R>, parentId: string, userId: string): Promise<{ role: R; email: string }> {
  const member = await findMember(tx, m, parentId, userId);
  if (!member) throw new NotFoundError(`That user is not a member of this ${m.noun}.`);
  return member;
}

/**
 * Adds the user with `email` as a member with `role`: NotFound when there is no such user,
 * Conflict when they are a member already. The caller has locked what they join and writes
 * the audit row (`auditMember`).
 */
export async function insertMemberByEmail<R extends string>(tx: Db, m: Membership<R>, parentId: string, email: string, role: R): Promise<Member<R>> {
  const [user] = await tx.select().from(users).where(eq(users.email, email));
  if (!user) throw new NotFoundError(`There is no user with the email ${email}. A platform admin can create the account first.`);
  const existing = await findMember(tx, m, parentId, user.id);
  if (existing) throw new ConflictError("Already a member.", { email: m.already(email, existing.role) });
  const createdAt = await m.insert(tx, parentId, user.id, role);
  return { userId: user.id, email, name: user.name, role, disabledAt: user.disabledAt, createdAt };
}

/** Removes a membership row. */
export async function deleteMember<R extends string>(tx: Db, m: Membership<R>, parentId: string, userId: string): Promise<void> {
  await tx.delete(m.table).where(rowOf(m, parentId, userId));
}

/** The audit row of a membership change (`<kind>.member.<verb>`), naming the user. */
export function auditMember<R extends string>(
  tx: Db,
  actor: Actor,
  m: Membership<R>,
  verb: "add" | "role" | "remove",
  member: { userId: string; email: string },
  where: { orgId: string; teamId?: string },
  detail: Record<string, unknown>,
): Promise<void> {
  return auditSuccess(tx, actor, {
    action: `${m.action}.${verb}`,
    targetType: "user",
    targetId: member.userId,
    targetLabel: member.email,
    ...where,
    detail,
  });
}
