// Starting the built-in local cluster from a request: the environment's rule first (refused
// with its reason), the name it will be registered under, then the panel process's runner
// (lib/local-cluster/runner.ts), which does the work in the background.
import { isBuiltInNameFree } from "@/lib/clusters/built-in";
import type { Db } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { ConflictError, ForbiddenError, UnavailableError } from "@/lib/errors";
import { localClusterControl, type LocalClusterActor } from "@/lib/local-cluster/control";
import { localClusterAvailability } from "@/lib/local-cluster/policy";

/**
 * Starts it in the background, or throws why it cannot be started here. `name` names a first
 * registration (checked now, not after a long build); a registered built-in cluster keeps its name.
 */
export async function startBuiltInCluster(db: Db, actor: LocalClusterActor, input: { name: string }): Promise<void> {
  const availability = localClusterAvailability(getEnv());
  if (!availability.allowed) throw new ForbiddenError(availability.reason);
  const control = localClusterControl();
  if (!control) throw new UnavailableError("The built-in local cluster runs only in the panel's own process (server.ts); start the panel with `npm start`.");
  if (!(await isBuiltInNameFree(db, input.name))) {
    throw new ConflictError("That name is taken.", { name: "A cluster with this name is already registered." });
  }
  control.start(actor, { name: input.name });
}
