// Whether this panel may run the built-in local cluster, from its environment. It is a trial
// and development aid: on by choice, offered on a single machine, never on by default where the
// panel looks like a production installation (NODE_ENV=production with PostgreSQL).
import type { Env } from "@/lib/env";

/** What the environment allows. */
export type LocalClusterAvailability =
  | { allowed: true; /** MINICLOUD_LOCAL_CLUSTER=on: start it with the panel. */ startWithPanel: boolean }
  | { allowed: false; reason: string };

/** The rule, as a pure function of the environment. */
export function localClusterAvailability(env: Pick<Env, "nodeEnv" | "databaseUrl" | "localCluster">): LocalClusterAvailability {
  if (env.localCluster === "on") return { allowed: true, startWithPanel: true };
  if (env.localCluster === "off") {
    return { allowed: false, reason: "The built-in local cluster is switched off on this panel (MINICLOUD_LOCAL_CLUSTER=off). Register a cluster instead." };
  }
  if (env.nodeEnv === "production" && env.databaseUrl) {
    return {
      allowed: false,
      reason:
        "This panel runs as a production installation (NODE_ENV=production with a PostgreSQL DATABASE_URL), where the built-in local cluster is off: it is meant for trying minicloud on one machine. Register a cluster, or set MINICLOUD_LOCAL_CLUSTER=on and restart the panel to allow it anyway.",
    };
  }
  return { allowed: true, startWithPanel: false };
}
