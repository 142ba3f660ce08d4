// Port 22 (or any port) of a located pod or VM as a Duplex stream, by the cluster's ssh route:
// a Kubernetes port-forward — a pod's, or a VMI's `portforward` — which works wherever the panel
// runs, or a TCP connection to the target's address, which only the panel inside the cluster's
// network can make and which skips the apiserver and kubelet hops (what limits browser ssh
// throughput through a port-forward).
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import type { BridgeContext, DirectDial } from "@/lib/console/bridges/bridge";
import { openPortForward } from "@/lib/console/bridges/pod/port-forward";
import { openVmiPort } from "@/lib/console/bridges/vm/vmi-port";
import { UnavailableError } from "@/lib/errors";

const DIAL_TIMEOUT_MS = 10_000;

/** A TCP connection from the panel's own network namespace. */
export const dialTcp: DirectDial = (host, port) =>
  new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: DIAL_TIMEOUT_MS });
    socket.once("connect", () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once("timeout", () => socket.destroy(new Error(`no answer within ${DIAL_TIMEOUT_MS / 1000} s`)));
    socket.once("error", reject);
  });

/** Connects to `port` of the located target, directly when the context carries a dialer. */
export async function openTargetPort(ctx: Pick<BridgeContext, "cluster" | "kc" | "locator" | "dial" | "target">, port: number): Promise<Duplex> {
  const { cluster, kc, locator, dial } = ctx;
  if (dial) {
    if (!locator.address) throw new UnavailableError(`${ctx.target.label} has no address on the cluster's network yet.`);
    try {
      return await dial(locator.address, port);
    } catch (error) {
      throw new UnavailableError(`Could not connect to port ${port} of ${ctx.target.label} at ${locator.address}: ${error instanceof Error ? error.message : String(error)}.`);
    }
  }
  switch (locator.reach.resource) {
    case "pod":
      return openPortForward(cluster, kc, locator.namespace, locator.name, port);
    case "vmi":
      return openVmiPort(cluster, kc, locator, port);
  }
}
