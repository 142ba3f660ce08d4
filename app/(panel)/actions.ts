"use server";
// The home page's first-run shortcut: a personal organization and team for the platform admin.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { platformScope } from "@/lib/actions/scopes";
import { createPersonalTeam } from "@/lib/first-run/personal-team";
import { nameSchema } from "@/lib/names";

/** Creates an organization (named in the form, owned by the caller) with the team "personal" in it. */
export const createPersonalTeamAction = defineAction({
  name: "org.create-personal",
  input: z.object({ orgName: nameSchema }),
  permission: "orgs:create",
  scope: platformScope,
  run: ({ db, actor, input }) => createPersonalTeam(db, actor, input),
});
