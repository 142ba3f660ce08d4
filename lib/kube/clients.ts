// One client configuration per registered cluster, built once (decrypting the stored
// kubeconfig) and reused until the cluster's row changes. Services ask for a connection
// by cluster id and make typed API clients from it; every call then goes through `kube()`.
import { KubeConfig, type RequestContext } from "@kubernetes/client-node";
import type https from "node:https";
import type WebSocket from "ws";
import { eq } from "drizzle-orm";
import { addressPolicy, guardedLookup } from "@/lib/clusters/server-address";
import { resolveSshRoute } from "@/lib/clusters/settings";
import { openSecret } from "@/lib/crypto/secret-box";
import type { Db } from "@/lib/db";
import { clusters } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";
import { NotFoundError, UnavailableError, ValidationError } from "@/lib/errors";
import { CancellableKubeConfig } from "@/lib/kube/call-deadline";
import { kubeConfigFromStored } from "@/lib/kube/kubeconfig";
import type { ClusterRef } from "@/lib/kube/transport";

/** Where the encrypted kubeconfig of cluster `id` is bound (associated data of the seal). */
export const kubeconfigSealContext = (clusterId: string) => `cluster:${clusterId}:kubeconfig`;

/** The identity a team's requests run as when the cluster has impersonation turned on. */
export function teamIdentity(teamId: string): { user: string; group: string } {
  return { user: `minicloud:team:${teamId}`, group: `minicloud:team:${teamId}` };
}

/** A client config that adds Impersonate-User/-Group to every request and websocket. */
class ImpersonatingKubeConfig extends CancellableKubeConfig {
  constructor(
    base: KubeConfig,
    private readonly identity: { user: string; group: string },
  ) {
    super();
    // The base's own (vetted) entries, not a round trip through text the loader would interpret.
    this.loadFromOptions({ clusters: base.getClusters(), users: base.getUsers(), contexts: base.getContexts(), currentContext: base.getCurrentContext() });
    if (base instanceof CancellableKubeConfig) this.connectLookup = base.connectLookup;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setHeaderParam("Impersonate-User", this.identity.user);
    context.setHeaderParam("Impersonate-Group", this.identity.group);
  }

  override async applyToHTTPSOptions(opts: https.RequestOptions | WebSocket.ClientOptions): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    opts.headers = { ...opts.headers, "Impersonate-User": this.identity.user, "Impersonate-Group": this.identity.group };
  }
}

export interface ClusterConnection extends ClusterRef {
  /** The panel's own credentials. */
  kc: KubeConfig;
  /** Whether team requests run as the team's identity (cluster setting). */
  impersonation: boolean;
  /** The config for work done on behalf of `teamId`: impersonating when enabled, else the panel's. */
  forTeam(teamId: string): KubeConfig;
  /** How ssh reaches port 22 of pods and VMs (the cluster's setting, `auto` resolved). */
  sshRoute: "port-forward" | "direct";
}

interface CachedConnection {
  version: string;
  connection: ClusterConnection;
}

const globalForClients = globalThis as typeof globalThis & { __minicloudClusterClients?: Map<string, CachedConnection> };
const cache = (globalForClients.__minicloudClusterClients ??= new Map());

/**
 * Where the panel reaches a cluster whose stored API server address it cannot dial itself: a
 * nested cluster's apiserver is a Service of its host (`https://kube-apiserver.<ns>.svc:6443`),
 * reached through a tunnel the nested domain opens (lib/nested/tunnel.ts registers the route).
 * The serving certificate is still checked, against the stored address's host name.
 */
export interface ServerRoute {
  server: string;
  tlsServerName: string;
}
type ServerRouter = (db: Db, row: typeof clusters.$inferSelect) => Promise<ServerRoute | null>;
const globalForRoutes = globalThis as typeof globalThis & { __minicloudServerRouter?: ServerRouter };

/** Registers how nested clusters are reached (one router; a module reload replaces it). */
export function registerServerRouter(router: ServerRouter): void {
  globalForRoutes.__minicloudServerRouter = router;
}

