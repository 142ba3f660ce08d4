// Health of a nested control plane, each from the component itself: etcd's /health (over the
// host's port-forward, with the healthcheck client certificate), the nested apiserver's
// `/readyz?verbose` (its checks, etcd's included), the controller-manager's and scheduler's
// leader leases, and each component's pods on the host.
import https from "node:https";
import tls from "node:tls";
import { CoordinationV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { openPortForward } from "@/lib/console/bridges/pod/port-forward";
import type { ClusterConnection } from "@/lib/kube/clients";
import { kube, kubeOrNull, type ClusterRef } from "@/lib/kube/transport";
import type { ClusterPki } from "@/lib/pki/cluster-pki";
import { COMPONENT_LABEL, OBJECT_NAMES } from "@/lib/nested/types";

const MAX_BODY = 64 * 1024;

/** Whether etcd member `pod` says it is healthy; the reason in plain words when not. */
export async function etcdMemberHealth(connection: ClusterConnection, namespace: string, pod: string, pki: ClusterPki): Promise<{ healthy: boolean; reason?: string }> {
  const stream = await openPortForward(connection, connection.kc, namespace, pod, 2379);
  return new Promise((resolve) => {
    const socket = tls.connect({
      socket: stream,
      servername: `${OBJECT_NAMES.etcdClientService}.${namespace}.svc`,
      ca: pki.cas["etcd-ca"].certPem,
      cert: pki.leaves["etcd-healthcheck-client"].certPem,
      key: pki.leaves["etcd-healthcheck-client"].keyPem,
    });
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ healthy: false, reason: "etcd did not answer its health check within 5 s" });
    }, 5000);
    socket.on("secureConnect", () => socket.write("GET /health HTTP/1.1\r\nHost: etcd\r\nConnection: close\r\n\r\n"));
    socket.on("data", (chunk: Buffer) => {
      if (text.length < MAX_BODY) text += chunk.toString("utf8");
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      stream.destroy();
      resolve({ healthy: false, reason: `etcd's health check failed (${(error as NodeJS.ErrnoException).code ?? "connection error"})` });
    });
    socket.on("end", () => {
      clearTimeout(timer);
      stream.destroy();
      const body = text.slice(text.indexOf("\r\n\r\n") + 4);
      try {
        const parsed = JSON.parse(body) as { health?: unknown };
        resolve(parsed.health === "true" ? { healthy: true } : { healthy: false, reason: "etcd reports itself unhealthy" });
      } catch {
        resolve({ healthy: false, reason: "etcd's health answer was not one etcd gives" });
      }
    });
  });
}

/** The answer of a GET on the nested apiserver (status and body, at most 64 KiB), or the network failure's code. */
export async function nestedGet(kc: KubeConfig, path: string, timeoutMs = 5000): Promise<{ status: number; body: string } | { error: string }> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) return { error: "no cluster" };
  const url = new URL(path, cluster.server);
  const options: https.RequestOptions = { method: "GET", timeout: timeoutMs };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve) => {
    const request = https.request(url, options, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => {
        if (body.length < MAX_BODY) body += chunk.toString("utf8");
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      response.on("error", () => resolve({ error: "connection reset" }));
    });
    request.on("timeout", () => request.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    request.on("error", (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? "connection error" }));
    request.end();
  });
}

/** One check of `/readyz?verbose`: `[+]etcd ok` → { name: "etcd", ok: true }. */
export interface ReadyzCheck {
  name: string;
  ok: boolean;
}

/** Reads the checks out of a verbose readyz answer (only lines of its `[+]name ok` / `[-]name failed` form). */
export function parseReadyz(body: string): ReadyzCheck[] {
  return body
    .split("\n")
    .map((line) => /^\[([+-])\]([A-Za-z0-9_./:-]{1,120}) (ok|failed)/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[2]!, ok: m[1] === "+" }));
}

/** The nested apiserver's readiness: ok, and its checks; a failure in plain words. */
export async function nestedReadyz(kc: KubeConfig): Promise<{ ok: boolean; checks: ReadyzCheck[]; reason?: string }> {
  const answer = await nestedGet(kc, "/readyz?verbose");
  if ("error" in answer) return { ok: false, checks: [], reason: `the nested API server is not reachable (${answer.error})` };
  const checks = parseReadyz(answer.body);
  if (answer.status === 200) return { ok: true, checks };
  const failing = checks.filter((c) => !c.ok).map((c) => c.name);
  return { ok: false, checks, reason: failing.length ? `the nested API server is not ready: ${failing.join(", ")} failing` : `the nested API server answered /readyz with HTTP ${answer.status}` };
}

/** Who holds the controller-manager's and the scheduler's leader leases in the nested cluster (null: nobody yet). */
export async function leaderLeases(cluster: ClusterRef, kc: KubeConfig): Promise<{ controllerManager: string | null; scheduler: string | null }> {
  const leases = kc.makeApiClient(CoordinationV1Api);
  const holder = async (name: string) =>
    (await kubeOrNull(cluster, `read lease ${name}`, () => leases.readNamespacedLease({ name, namespace: "kube-system" }), { timeoutMs: 5000 }))?.spec?.holderIdentity ?? null;
  const [controllerManager, scheduler] = await Promise.all([holder("kube-controller-manager"), holder("kube-scheduler")]);
  return { controllerManager, scheduler };
}

/** Each component's pods on the host: how many are ready of how many. */
export async function componentReadiness(connection: ClusterConnection, namespace: string): Promise<{ component: string; ready: number; total: number }[]> {
  const core = connection.kc.makeApiClient(CoreV1Api);
  const pods = await kube(connection, `list the control plane pods of ${namespace}`, () => core.listNamespacedPod({ namespace, labelSelector: COMPONENT_LABEL }));
  return ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"].map((component) => {
    const mine = pods.items.filter((p) => p.metadata?.labels?.[COMPONENT_LABEL] === component && !p.metadata?.deletionTimestamp);
    const ready = mine.filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length;
    return { component, ready, total: mine.length };
  });
}
