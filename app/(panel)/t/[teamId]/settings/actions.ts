"use server";
// Team settings: rename, members, delete. Each is parse → authorize on the team (resolved
// from the database) → service; the organization id always comes from the resolved scope.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { teamScopeOf } from "@/lib/actions/scopes";
import type { Scope } from "@/lib/auth/policy";
import { ValidationError } from "@/lib/errors";
import { nameSchema } from "@/lib/names";
import { emailSchema } from "@/lib/users/schemas";
import {
  addTeamMember,
  changeTeamMemberRole,
  deleteTeam,
  getTeam,
  removeTeamMember,
  renameTeam,
  teamRoleSchema,
} from "@/lib/teams/service";

const teamId = z.uuid({ error: "No such team." });
const userId = z.uuid({ error: "No such user." });
const orgOf = (scope: Scope | null) => (scope as Scope & { kind: "team" }).orgId;

export const renameTeamAction = defineAction({
  name: "team.rename",
  input: z.object({ teamId, name: nameSchema }),
  permission: "team:rename",
  scope: teamScopeOf,
  run: ({ db, actor, input, scope }) => renameTeam(db, actor, { ...input, orgId: orgOf(scope) }),
});

export const addTeamMemberAction = defineAction({
  name: "team.member.add",
  input: z.object({ teamId, email: emailSchema, role: teamRoleSchema }),
  permission: "team:members:manage",
  scope: teamScopeOf,
  run: ({ db, actor, input, scope }) => addTeamMember(db, actor, { ...input, orgId: orgOf(scope) }),
});

export const changeTeamMemberRoleAction = defineAction({
  name: "team.member.role",
  input: z.object({ teamId, userId, role: teamRoleSchema }),
  permission: "team:members:manage",
  scope: teamScopeOf,
  run: ({ db, actor, input, scope }) => changeTeamMemberRole(db, actor, { ...input, orgId: orgOf(scope) }),
});

export const removeTeamMemberAction = defineAction({
  name: "team.member.remove",
  input: z.object({ teamId, userId }),
  permission: "team:members:manage",
  scope: teamScopeOf,
  run: ({ db, actor, input, scope }) => removeTeamMember(db, actor, { ...input, orgId: orgOf(scope) }),
});

export const deleteTeamAction = defineAction({
  name: "team.delete",
  input: z.object({ id: teamId, confirmName: z.string() }).transform((v) => ({ teamId: v.id, confirmName: v.confirmName })),
  permission: "team:delete",
  scope: teamScopeOf,
  run: async ({ db, actor, input, scope }) => {
    const team = await getTeam(db, input.teamId);
    if (team && input.confirmName.trim() !== team.name) {
      throw new ValidationError("Type the team's name exactly to confirm.", { confirmName: "Type the team's name exactly to confirm." });
    }
    await deleteTeam(db, actor, { teamId: input.teamId, orgId: orgOf(scope) });
  },
  redirectTo: () => "/orgs",
});
