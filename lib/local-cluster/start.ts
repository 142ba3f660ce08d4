// Starting the built-in local cluster from a request: the environment's rule first (refused
// with its reason), then the panel process's runner (lib/local-cluster/runner.ts).
import { getEnv } from "@/lib/env";
import { ForbiddenError, UnavailableError } from "@/lib/errors";
import { localClusterControl, type LocalClusterActor } from "@/lib/local-cluster/control";
import { localClusterAvailability } from "@/lib/local-cluster/policy";

/** Starts it in the background, or throws why it cannot be started here. */
export function startBuiltInCluster(actor: LocalClusterActor): void {
  const availability = localClusterAvailability(getEnv());
  if (!availability.allowed) throw new ForbiddenError(availability.reason);
  const control = localClusterControl();
  if (!control) throw new UnavailableError("The built-in local cluster runs only in the panel's own process (server.ts); start the panel with `npm start`.");
  control.start(actor);
}
