// `npm run bench:pods`: SSH pods at scale against the local control plane (dev/cluster).
//
// 1. Live status delay: 200 SSH pods created across 20 teams through the service layer. For
//    each pod we note when a plain watch on the apiserver (the baseline, same process) first
//    sees it Running, and when the panel's live-events stream (the SSE handler browsers read,
//    through the hub and the watch cache) delivers Running. Added delay = stream − baseline.
//    Goal: p95 ≤ 500 ms.
// 2. Team pods list with 2,000 minicloud pods in the cluster: server time of the list as the
//    team page and REST route compute it (database rows + watch cache), p50/p95, against the
//    same list asking the apiserver directly (baseline). Goal: p95 ≤ 150 ms. Also the watch
//    cache's memory per pod (heap after a fresh cache syncs minus before, over the pod count).
//    The 1,800 pods beyond the first 200 are created in bulk (labelled pods and workload rows,
//    as the service writes them, without Service/Secret) so the run stays within minutes.
// Last line: `RESULT key=value …`.
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { percentile, prepareBenchEnvironment } from "./support";

prepareBenchEnvironment();

const POD_COUNT = 200;
const TEAM_COUNT = 20;
const CLUSTER_PODS = 2000;
const LIST_ROUNDS = 300;
const BASELINE_LIST_ROUNDS = 40;
const CREATE_CONCURRENCY = 8;
const DEADLINE_MS = 10 * 60_000;

const ms = (v: number) => Math.round(v * 10) / 10;
const log = (line: string) => console.log(`[bench:pods] ${line}`);

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

