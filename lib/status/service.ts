// The status view of any registered cluster, host or nested: its nodes, pods per node, volumes
// and claims from a watch-fed cache (cache.ts, summary.ts), and its control plane — the
// apiserver's readiness checks (etcd's among them), and for a nested cluster each etcd member's
// health, its components' pods and leader leases and its certificates' expiry (for a host, the
// apiserver's serving certificate as it presents it).
import tls from "node:tls";
import { eq } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { clusters } from "@/lib/db/schema";
import { NotFoundError } from "@/lib/errors";
import { getClusterConnection } from "@/lib/kube/clients";
import { etcdMemberHealth, nestedGet, parseReadyz, type ReadyzCheck } from "@/lib/nested/health";
import { etcdMembers } from "@/lib/nested/manifests";
import { requireNestedRow } from "@/lib/nested/rows";
import { nestedClusterHealth } from "@/lib/nested/service";
import { loadPki } from "@/lib/nested/store";
import { certificateExpiries } from "@/lib/pki/cluster-pki";
import { startStatusCache, type StatusCache } from "@/lib/status/cache";
import { summarizeCluster, type StatusSummary } from "@/lib/status/summary";

/** How long a cache stays after its last viewer left. */
const IDLE_STOP_MS = 120_000;

interface Entry {
  cache: StatusCache;
  viewers: number;
  idleTimer?: NodeJS.Timeout;
}

const globalForStatus = globalThis as typeof globalThis & { __minicloudStatusCaches?: Map<string, Promise<Entry>> };
const caches = (globalForStatus.__minicloudStatusCaches ??= new Map());

/** Takes a viewer's hold on cluster `clusterId`'s cache (started on first use); release it when done. */
export async function holdStatusCache(db: Db, clusterId: string): Promise<{ cache: StatusCache; release: () => void }> {
  let entry = caches.get(clusterId);
  if (!entry) {
    entry = getClusterConnection(db, clusterId).then((connection) => ({ cache: startStatusCache(connection.kc), viewers: 0 }));
    caches.set(clusterId, entry);
    entry.catch(() => caches.delete(clusterId));
  }
  const held = await entry;
  held.viewers++;
  if (held.idleTimer) clearTimeout(held.idleTimer);
  let released = false;
  return {
    cache: held.cache,
    release: () => {
      if (released) return;
      released = true;
      held.viewers--;
      if (held.viewers > 0) return;
      held.idleTimer = setTimeout(() => {
        if (held.viewers > 0 || caches.get(clusterId) !== entry) return;
        caches.delete(clusterId);
        void held.cache.stop();
      }, IDLE_STOP_MS);
      held.idleTimer.unref();
    },
  };
}

/** The nodes, pods and volumes part, from a cache that has listed. */
export function statusSummaryOf(cache: StatusCache): StatusSummary {
  return summarizeCluster({ nodes: cache.nodes(), pods: cache.pods(), persistentVolumes: cache.persistentVolumes(), claims: cache.claims() });
}

export interface ControlPlaneStatus {
  readyz: { ok: boolean; checks: ReadyzCheck[]; reason?: string };
  etcd: { member: string; healthy: boolean; reason?: string }[] | null;
  components: { component: string; ready: number; total: number }[] | null;
  leases: { controllerManager: string | null; scheduler: string | null } | null;
  certificates: { name: string; notAfter: string; isCa: boolean }[];
}

/** The serving certificate the apiserver at `server` presents (its expiry), or null. */
function servingCertificateExpiry(server: string, serverName?: string): Promise<string | null> {
  const url = new URL(server);
  return new Promise((resolve) => {
    const socket = tls.connect({ host: url.hostname, port: Number(url.port || 443), servername: serverName ?? (/^[\d.]+$/.test(url.hostname) ? undefined : url.hostname), rejectUnauthorized: false, timeout: 5000 }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve(cert?.valid_to ? new Date(cert.valid_to).toISOString() : null);
    });
    socket.on("error", () => resolve(null));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(null);
    });
  });
}

/** The control plane's health now. */
export async function controlPlaneStatus(db: Db, clusterId: string): Promise<ControlPlaneStatus> {
  const [row] = await db.select({ kind: clusters.kind }).from(clusters).where(eq(clusters.id, clusterId));
  if (!row) throw new NotFoundError("No such cluster.");
  if (row.kind === "nested") {
    const nested = await requireNestedRow(db, clusterId);
    const [health, pki, host] = await Promise.all([nestedClusterHealth(db, clusterId), loadPki(db, clusterId), getClusterConnection(db, nested.clusterId)]);
    const etcd = pki
      ? await Promise.all(etcdMembers(nested.spec).map(async (member) => ({ member, ...(await etcdMemberHealth(host, nested.namespace, member, pki).catch((e: Error) => ({ healthy: false, reason: e.message }))) })))
      : null;
    return {
      readyz: health.readyz,
      etcd,
      components: health.components,
      leases: health.leases,
      certificates: pki ? certificateExpiries(pki).map((c) => ({ name: c.name, notAfter: c.notAfter.toISOString(), isCa: c.isCa })) : [],
    };
  }
  const connection = await getClusterConnection(db, clusterId);
  const answer = await nestedGet(connection.kc, "/readyz?verbose");
  const readyz =
    "error" in answer
      ? { ok: false, checks: [], reason: `the API server is not reachable (${answer.error})` }
      : { ok: answer.status === 200, checks: parseReadyz(answer.body), ...(answer.status !== 200 && { reason: `the API server answered /readyz with HTTP ${answer.status}` }) };
  const cluster = connection.kc.getCurrentCluster();
  const notAfter = cluster ? await servingCertificateExpiry(cluster.server, cluster.tlsServerName) : null;
  return { readyz, etcd: null, components: null, leases: null, certificates: notAfter ? [{ name: "apiserver (serving)", notAfter, isCa: false }] : [] };
}
