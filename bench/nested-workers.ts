// Nested cluster workers' figures, for `npm run bench:nested` (call benchNestedWorkers from
// there with its host cluster and team) or on their own: `npm run bench:nested-workers`.
//
// 1. scale_0_to_10_s: a real nested control plane (the pod runner's processes) scaled from 0 to
//    10 workers; from the scale call to all 10 Nodes Ready in the nested cluster. Each worker is
//    a VM whose join agent (the harness's stand-in for kubeadm + kubelet) performs the join's
//    real protocol. Baseline in the same run: 0 → 1 worker (scale_0_to_1_s) and the ratio.
// 2. status_p95_ms: the status view's data (nodes, pods per node, volumes) for a cluster of 100
//    nodes and 5,000 pods (made in that nested cluster: Nodes without kubelets, pods bound to
//    them), read 50 times from the watch-fed cache as a viewer's request does; p95. Goal ≤ 200.
//    Also how long the cache takes to fill for a first viewer (status_cold_ms).
// Last line (standalone): `RESULT key=value …`.
import { readFileSync } from "node:fs";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { eq } from "drizzle-orm";
import type { Actor } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { percentile, prepareBenchEnvironment } from "./support";

const WORKERS = 10;
const STATUS_NODES = 100;
const STATUS_PODS = 5000;
const STATUS_ROUNDS = 50;
const seconds = (ms: number) => Math.round(ms / 100) / 10;

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

export interface WorkersBenchContext {
  db: Db;
  actor: Actor;
  teamId: string;
  /** A host cluster whose VM disk catalog offers a worker image. */
  hostClusterId: string;
  log: (line: string) => void;
}

