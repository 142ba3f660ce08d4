"use server";
// The built-in local cluster (platform admins): start it, or retry a failed start. The start
// runs in the background in the panel process; the page follows it over /api/local-cluster/events.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { platformScope } from "@/lib/actions/scopes";
import { nameSchema } from "@/lib/names";
import { startBuiltInCluster } from "@/lib/local-cluster/start";

/** Starts the built-in local cluster (or retries), to be registered as `name`; returns at once with the start under way. */
export const startLocalClusterAction = defineAction({
  name: "cluster.built-in.start",
  input: z.object({ name: nameSchema }),
  permission: "clusters:register",
  scope: platformScope,
  run: ({ db, actor, input }) => startBuiltInCluster(db, { actorId: actor.userId, actorLabel: actor.label }, input),
});
