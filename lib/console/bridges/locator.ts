// The locator of each target kind: where a terminal's target runs, and how a bridge reaches it
// (the TargetLocator in bridge.ts). A session asks for a target's locator once, hands it to the
// bridge, and leaves it to the locator to say when the running object goes away; neither the
// session nor the gateway knows what kind of object that is. SSH pods register theirs here
// (pod/pod-target.ts), VMs theirs (vm/vm-target.ts: the VMI's `console`, `vnc` and `portforward` subresources).
import { ValidationError } from "@/lib/errors";
import type { Locate, LocateContext, LocatedTarget } from "@/lib/console/bridges/bridge";
import { locatePodTarget } from "@/lib/console/bridges/pod/pod-target";
import { locateVmTarget } from "@/lib/console/bridges/vm/vm-target";
import type { WorkloadKind } from "@/lib/workloads/kinds";

const LOCATORS: Partial<Record<WorkloadKind, Locate>> = {
  "ssh-pod": locatePodTarget,
  vm: locateVmTarget,
};

/** Locates `ctx.target` with its kind's locator. */
export async function locateTarget(ctx: LocateContext): Promise<LocatedTarget> {
  const locate = LOCATORS[ctx.target.kind];
  if (!locate) throw new ValidationError(`A terminal is not available for this ${ctx.target.kind}.`);
  return locate(ctx);
}
