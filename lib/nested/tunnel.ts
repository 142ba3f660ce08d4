// How the panel reaches a nested apiserver exposed as a ClusterIP Service ("reached through the
// panel"): a TCP listener on the panel's loopback per nested cluster, each connection carried
// to port 6443 of a ready apiserver pod through the host apiserver's port-forward. TLS is end
// to end (the panel's client certificate reaches the nested apiserver; the tunnel sees bytes
// only), and it works on any host cluster the panel may port-forward in — no route into the
// host's network is needed. The panel's own client (lib/kube/clients.ts) dials it through the
// route registered here.
import { createServer, type Server, type Socket } from "node:net";
import { CoreV1Api } from "@kubernetes/client-node";
import { eq } from "drizzle-orm";
import { openPortForward } from "@/lib/console/bridges/pod/port-forward";
import type { Db } from "@/lib/db/client";
import { workloads } from "@/lib/db/schema";
import { getClusterConnection, registerServerRouter, type ClusterConnection } from "@/lib/kube/clients";
import { kube } from "@/lib/kube/transport";
import { UnavailableError } from "@/lib/errors";
import { apiserverServerName } from "@/lib/nested/manifests";
import { APISERVER_PORT, COMPONENT_LABEL } from "@/lib/nested/types";

/** Where a control plane runs: its workload id, host cluster and namespace. */
export interface PlaneLocation {
  workloadId: string;
  hostClusterId: string;
  namespace: string;
}

interface Tunnel {
  server: Server;
  port: number;
  sockets: Set<Socket>;
}

const globalForTunnels = globalThis as typeof globalThis & { __minicloudNestedTunnels?: Map<string, Promise<Tunnel>> };
const tunnels = (globalForTunnels.__minicloudNestedTunnels ??= new Map());

/** A ready pod of `component` in the plane's namespace (not being deleted), or null. */
export async function readyComponentPod(connection: ClusterConnection, namespace: string, component: string): Promise<string | null> {
  const core = connection.kc.makeApiClient(CoreV1Api);
  const pods = await kube(connection, `list the ${component} pods of ${namespace}`, () =>
    core.listNamespacedPod({ namespace, labelSelector: `${COMPONENT_LABEL}=${component}` }),
  );
  const ready = pods.items.filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  return ready[Math.floor(Math.random() * ready.length)]?.metadata?.name ?? null;
}

async function carry(db: Db, plane: PlaneLocation, socket: Socket): Promise<void> {
  const connection = await getClusterConnection(db, plane.hostClusterId);
  const pod = await readyComponentPod(connection, plane.namespace, "kube-apiserver");
  if (!pod) throw new UnavailableError("No kube-apiserver pod of the nested cluster is ready.");
  const stream = await openPortForward(connection, connection.kc, plane.namespace, pod, APISERVER_PORT);
  stream.on("error", () => socket.destroy());
  socket.on("error", () => stream.destroy());
  socket.on("close", () => stream.destroy());
  stream.on("close", () => socket.destroy());
  socket.pipe(stream);
  stream.pipe(socket);
}

async function openTunnel(db: Db, plane: PlaneLocation): Promise<Tunnel> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.pause();
    carry(db, plane, socket).then(
      () => socket.resume(),
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  server.unref();
  return { server, port: (server.address() as { port: number }).port, sockets };
}

/** The local address that reaches the plane's apiserver (opened on first use, kept while the panel runs). */
export async function apiserverTunnel(db: Db, plane: PlaneLocation): Promise<{ server: string; tlsServerName: string }> {
  let tunnel = tunnels.get(plane.workloadId);
  if (!tunnel) {
    tunnel = openTunnel(db, plane);
    tunnels.set(plane.workloadId, tunnel);
    tunnel.catch(() => tunnels.delete(plane.workloadId));
  }
  const { port } = await tunnel;
  return { server: `https://127.0.0.1:${port}`, tlsServerName: apiserverServerName(plane.namespace) };
}

/** Closes the plane's tunnel and every connection through it (the cluster is being deleted). */
export async function closeTunnel(workloadId: string): Promise<void> {
  const tunnel = tunnels.get(workloadId);
  tunnels.delete(workloadId);
  if (!tunnel) return;
  const open = await tunnel.catch(() => null);
  if (!open) return;
  for (const socket of open.sockets) socket.destroy();
  await new Promise<void>((resolve) => open.server.close(() => resolve()));
}

// A nested cluster's row names its host and namespace; its workload row has the same id.
registerServerRouter(async (db, row) => {
  if (!row.parentClusterId || !row.nestedNamespace) return null;
  const [workload] = await db.select({ id: workloads.id }).from(workloads).where(eq(workloads.id, row.id));
  if (!workload) return null;
  return apiserverTunnel(db, { workloadId: row.id, hostClusterId: row.parentClusterId, namespace: row.nestedNamespace });
});