/** A copy of `kc` that dials `route.server` and checks the certificate against `route.tlsServerName`. */
export function reroutedKubeConfig(kc: KubeConfig, route: ServerRoute): KubeConfig {
  const rerouted = new CancellableKubeConfig();
  rerouted.loadFromOptions({
    clusters: kc.getClusters().map((c) => ({ ...c, server: route.server, tlsServerName: route.tlsServerName })),
    users: kc.getUsers(),
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
  });
  return rerouted;
}

/**
 * Makes every connection `kc` opens vet its server's address again as it resolves then
 * (lib/clusters/server-address.ts `guardedLookup`): for clusters registered with a kubeconfig,
 * whose host name someone else's DNS answers for.
 */
export function guardServerAddress(kc: KubeConfig): void {
  const server = kc.getCurrentCluster()?.server;
  if (!(kc instanceof CancellableKubeConfig) || !server) return;
  const url = new URL(server);
  kc.connectLookup = guardedLookup(url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443, addressPolicy());
}

/** Builds the client config of a cluster row (decrypting its kubeconfig); `route` replaces where it dials. */
export function buildConnection(
  row: { id: string; name: string; inCluster: boolean; builtIn?: boolean; kubeconfigEncrypted: string | null; settings: Record<string, unknown> },
  route?: ServerRoute | null,
): ClusterConnection {
  let kc: KubeConfig;
  if (row.inCluster) {
    kc = new CancellableKubeConfig();
    try {
      kc.loadFromCluster();
    } catch {
      throw new UnavailableError(`Cluster “${row.name}” uses the panel's in-cluster service account, but the panel is not running inside a cluster.`);
    }
  } else {
    if (!row.kubeconfigEncrypted) throw new UnavailableError(`Cluster “${row.name}” has no stored credentials.`);
    try {
      kc = kubeConfigFromStored(openSecret(getEnv().encryptionKey, kubeconfigSealContext(row.id), row.kubeconfigEncrypted));
    } catch (error) {
      // Stored credentials are vetted as pasted ones are; one from an older version may fail that.
      if (!(error instanceof ValidationError)) throw error;
      throw new UnavailableError(`The stored credentials of cluster “${row.name}” are no longer accepted: ${error.message} Register the cluster again.`);
    }
  }
  // The panel's own routes (the built-in cluster, a nested cluster's tunnel) are not vetted: it made them.
  if (route) kc = reroutedKubeConfig(kc, route);
  else if (!row.inCluster && !row.builtIn) guardServerAddress(kc);
  const impersonation = row.settings.impersonation === true;
  const sshRoute = resolveSshRoute(row.settings.sshRoute, row.inCluster);
  const perTeam = new Map<string, KubeConfig>();
  return {
    id: row.id,
    name: row.name,
    kc,
    impersonation,
    sshRoute,
    forTeam(teamId) {
      if (!impersonation) return kc;
      let config = perTeam.get(teamId);
      if (!config) perTeam.set(teamId, (config = new ImpersonatingKubeConfig(kc, teamIdentity(teamId))));
      return config;
    },
  };
}

/** The connection of cluster `clusterId`, reused while its row is unchanged. */
export async function getClusterConnection(db: Db, clusterId: string): Promise<ClusterConnection> {
  const [row] = await db.select().from(clusters).where(eq(clusters.id, clusterId));
  if (!row) throw new NotFoundError("No such cluster.");
  const router = globalForRoutes.__minicloudServerRouter;
  const route = row.kind === "nested" && router ? await router(db, row) : null;
  const version = `${row.updatedAt.getTime()}|${route?.server ?? ""}`;
  const cached = cache.get(clusterId);
  if (cached?.version === version) return cached.connection;
  const connection = buildConnection(row, route);
  cache.set(clusterId, { version, connection });
  return connection;
}

/** Drops a cluster's cached connection (after disconnect or a credentials change). */
export function forgetClusterConnection(clusterId: string): void {
  cache.delete(clusterId);
}
