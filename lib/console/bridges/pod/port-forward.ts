// A pod port as a Node Duplex stream, over the port-forward subresource (flow control and the
// stream itself: websocket-duplex.ts). One websocket per connection, no retries (a retried
// connection would splice two TCP streams together mid-protocol).
import type { KubeConfig } from "@kubernetes/client-node";
import type { Duplex } from "node:stream";
import { WebSocketDuplex } from "@/lib/console/bridges/websocket-duplex";
import { frame, openKubeStream, PortForwardChannel } from "@/lib/console/bridges/pod/kube-stream";
import type { ClusterRef } from "@/lib/kube/transport";

/** The port-forward subresource path for one port. */
export function portForwardPath(namespace: string, pod: string, port: number): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/portforward?ports=${port}`;
}

/** A connected pod port (the v4 channel protocol: a channel byte, then the port number once per channel); `destroy()` closes the websocket. */
class PortForwardStream extends WebSocketDuplex {
  private readonly portBytesPending = [true, true];

  protected bytesOf(data: Buffer): Buffer | undefined {
    const channel = data[0]!;
    let body = data.subarray(1);
    if (channel > PortForwardChannel.error) return undefined;
    if (this.portBytesPending[channel]) {
      // The first frame of each channel starts with the port number; it may arrive alone.
      this.portBytesPending[channel] = false;
      body = body.subarray(2);
    }
    if (body.length > 0 && channel === PortForwardChannel.error) {
      this.destroy(new Error(`port-forward failed: ${body.toString("utf8").trim()}`));
      return undefined;
    }
    return body;
  }

  protected frameOf(chunk: Buffer): Buffer {
    return frame(PortForwardChannel.data, chunk);
  }
}

/** Connects to `port` of a pod; rejects with an AppError when the cluster refuses. */
export async function openPortForward(cluster: ClusterRef, kc: KubeConfig, namespace: string, pod: string, port: number): Promise<Duplex> {
  const ws = await openKubeStream(cluster, kc, portForwardPath(namespace, pod, port), `connect to port ${port} of the pod`);
  return new PortForwardStream(ws);
}
