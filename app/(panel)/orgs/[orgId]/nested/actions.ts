"use server";
// Nested clusters (hosted control planes): org owners and admins (`nested:manage` on the owning
// team's organization) and platform admins. The organization is resolved from the database —
// the team's for a create, the cluster's owning team's otherwise; the services do the work and
// write the audit rows.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import type { Scope } from "@/lib/auth/policy";
import type { Db } from "@/lib/db";
import { nestedClusterOrgScope } from "@/lib/nested/scope";
import { createNestedClusterInputSchema } from "@/lib/nested/schemas";
import { createNestedCluster, deleteNestedCluster, rotateNestedCertificates } from "@/lib/nested/service";
import { resolveTeamScope } from "@/lib/tenancy/principal";

// The organization owning the team: a nested cluster is an org admin's decision.
async function teamOrgScope(db: Db, input: { teamId: string }): Promise<Scope> {
  const team = await resolveTeamScope(db, input.teamId);
  return { kind: "org", orgId: team.orgId };
}

/** Creates a nested cluster; answers once its intent is written (the page follows the steps). */
export const createNestedClusterAction = defineAction({
  name: "nested.create",
  input: z.preprocess(
    (raw) => {
      // The form sends image overrides as flat fields.
      const data = (raw ?? {}) as Record<string, unknown>;
      const { imageEtcd, imageApiserver, imageControllerManager, imageScheduler, ...rest } = data;
      return { ...rest, images: { etcd: imageEtcd, apiserver: imageApiserver, controllerManager: imageControllerManager, scheduler: imageScheduler } };
    },
    createNestedClusterInputSchema,
  ),
  permission: "nested:manage",
  scope: teamOrgScope,
  run: async ({ db, actor, input, scope }) => {
    const started = await createNestedCluster(db, actor, input);
    return { id: started.id, orgId: scope?.kind === "org" ? scope.orgId : "" };
  },
  redirectTo: (result) => `/orgs/${result.orgId}/nested/${result.id}`,
});

/** Deletes a nested cluster (typed name): its namespace in the host, its cluster row and assignments. */
export const deleteNestedClusterAction = defineAction({
  name: "nested.delete",
  input: z.object({ id: z.uuid({ error: "No such nested cluster." }), confirmName: z.string().default("") }),
  permission: "nested:manage",
  scope: (db, input) => nestedClusterOrgScope(db, { clusterId: input.id }),
  run: async ({ db, actor, input, scope }) => ({
    outcome: await deleteNestedCluster(db, actor, { clusterId: input.id, confirmName: input.confirmName }),
    orgId: scope?.kind === "org" ? scope.orgId : "",
  }),
  redirectTo: (result) => `/orgs/${result.orgId}/nested`,
});

/** Renews the nested cluster's leaf certificates under the same CAs. */
export const rotateNestedCertificatesAction = defineAction({
  name: "nested.certificates.rotate",
  input: z.object({ clusterId: z.uuid({ error: "No such nested cluster." }) }),
  permission: "nested:manage",
  scope: nestedClusterOrgScope,
  run: async ({ db, actor, input }) => {
    const { expiresAt } = await rotateNestedCertificates(db, actor, input);
    return { expiresAt: expiresAt.toISOString() };
  },
});
