// Websockets to a VMI's streaming subresources through the apiserver:
// `GET /apis/subresources.kubevirt.io/v1/namespaces/<ns>/virtualmachineinstances/<name>/<console|vnc|portforward/<port>/tcp>`
// upgraded with subprotocol `plain.kubevirt.io` — raw bytes in binary frames, no channel byte,
// both ways. The same agent, credentials and impersonation as exec (kube-stream.ts).
//
// Keep-alive: a websocket ping upstream every KEEPALIVE_MS. After the upgrade the apiserver
// passes the connection through as bytes, so the ping reaches virt-api (which answers it) and
// every proxy and load balancer between sees traffic; an idle console stays open until the
// panel's own idle limit, not the 20-60 s idle cut of whatever sits in between.
import type { KubeConfig } from "@kubernetes/client-node";
import type WebSocket from "ws";
import { openKubeStream } from "@/lib/console/bridges/pod/kube-stream";
import type { TargetLocator } from "@/lib/console/bridges/bridge";
import type { ClusterRef } from "@/lib/kube/transport";

/** KubeVirt's subprotocol for console, VNC and port-forward streams. */
export const PLAIN_KUBEVIRT = "plain.kubevirt.io";

/** How often the panel pings a VMI stream. */
export const UPSTREAM_KEEPALIVE_MS = 25_000;

/** A VMI stream: the serial console, VNC (optionally `preserveSession`), or one TCP port. */
export type VmiStream = { kind: "console" } | { kind: "vnc"; preserveSession: boolean } | { kind: "portforward"; port: number };

/** The API path of subresource `sub` (`console`, `vnc/screenshot`, …) of VMI `name` in `namespace`. */
export function vmiSubresourcePath(namespace: string, name: string, sub: string): string {
  return `/apis/subresources.kubevirt.io/v1/namespaces/${encodeURIComponent(namespace)}/virtualmachineinstances/${encodeURIComponent(name)}/${sub}`;
}

/** The API path of `stream` on VMI `name` in `namespace`. */
export function vmiStreamPath(namespace: string, name: string, stream: VmiStream): string {
  const base = vmiSubresourcePath(namespace, name, "").slice(0, -1);
  switch (stream.kind) {
    case "console":
      return `${base}/console`;
    case "vnc":
      return `${base}/vnc${stream.preserveSession ? "?preserveSession=true" : ""}`;
    case "portforward":
      return `${base}/portforward/${stream.port}/tcp`;
  }
}

const WHAT: Record<VmiStream["kind"], string> = { console: "open the VM's serial console", vnc: "open the VM's VNC console", portforward: "connect to the VM" };

/**
 * Opens `stream` on the located VMI, pinging it every `keepaliveMs` until it closes. Rejects with
 * an AppError when the cluster refuses (404 no such VMI, 409 not running, 503 VNC held).
 */
export async function openVmiStream(cluster: ClusterRef, kc: KubeConfig, locator: TargetLocator, stream: VmiStream, keepaliveMs = UPSTREAM_KEEPALIVE_MS): Promise<WebSocket> {
  const ws = await openKubeStream(cluster, kc, vmiStreamPath(locator.namespace, locator.name, stream), WHAT[stream.kind], [PLAIN_KUBEVIRT]);
  const keepalive = setInterval(() => {
    if (ws.readyState === ws.OPEN) ws.ping();
  }, keepaliveMs);
  keepalive.unref();
  ws.once("close", () => clearInterval(keepalive));
  return ws;
}
