// Websocket streams to a pod's exec and port-forward subresources, spoken directly over `ws`.
//
// Why not client-node's `Exec` / `PortForward` (2.0.1)? Its `WebSocketHandler` offers
// `v5.channel.k8s.io` first and knows the v5 close frame, but it has no flow control: it
// forwards every incoming frame with `stream.write()` ignoring the return value and sends
// every stdin chunk at once, so a `yes` flood or a slow browser grows memory without bound.
// It also drops the HTTP status and body of a refused upgrade. Here the caller gets the raw
// socket (which `ws` can pause and resume at the TCP level), the negotiated subprotocol,
// and a refused upgrade becomes the panel's usual cluster error (403 → "not allowed", …).
//
// Framing (both protocols): every binary frame starts with one channel byte. Exec: 0 stdin,
// 1 stdout, 2 stderr, 3 status (a JSON v1.Status, then the server closes), 4 resize (JSON
// `{"Width","Height"}`); v5 adds 255 = close the channel named by the next byte. Port-forward:
// 0 data, 1 error, and the first frame on each server→client channel carries the port number
// (2 bytes, little endian) before any data.
import { ApiException, type KubeConfig } from "@kubernetes/client-node";
import type { IncomingMessage } from "node:http";
import { Agent } from "node:https";
import { createSecureContext } from "node:tls";
import WebSocket from "ws";
import { toClusterError, type ClusterRef } from "@/lib/kube/transport";

/** The channel-framed subprotocols, newest first (what the API server picks from). */
export const CHANNEL_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

/** Channel numbers of the exec protocol. */
export const ExecChannel = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4, close: 255 } as const;
/** Channel numbers of the port-forward protocol (one port per socket). */
export const PortForwardChannel = { data: 0, error: 1 } as const;

/** Prefixes `data` with its channel byte. */
export function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = channel;
  body.copy(out, 1);
  return out;
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      if (size < 64 * 1024) chunks.push(chunk);
      size += chunk.length;
    });
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", () => resolve(""));
  });
}

// One TLS agent per cluster config, shared by every stream of that config. client-node's
// `applyToHTTPSOptions` makes a new agent each time, and tls.connect then parses the
// kubeconfig's CA and client certificate into a fresh context per connection: tens of KiB for
// each open terminal, and no TLS session reuse between them.
const streamAgents = new WeakMap<KubeConfig, Agent>();

async function streamOptions(kc: KubeConfig): Promise<WebSocket.ClientOptions> {
  const options: WebSocket.ClientOptions = { perMessageDeflate: false, maxPayload: 16 << 20, handshakeTimeout: 15_000 };
  // Headers (bearer token, impersonation) and basic auth are read each time: a token may be rotated.
  await kc.applyToHTTPSOptions(options);
  const { ca, cert, key, pfx, passphrase, rejectUnauthorized } = options;
  const { servername } = options as { servername?: string };
  let agent = streamAgents.get(kc);
  if (!agent) {
    agent = new Agent({
      secureContext: createSecureContext({ ca, cert, key, pfx, passphrase }),
      ...(rejectUnauthorized !== undefined ? { rejectUnauthorized } : {}),
      ...(servername ? { servername } : {}),
    });
    streamAgents.set(kc, agent);
  }
  for (const name of ["ca", "cert", "key", "pfx", "passphrase"] as const) delete options[name];
  options.agent = agent;
  return options;
}

/**
 * Opens a channel websocket to `path` on the cluster of `kc` (credentials and impersonation
 * applied by the config). Resolves once open; rejects with an AppError naming `what` failed.
 */
export async function openKubeStream(cluster: ClusterRef, kc: KubeConfig, path: string, what: string, protocols = CHANNEL_PROTOCOLS): Promise<WebSocket> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw toClusterError(cluster, what, new Error("the cluster's config names no server"));
  const url = server.replace(/^http/, "ws").replace(/\/$/, "") + path;
  const options = await streamOptions(kc);
  return new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      ws.terminate();
      reject(toClusterError(cluster, what, error));
    };
    ws.once("open", () => {
      settled = true;
      resolve(ws);
    });
    ws.once("unexpected-response", (_req, res) => {
      void readBody(res).then((body) => {
        let parsed: unknown = body;
        try {
          parsed = JSON.parse(body);
        } catch {
          // a plain-text answer is kept as it is
        }
        fail(new ApiException(res.statusCode ?? 0, res.statusMessage ?? "upgrade refused", parsed, res.headers as Record<string, string>));
      });
    });
    ws.once("error", fail);
  });
}
