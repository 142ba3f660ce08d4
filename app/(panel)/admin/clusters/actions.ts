"use server";
// Host clusters (platform admins): read a kubeconfig's contexts, register, re-check, edit
// settings, disconnect. Each needs `clusters:register` on the platform; the services do the
// work and write the audit rows. Nothing here returns stored credentials.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { platformScope } from "@/lib/actions/scopes";
import { disconnectCluster, recheckCluster, registerCluster, updateClusterSettings } from "@/lib/clusters/service";
import { clusterSettingsFormSchema } from "@/lib/clusters/settings";
import { listKubeconfigContexts } from "@/lib/kube/kubeconfig";
import { ensureClusterWatched } from "@/lib/live/hub";

const clusterId = z.uuid({ error: "No such cluster." });
const checkbox = z
  .union([z.boolean(), z.enum(["on", "true", "false", ""])])
  .optional()
  .transform((v) => v === true || v === "on" || v === "true");

/** The contexts of a pasted kubeconfig (names, servers, whether TLS is verified), for the "pick a context" select. */
export const listContextsAction = defineAction({
  name: "cluster.contexts",
  input: z.object({ kubeconfig: z.string({ error: "Paste or upload a kubeconfig." }) }),
  permission: "clusters:register",
  scope: platformScope,
  run: async ({ input }) => listKubeconfigContexts(input.kubeconfig).map(({ name, server, insecure }) => ({ name, server, insecure })),
});

/** Registers a cluster from the form: a kubeconfig (and context) or "this cluster". */
export const registerClusterAction = defineAction({
  name: "cluster.register",
  input: z
    .object({
      name: z.string({ error: "Enter a name." }),
      source: z.enum(["kubeconfig", "in-cluster"], { error: "Choose a kubeconfig or this cluster." }),
      kubeconfig: z.string().default(""),
      context: z.string().default(""),
      allowInsecureTls: checkbox,
    })
    .transform(({ name, source, kubeconfig, context, allowInsecureTls }) => ({
      name,
      source: source === "in-cluster" ? ({ kind: "in-cluster" } as const) : ({ kind: "kubeconfig", kubeconfig, context: context || undefined, allowInsecureTls } as const),
    })),
  permission: "clusters:register",
  scope: platformScope,
  run: async ({ db, actor, input }) => {
    const { cluster, check } = await registerCluster(db, actor, input);
    void ensureClusterWatched(cluster.id); // live status for its pods from the first one on
    return { id: cluster.id, missing: check.missing.length };
  },
  redirectTo: (result) => `/admin/clusters/${result.id}`,
});

/** Checks a cluster again (reachability, version, nodes, APIs, permissions). */
export const recheckClusterAction = defineAction({
  name: "cluster.check",
  input: z.object({ clusterId }),
  permission: "clusters:register",
  scope: platformScope,
  run: async ({ db, actor, input }) => {
    const check = await recheckCluster(db, actor, input);
    return { reachable: check.reachable, missing: check.missing.length };
  },
});

/** Saves the settings form (placement, storage class, image catalog, impersonation). */
export const updateClusterSettingsAction = defineAction({
  name: "cluster.settings",
  input: clusterSettingsFormSchema.extend({ clusterId }),
  permission: "clusters:register",
  scope: platformScope,
  run: async ({ db, actor, input: { clusterId, ...settings } }) => {
    await updateClusterSettings(db, actor, { clusterId, settings });
  },
});

/** Disconnects a cluster (typed name); optionally deletes what minicloud made in it. */
export const disconnectClusterAction = defineAction({
  name: "cluster.disconnect",
  input: z.object({ id: clusterId, confirmName: z.string().default(""), deleteObjects: checkbox }),
  permission: "clusters:register",
  scope: platformScope,
  run: async ({ db, actor, input }) => {
    await disconnectCluster(db, actor, { clusterId: input.id, confirmName: input.confirmName, deleteObjects: input.deleteObjects });
  },
  redirectTo: () => "/admin/clusters",
});
