"use server";
// Assigning clusters to teams: org owners and admins (`clusters:assign` on the team's
// organization) and platform admins. The organization is the team's, read from the database;
// the services create or remove the namespace and write the audit rows.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import type { Db } from "@/lib/db";
import { assignCluster, unassignCluster } from "@/lib/clusters/assignments";
import { quotaFormSchema, toQuotaFormError } from "@/lib/clusters/quota-form";
import type { Scope } from "@/lib/auth/policy";
import { resolveTeamScope } from "@/lib/tenancy/principal";

const ids = z.object({ clusterId: z.uuid({ error: "Choose a cluster." }), teamId: z.uuid({ error: "Choose a team." }) });

// The organization owning the team: assignments are an org admin's decision.
async function teamOrgScope(db: Db, input: { teamId: string }): Promise<Scope> {
  const team = await resolveTeamScope(db, input.teamId);
  return { kind: "org", orgId: team.orgId };
}

/** Assigns a cluster to a team with a quota, or changes the quota. */
export const assignClusterAction = defineAction({
  name: "cluster.assign",
  input: z.intersection(ids, quotaFormSchema).transform(({ clusterId, teamId, ...quota }) => ({ clusterId, teamId, quota })),
  permission: "clusters:assign",
  scope: teamOrgScope,
  run: async ({ db, actor, input }) => {
    try {
      const assignment = await assignCluster(db, actor, input);
      return { id: assignment.id, namespace: assignment.namespace, created: assignment.created };
    } catch (error) {
      throw toQuotaFormError(error);
    }
  },
});

/** Removes an assignment, deleting the team's namespace there (typed namespace name). */
export const unassignClusterAction = defineAction({
  name: "cluster.unassign",
  input: ids.extend({ confirmName: z.string().default("") }),
  permission: "clusters:assign",
  scope: teamOrgScope,
  run: async ({ db, actor, input }) => unassignCluster(db, actor, input),
});
