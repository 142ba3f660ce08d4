// `npm run bench:nested`: hosted control planes against the local control plane (dev/cluster).
//
// 1. plane_create_100_s: 100 nested clusters' PKI and objects (namespace, Secrets, etcd
//    StatefulSet and Services, three Deployments, the apiserver Service, a NetworkPolicy) made
//    through the service, 10 at a time, the processes not started (the images are ones the
//    pod runner does not play, and the create stops once the objects exist). Goal ≤ 60 s
//    (Kamaji reports about 4.5 s per plane at 100).
// 2. plane_heap_kib: the panel's heap kept per plane after those creates (after GC), over 100.
//    Goal ≤ 1024 KiB.
// 3. ready_p50_s: from the create call to the nested /readyz answering ok through the panel's
//    tunnel, with real etcd / kube-apiserver processes (the pod runner), median of 3, one at a
//    time. Goal ≤ 15 s. Also how long until every step is done (registered).
// Baseline in the same run: how long the harness took to start its own control plane.
// Last line: `RESULT key=value …`.
import { readFileSync } from "node:fs";
import { median, prepareBenchEnvironment } from "./support";

prepareBenchEnvironment();

const PLANES = 100;
const CONCURRENCY = 20;
const READY_ROUNDS = 3;
const DEADLINE_MS = 15 * 60_000;

const log = (line: string) => console.log(`[bench:nested] ${line}`);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

async function inBatches<T>(items: T[], size: number, run: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const index = next++;
        await run(items[index]!, index);
      }
    }),
  );
}

function heapKib(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc (npm run bench:nested does)");
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024;
}