/** Runs both measures on a fresh nested cluster (deleted afterwards); returns the figures. */
export async function benchNestedWorkers(ctx: WorkersBenchContext): Promise<Record<string, number>> {
  const { createNestedCluster, deleteNestedCluster } = await import("@/lib/nested/service");
  const { getWorkerPool, scaleWorkerPool } = await import("@/lib/nested/workers/pool");
  const { nestedAdminConfig } = await import("@/lib/nested/lifecycle-driver");
  const { loadPki } = await import("@/lib/nested/store");
  const { requireNestedRow } = await import("@/lib/nested/rows");
  const { holdStatusCache, statusSummaryOf } = await import("@/lib/status/service");
  const { db, actor, log } = ctx;

  const started = await createNestedCluster(db, actor, { teamId: ctx.teamId, hostClusterId: ctx.hostClusterId, name: "workers bench", version: "v1.35.4" });
  const outcome = await started.done;
  if (outcome.state !== "ready") throw new Error(`the nested cluster is ${outcome.state}`);
  const clusterId = started.id;
  try {
    const untilReady = async (count: number, t0: number) => {
      for (;;) {
        const pool = await getWorkerPool(db, clusterId);
        const failed = pool.workers.find((w) => w.state === "failed");
        if (failed) throw new Error(`${failed.name} failed: ${failed.reason}`);
        if (pool.workers.filter((w) => w.state === "ready").length >= count) return performance.now() - t0;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    let t0 = performance.now();
    await scaleWorkerPool(db, actor, { clusterId, size: 1 });
    const oneMs = await untilReady(1, t0);
    log(`0 → 1 worker Ready in ${seconds(oneMs)} s`);
    await scaleWorkerPool(db, actor, { clusterId, size: 0 });
    t0 = performance.now();
    await scaleWorkerPool(db, actor, { clusterId, size: WORKERS });
    const tenMs = await untilReady(WORKERS, t0);
    log(`0 → ${WORKERS} workers Ready in ${seconds(tenMs)} s`);
    await scaleWorkerPool(db, actor, { clusterId, size: 0 });

    // 100 nodes and 5,000 pods in the nested cluster, then the status view's data.
    const pki = (await loadPki(db, clusterId))!;
    const { kc } = await nestedAdminConfig(db, await requireNestedRow(db, clusterId), pki);
    await fillCluster(kc, log);
    let t1 = performance.now();
    const held = await holdStatusCache(db, clusterId);
    await held.cache.ready;
    const coldMs = performance.now() - t1;
    const times: number[] = [];
    for (let i = 0; i < STATUS_ROUNDS; i++) {
      t1 = performance.now();
      const again = await holdStatusCache(db, clusterId);
      const summary = statusSummaryOf(again.cache);
      JSON.stringify(summary); // what is sent to the browser
      times.push(performance.now() - t1);
      again.release();
      if (summary.totals.pods < STATUS_PODS || summary.totals.nodes < STATUS_NODES) throw new Error(`the cache holds ${summary.totals.nodes} nodes and ${summary.totals.pods} pods`);
    }
    held.release();
    log(`status view data: cold ${Math.round(coldMs)} ms, p95 ${percentile(times, 95).toFixed(1)} ms over ${STATUS_ROUNDS}`);
    return {
      scale_0_to_10_s: seconds(tenMs),
      scale_0_to_1_s: seconds(oneMs),
      scale_10_vs_1: Math.round((tenMs / oneMs) * 100) / 100,
      status_p95_ms: Math.round(percentile(times, 95) * 10) / 10,
      status_p50_ms: Math.round(percentile(times, 50) * 10) / 10,
      status_cold_ms: Math.round(coldMs),
    };
  } finally {
    await deleteNestedCluster(db, actor, { clusterId, confirmName: "workers bench" }).catch((error: Error) => log(`delete: ${error.message}`));
  }
}

/** 100 Nodes and 5,000 pods bound to them across 10 namespaces (no kubelet: the pods stay Pending). */
async function fillCluster(kc: KubeConfig, log: (line: string) => void): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const t0 = performance.now();
  const nodes = Array.from({ length: STATUS_NODES }, (_, i) => `bench-node-${String(i).padStart(3, "0")}`);
  await inBatches(nodes, 10, async (name) => {
    await core.createNode({ body: { metadata: { name, labels: { "kubernetes.io/hostname": name } }, status: { capacity: { cpu: "8", memory: "32Gi", pods: "110" }, allocatable: { cpu: "8", memory: "32Gi", pods: "110" } } } });
  });
  const namespaces = Array.from({ length: 10 }, (_, i) => `bench-${i}`);
  for (const name of namespaces) await core.createNamespace({ body: { metadata: { name } } });
  // The namespaces' default ServiceAccount must exist before pods are admitted.
  for (const namespace of namespaces) {
    while (!(await core.readNamespacedServiceAccount({ name: "default", namespace }).catch(() => null))) await new Promise((r) => setTimeout(r, 200));
  }
  await inBatches(
    Array.from({ length: STATUS_PODS }, (_, i) => i),
    20,
    async (i) => {
      await core.createNamespacedPod({
        namespace: namespaces[i % namespaces.length]!,
        body: { metadata: { name: `pod-${i}` }, spec: { nodeName: nodes[i % nodes.length], automountServiceAccountToken: false, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } },
      });
    },
  );
  log(`${STATUS_NODES} nodes and ${STATUS_PODS} pods made in ${seconds(performance.now() - t0)} s`);
}

async function main() {
  const { startLocalCluster } = await import("../dev/cluster/index");
  const { createDatabase } = await import("@/lib/db/client");
  const { migrateDatabase } = await import("@/lib/db/migrate");
  const { createFirstAdmin } = await import("@/lib/users/service");
  const { createOrg } = await import("@/lib/orgs/service");
  const { createTeam } = await import("@/lib/teams/service");
  const { registerCluster } = await import("@/lib/clusters/service");
  const { assignCluster } = await import("@/lib/clusters/assignments");
  const { clusters } = await import("@/lib/db/schema");
  const log = (line: string) => console.log(`[bench:nested-workers] ${line}`);
  const deadline = setTimeout(() => {
    console.error("[bench:nested-workers] over the 15-minute bound; stopping");
    process.exit(2);
  }, 15 * 60_000);
  deadline.unref();
  log("starting the local control plane");
  const cluster = await startLocalCluster({ log: () => {} });
  const database = await createDatabase({ memory: true });
  const db = database.db;
  try {
    await migrateDatabase(db);
    const admin = await createFirstAdmin(db, { name: "Bench Admin", email: "bench@example.test", password: "a long bench password" });
    const actor = { userId: admin.id, label: admin.email };
    const org = await createOrg(db, actor, { name: "bench" });
    const team = await createTeam(db, actor, { orgId: org.id, name: "workers" });
    const { cluster: host } = await registerCluster(db, actor, { name: "bench", source: { kind: "kubeconfig", kubeconfig: readFileSync(cluster.kubeconfigPath, "utf8") } });
    await db.update(clusters).set({ settings: { vmImageCatalog: [{ label: "Kubernetes worker", image: "minicloud.dev/guests/kube-worker" }] } }).where(eq(clusters.id, host.id));
    await assignCluster(db, actor, { clusterId: host.id, teamId: team.id, quota: {} });
    const result = await benchNestedWorkers({ db, actor, teamId: team.id, hostClusterId: host.id, log });
    console.log(`RESULT ${Object.entries(result).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  } finally {
    await database.close().catch(() => {});
    await cluster.stop();
  }
}

if (process.argv[1]?.endsWith("nested-workers.ts")) {
  prepareBenchEnvironment();
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
