"use server";
// Organizations and the teams in them: create, rename, delete, members.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { orgScopeOf, platformScope } from "@/lib/actions/scopes";
import { ValidationError } from "@/lib/errors";
import { nameSchema } from "@/lib/names";
import {
  addOrgMember,
  changeOrgMemberRole,
  createOrg,
  deleteOrg,
  getOrg,
  orgRoleSchema,
  removeOrgMember,
  renameOrg,
} from "@/lib/orgs/service";
import { createTeam } from "@/lib/teams/service";
import { emailSchema } from "@/lib/users/schemas";

const orgId = z.uuid({ error: "No such organization." });
const userId = z.uuid({ error: "No such user." });

export const createOrgAction = defineAction({
  name: "org.create",
  input: z.object({ name: nameSchema }),
  permission: "orgs:create",
  scope: platformScope,
  // The creator owns the new organization, so it shows in their lists at once.
  run: ({ db, actor, input }) => createOrg(db, actor, { name: input.name, ownerUserId: actor.userId }),
  redirectTo: (org) => `/orgs/${org.id}`,
});

export const renameOrgAction = defineAction({
  name: "org.rename",
  input: z.object({ orgId, name: nameSchema }),
  permission: "org:rename",
  scope: orgScopeOf,
  run: ({ db, actor, input }) => renameOrg(db, actor, input),
});

export const deleteOrgAction = defineAction({
  name: "org.delete",
  input: z.object({ id: orgId, confirmName: z.string() }).transform((v) => ({ orgId: v.id, confirmName: v.confirmName })),
  permission: "org:delete",
  scope: orgScopeOf,
  run: async ({ db, actor, input }) => {
    const org = await getOrg(db, input.orgId);
    if (org && input.confirmName.trim() !== org.name) {
      throw new ValidationError("Type the organization's name exactly to confirm.", {
        confirmName: "Type the organization's name exactly to confirm.",
      });
    }
    await deleteOrg(db, actor, { orgId: input.orgId });
  },
  redirectTo: () => "/orgs",
});

export const createTeamAction = defineAction({
  name: "team.create",
  input: z.object({ orgId, name: nameSchema }),
  permission: "org:teams:create",
  scope: orgScopeOf,
  run: ({ db, actor, input }) => createTeam(db, actor, input),
  redirectTo: (team) => `/t/${team.id}/settings`,
});

export const addOrgMemberAction = defineAction({
  name: "org.member.add",
  input: z.object({ orgId, email: emailSchema, role: orgRoleSchema }),
  permission: "org:members:manage",
  scope: orgScopeOf,
  run: ({ db, actor, input }) => addOrgMember(db, actor, input),
});

export const changeOrgMemberRoleAction = defineAction({
  name: "org.member.role",
  input: z.object({ orgId, userId, role: orgRoleSchema }),
  permission: "org:members:manage",
  scope: orgScopeOf,
  run: ({ db, actor, input }) => changeOrgMemberRole(db, actor, input),
});

export const removeOrgMemberAction = defineAction({
  name: "org.member.remove",
  input: z.object({ orgId, userId }),
  permission: "org:members:manage",
  scope: orgScopeOf,
  run: ({ db, actor, input }) => removeOrgMember(db, actor, input),
});