async function main() {
  const deadline = setTimeout(() => {
    console.error("[bench:nested] over the 15-minute bound; stopping");
    process.exit(2);
  }, DEADLINE_MS);
  deadline.unref();
  const { startLocalCluster } = await import("../dev/cluster/index");
  const { createDatabase } = await import("@/lib/db/client");
  const { migrateDatabase } = await import("@/lib/db/migrate");
  const { createFirstAdmin } = await import("@/lib/users/service");
  const { createOrg } = await import("@/lib/orgs/service");
  const { createTeam } = await import("@/lib/teams/service");
  const { registerCluster } = await import("@/lib/clusters/service");
  const { assignCluster } = await import("@/lib/clusters/assignments");
  const { createNestedCluster, deleteNestedCluster } = await import("@/lib/nested/service");
  const { nestedTimings, nestedAdminConfig } = await import("@/lib/nested/lifecycle-driver");
  const { nestedGet } = await import("@/lib/nested/health");
  const { loadPki } = await import("@/lib/nested/store");
  const { requireNestedRow } = await import("@/lib/nested/rows");

  log("starting the local control plane");
  const clusterStart = performance.now();
  const cluster = await startLocalCluster({ log: () => {} });
  const hostStartMs = performance.now() - clusterStart;
  const database = await createDatabase({ memory: true });
  const db = database.db;
  try {
    await migrateDatabase(db);
    const admin = await createFirstAdmin(db, { name: "Bench Admin", email: "bench@example.test", password: "a long bench password" });
    const actor = { userId: admin.id, label: admin.email };
    const org = await createOrg(db, actor, { name: "bench" });
    const team = await createTeam(db, actor, { orgId: org.id, name: "planes" });
    const { cluster: host } = await registerCluster(db, actor, { name: "bench", source: { kind: "kubeconfig", kubeconfig: readFileSync(cluster.kubeconfigPath, "utf8") } });
    await assignCluster(db, actor, { clusterId: host.id, teamId: team.id, quota: {} });

    // 1 + 2: 100 planes' PKI and objects, no processes.
    const unplayed = (name: string) => `registry.example.test/bench/${name}-unplayed:1`;
    const images = { etcd: unplayed("etcd"), apiserver: unplayed("kube-apiserver"), controllerManager: unplayed("kube-controller-manager"), scheduler: unplayed("kube-scheduler") };
    nestedTimings.objectsOnly = true;
    const heapBefore = heapKib();
    const made: { id: string; name: string }[] = [];
    const createStart = performance.now();
    await inBatches(
      Array.from({ length: PLANES }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        const started = await createNestedCluster(db, actor, { teamId: team.id, hostClusterId: host.id, name: `plane ${i}`, version: "v1.35.4", images });
        const outcome = await started.done;
        if (outcome.state !== "ready") throw new Error(`plane ${i}: ${outcome.state}`);
        made.push({ id: started.id, name: `plane ${i}` });
      },
    );
    const createMs = performance.now() - createStart;
    const heapPerPlane = (heapKib() - heapBefore) / PLANES;
    log(`${PLANES} planes' PKI and objects in ${seconds(createMs)} s; heap kept per plane ${heapPerPlane.toFixed(1)} KiB`);
    nestedTimings.objectsOnly = false;
    const deleteStart = performance.now();
    await inBatches(made, 20, async (plane) => {
      await deleteNestedCluster(db, actor, { clusterId: plane.id, confirmName: plane.name });
    });
    log(`deleted them in ${seconds(performance.now() - deleteStart)} s`);

    // 3: real control planes, create call → nested /readyz ok through the panel's tunnel.
    const readyMs: number[] = [];
    const allStepsMs: number[] = [];
    for (let round = 0; round < READY_ROUNDS; round++) {
      const t0 = performance.now();
      const started = await createNestedCluster(db, actor, { teamId: team.id, hostClusterId: host.id, name: `live ${round}`, version: "v1.35.4" });
      let doneAt = 0;
      void started.done.then(() => (doneAt = performance.now()), () => (doneAt = -1));
      for (;;) {
        const pki = await loadPki(db, started.id);
        if (pki) {
          const { kc } = await nestedAdminConfig(db, await requireNestedRow(db, started.id), pki);
          const answer = await nestedGet(kc, "/readyz", 2000);
          if ("status" in answer && answer.status === 200 && answer.body === "ok") break;
        }
        if (doneAt === -1) throw new Error(`live ${round} failed: ${await started.done.catch((e: Error) => e.message)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      readyMs.push(performance.now() - t0);
      await started.done;
      allStepsMs.push(doneAt - t0);
      log(`live ${round}: /readyz ok after ${seconds(readyMs.at(-1)!)} s, every step done after ${seconds(allStepsMs.at(-1)!)} s`);
      await deleteNestedCluster(db, actor, { clusterId: started.id, confirmName: `live ${round}` });
    }

    // 4: worker VMs joining (0 → 10) and the status view at 100 nodes / 5,000 pods (bench/nested-workers.ts).
    const { clusters } = await import("@/lib/db/schema");
    const { eq } = await import("drizzle-orm");
    const { benchNestedWorkers } = await import("./nested-workers");
    await db.update(clusters).set({ settings: { vmImageCatalog: [{ label: "Kubernetes worker", image: "minicloud.dev/guests/kube-worker" }] } }).where(eq(clusters.id, host.id));
    const workers = await benchNestedWorkers({ db, actor, teamId: team.id, hostClusterId: host.id, log });

    const result = {
      plane_create_100_s: seconds(createMs),
      plane_create_per_plane_s: Math.round(createMs / PLANES) / 1000,
      plane_heap_kib: Math.round(heapPerPlane * 10) / 10,
      ready_p50_s: seconds(median(readyMs)),
      ready_max_s: seconds(Math.max(...readyMs)),
      all_steps_p50_s: seconds(median(allStepsMs)),
      baseline_host_start_s: seconds(hostStartMs),
      ready_vs_host_start: Math.round((median(readyMs) / hostStartMs) * 100) / 100,
      ...workers,
    };
    console.log(`RESULT ${Object.entries(result).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  } finally {
    await database.close().catch(() => {});
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
