// Placeholder: the KubeVirt / CDI stand-ins are started from here (see dev/cluster/README.md).
import type { StandinContext, RunningStandins } from "./types";

export async function startStandins(_ctx: StandinContext): Promise<RunningStandins> {
  return { stop: async () => {} };
}
