// A VM's TCP port as a Node Duplex stream, over the VMI's `portforward/<port>/tcp` stream (flow
// control and the stream itself: websocket-duplex.ts).
import type { KubeConfig } from "@kubernetes/client-node";
import type { Duplex } from "node:stream";
import type { TargetLocator } from "@/lib/console/bridges/bridge";
import { WebSocketDuplex } from "@/lib/console/bridges/websocket-duplex";
import { openVmiStream } from "@/lib/console/bridges/vm/vmi-stream";
import type { ClusterRef } from "@/lib/kube/transport";

/** No channel bytes (unlike a pod's port-forward): each binary frame is bytes of the one connection. */
class VmiPortStream extends WebSocketDuplex {
  protected bytesOf(data: Buffer): Buffer {
    return data;
  }

  protected frameOf(chunk: Buffer): Buffer {
    return chunk;
  }
}

/** Connects to `port` of the located VMI; rejects with an AppError when the cluster refuses. */
export async function openVmiPort(cluster: ClusterRef, kc: KubeConfig, locator: TargetLocator, port: number): Promise<Duplex> {
  return new VmiPortStream(await openVmiStream(cluster, kc, locator, { kind: "portforward", port }));
}