async function main() {
  const started = Date.now();
  const { CoreV1Api, Watch } = await import("@kubernetes/client-node");
  const { startLocalCluster } = await import("../dev/cluster/index");
  const { createDatabase } = await import("@/lib/db/client");
  const { migrateDatabase } = await import("@/lib/db/migrate");
  const { workloads } = await import("@/lib/db/schema");
  const { createFirstAdmin } = await import("@/lib/users/service");
  const { createOrg } = await import("@/lib/orgs/service");
  const { createTeam } = await import("@/lib/teams/service");
  const { loadPrincipal } = await import("@/lib/tenancy/principal");
  const { registerCluster } = await import("@/lib/clusters/service");
  const { assignCluster } = await import("@/lib/clusters/assignments");
  const { DEFAULT_SSH_IMAGE } = await import("@/lib/clusters/settings");
  const { createSshPod } = await import("@/lib/pods/service");
  const { listTeamSshPods } = await import("@/lib/pods/queries");
  const { watchPodSource } = await import("@/lib/pods/watch-source");
  const { LiveHub } = await import("@/lib/live/hub");
  const { createEventStream } = await import("@/lib/live/event-stream");
  const { createPodWatchCache, stopAllWatchCaches } = await import("@/lib/kube/watch-cache");
  const { podListWatch } = await import("@/lib/kube/pod-list-watch");
  const { getClusterConnection } = await import("@/lib/kube/clients");
  const { MANAGED_SELECTOR } = await import("@/lib/kube/labels");
  const { workloadLabels } = await import("@/lib/workloads/labels");

  log("starting the local control plane");
  const cluster = await startLocalCluster({ log: () => {} });
  const database = await createDatabase({ memory: true });
  const db = database.db;
  const stopAll: (() => void | Promise<void>)[] = [];
  try {
    await migrateDatabase(db);
    const admin = await createFirstAdmin(db, { name: "Bench Admin", email: "bench@example.test", password: "a long bench password" });
    const actor = { userId: admin.id, label: admin.email };
    const principal = (await loadPrincipal(db, admin.id))!;
    const org = await createOrg(db, actor, { name: "bench" });
    const teams: { id: string }[] = [];
    for (let i = 0; i < TEAM_COUNT; i++) teams.push(await createTeam(db, actor, { orgId: org.id, name: `team-${i}` }));
    const { cluster: registered } = await registerCluster(db, actor, { name: "bench", source: { kind: "kubeconfig", kubeconfig: readFileSync(cluster.kubeconfigPath, "utf8") } });
    const assignments = new Map<string, string>();
    for (const team of teams) {
      const assignment = await assignCluster(db, actor, { clusterId: registered.id, teamId: team.id, quota: { cpuMillicores: null, memoryMib: null, maxPods: null, maxVms: null, storageGib: null } });
      assignments.set(team.id, assignment.namespace);
    }
    log(`${TEAM_COUNT} teams assigned (${Math.round((Date.now() - started) / 1000)} s)`);

    // The browser's view: the SSE handler over the hub, read as a browser would.
    const hub = new LiveHub(db);
    stopAll.push(() => hub.stop());
    const handle = createEventStream(async () => hub, async () => ({ principal, refresh: async () => principal }));
    const abort = new AbortController();
    stopAll.push(() => abort.abort());
    const response = await handle(new Request("http://127.0.0.1/api/events", { signal: abort.signal }));
    const streamRunning = new Map<string, number>();
    void (async () => {
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split("\n").find((line) => line.startsWith("data: "));
          if (!data) continue;
          const message = JSON.parse(data.slice(6)) as { type: string; workloadId?: string; runtime?: { status: string } };
          if (message.type === "pod" && message.runtime?.status === "Running" && !streamRunning.has(message.workloadId!)) {
            streamRunning.set(message.workloadId!, performance.now());
          }
        }
      }
    })();

    // The baseline: a plain watch on the apiserver in this process.
    const connection = await getClusterConnection(db, registered.id);
    const apiRunning = new Map<string, number>();
    const watch = await new Watch(connection.kc).watch(
      "/api/v1/pods",
      { labelSelector: MANAGED_SELECTOR },
      (_type: string, pod: { metadata?: { labels?: Record<string, string> }; status?: { phase?: string } }) => {
        const id = pod.metadata?.labels?.["minicloud.io/workload"];
        if (id && pod.status?.phase === "Running" && !apiRunning.has(id)) apiRunning.set(id, performance.now());
      },
      () => {},
    );
    stopAll.push(() => watch.abort());
    await new Promise((resolve) => setTimeout(resolve, 500)); // both watches established

    log(`creating ${POD_COUNT} SSH pods through the service (${CREATE_CONCURRENCY} at a time)`);
    const requested = new Map<string, number>();
    const ids: string[] = [];
    const createdAt = performance.now();
    await inBatches(
      Array.from({ length: POD_COUNT }, (_, i) => i),
      CREATE_CONCURRENCY,
      async (i) => {
        const team = teams[i % TEAM_COUNT]!;
        const t0 = performance.now();
        const created = await createSshPod(db, actor, { teamId: team.id, clusterId: registered.id, name: `pod-${i}`, image: DEFAULT_SSH_IMAGE, cpuMillicores: 100, memoryMib: 128, homeGib: null, ttlMinutes: null });
        requested.set(created.id, t0);
        ids.push(created.id);
      },
    );
    const createSeconds = (performance.now() - createdAt) / 1000;
    const deadline = Date.now() + DEADLINE_MS;
    while (ids.some((id) => !streamRunning.has(id) || !apiRunning.has(id))) {
      if (Date.now() > deadline) throw new Error(`only ${ids.filter((id) => streamRunning.has(id)).length}/${POD_COUNT} pods reached Running in the stream in time`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const added = ids.map((id) => streamRunning.get(id)! - apiRunning.get(id)!);
    const requestToRunning = ids.map((id) => streamRunning.get(id)! - requested.get(id)!);
    log(`stream delay over the apiserver watch: p50 ${ms(percentile(added, 50))} ms, p95 ${ms(percentile(added, 95))} ms, max ${ms(Math.max(...added))} ms`);
    log(`request → Running in the stream: p50 ${ms(percentile(requestToRunning, 50))} ms, p95 ${ms(percentile(requestToRunning, 95))} ms (creates took ${createSeconds.toFixed(1)} s)`);

    log(`adding ${CLUSTER_PODS - POD_COUNT} more minicloud pods in bulk`);
    const core = connection.kc.makeApiClient(CoreV1Api);
    await inBatches(
      Array.from({ length: CLUSTER_PODS - POD_COUNT }, (_, i) => i),
      16,
      async (i) => {
        const team = teams[i % TEAM_COUNT]!;
        const namespace = assignments.get(team.id)!;
        const id = randomUUID();
        const name = `bulk-${i}-${randomBytes(2).toString("hex")}`;
        await db.insert(workloads).values({ id, teamId: team.id, clusterId: registered.id, kind: "ssh-pod", namespace, name, createdBy: admin.id, spec: { displayName: name, image: DEFAULT_SSH_IMAGE, cpuMillicores: 100, memoryMib: 128, homeGib: null, ttlMinutes: null, loginName: "bench" } });
        await core.createNamespacedPod({
          namespace,
          body: {
            metadata: { name, labels: workloadLabels({ clusterId: registered.id, teamId: team.id, ownerId: admin.id, kind: "ssh-pod", workloadId: id }) },
            spec: { containers: [{ name: "ssh", image: DEFAULT_SSH_IMAGE, resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "100m", memory: "128Mi" } } }] },
          },
        });
      },
    );
    const source = watchPodSource(db);
    const cache = await (await import("@/lib/kube/watch-cache")).watchCacheFor(db, registered.id);
    while (cache.stats().objects < CLUSTER_PODS) {
      if (Date.now() > deadline) throw new Error(`the watch cache holds ${cache.stats().objects}/${CLUSTER_PODS} pods`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const timeList = async (rounds: number, options: Parameters<typeof listTeamSshPods>[2]) => {
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < rounds; i++) {
        const team = teams[i % TEAM_COUNT]!;
        const t0 = performance.now();
        rows += (await listTeamSshPods(db, team.id, options)).length;
        times.push(performance.now() - t0);
      }
      return { times, rowsPerList: rows / rounds };
    };
    await timeList(20, { podSource: source }); // warm-up
    const cached = await timeList(LIST_ROUNDS, { podSource: source });
    const direct = await timeList(BASELINE_LIST_ROUNDS, {});
    log(`team list with ${CLUSTER_PODS} pods in the cluster (${cached.rowsPerList} rows): p50 ${ms(percentile(cached.times, 50))} ms, p95 ${ms(percentile(cached.times, 95))} ms`);
    log(`baseline (list from the apiserver): p50 ${ms(percentile(direct.times, 50))} ms, p95 ${ms(percentile(direct.times, 95))} ms`);

    // Memory: a second, fresh cache of the same pods, measured around its first sync.
    const gc = (globalThis as { gc?: () => void }).gc;
    let bytesPerPod = NaN;
    if (gc) {
      gc();
      const before = process.memoryUsage().heapUsed;
      const fresh = createPodWatchCache(connection, podListWatch(connection, { labelSelector: MANAGED_SELECTOR }));
      await fresh.ready(60_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      gc();
      const after = process.memoryUsage().heapUsed;
      bytesPerPod = (after - before) / fresh.stats().objects;
      log(`watch cache memory: ${Math.round(bytesPerPod)} bytes per pod (${fresh.stats().objects} pods)`);
      fresh.stop();
    } else {
      log("watch cache memory: not measured (run with --expose-gc)");
    }
    stopAllWatchCaches();

    const p95Added = percentile(added, 95);
    const p95List = percentile(cached.times, 95);
    console.log(
      `RESULT pods=${POD_COUNT} teams=${TEAM_COUNT} stream_added_p50_ms=${ms(percentile(added, 50))} stream_added_p95_ms=${ms(p95Added)} goal_added_p95_ms=500 ` +
        `request_to_running_p50_ms=${ms(percentile(requestToRunning, 50))} request_to_running_p95_ms=${ms(percentile(requestToRunning, 95))} ` +
        `cluster_pods=${CLUSTER_PODS} list_p50_ms=${ms(percentile(cached.times, 50))} list_p95_ms=${ms(p95List)} goal_list_p95_ms=150 ` +
        `apiserver_list_p95_ms=${ms(percentile(direct.times, 95))} list_speedup=${(percentile(direct.times, 95) / p95List).toFixed(1)} ` +
        `cache_bytes_per_pod=${Math.round(bytesPerPod)} added_goal_met=${p95Added <= 500} list_goal_met=${p95List <= 150}`,
    );
  } finally {
    for (const stop of stopAll.reverse()) await stop();
    await database.close();
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error("[bench:pods] failed:", error);
    process.exit(1);
  },
);
