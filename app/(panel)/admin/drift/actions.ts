"use server";
// Drift (platform admins): remove the objects of a workload that has no row. The service
// checks again that it is still drift and writes the audit row.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { platformScope } from "@/lib/actions/scopes";
import "@/lib/workload-kinds"; // the kinds whose objects may be removed
import { removeOrphan } from "@/lib/workloads/drift";

/** `{ clusterId, workloadId }`: deletes what a workload with no row left in a cluster. */
export const removeOrphanAction = defineAction({
  name: "workload.orphan-removed",
  input: z.object({ clusterId: z.uuid({ error: "No such cluster." }), workloadId: z.uuid({ error: "No such workload." }) }),
  permission: "clusters:register",
  scope: platformScope,
  run: ({ db, actor, input }) => removeOrphan(db, actor, input),
});
