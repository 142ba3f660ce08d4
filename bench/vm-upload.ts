// What uploading a VM disk through the panel costs: 1 GiB (generated as it is sent, never held)
// streamed through the panel's upload route (the handler server.ts answers the browser's
// `POST /api/vm-disk-uploads/<vm>` with, behind a loopback HTTP server in this process set up as
// server.ts sets up its own: no request timeout, each request observed) to CDI's upload proxy, against the same 1 GiB sent straight to the upload proxy, both from
// one sending process (bench/upload-client.ts, as a browser would be); and how much the panel's
// RSS grows during the panel's upload: this process's and its upload relay process's together. The local control plane (with the CDI
// upload proxy stand-in) runs in a child process too, so neither side's memory is counted. The
// panel's database is PostgreSQL, as where the panel is deployed (DATABASE_URL): PGlite would put
// the database's memory (a few hundred MiB of WebAssembly memory) in the relaying process.
// Goals (issue 13): upload_ratio ≥ 0.9, upload_rss_growth_mib ≤ 64.
// Alone: `npm run bench:vm-upload` (last line `RESULT upload_ratio=… upload_rss_growth_mib=…`);
// `UPLOAD_BENCH_MIB` changes the size, `UPLOAD_BENCH_ROUNDS` the rounds per path (median).
import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { median, prepareBenchEnvironment } from "./support";

/** The figures this benchmark reports. */
export interface VmUploadFigures {
  upload_ratio: number;
  upload_rss_growth_mib: number;
}

const MIB = 1024 * 1024;

/** Starts the local control plane in a child process; resolves with its kubeconfig and a stop function. */
async function clusterInChild(): Promise<{ kubeconfigPath: string; stop: () => Promise<void> }> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./cluster-child.ts", import.meta.url)), [], { execArgv: process.execArgv.filter((a) => a !== "--expose-gc"), stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const ready = await new Promise<{ kubeconfigPath: string }>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { ready: { kubeconfigPath: string } }).ready));
    child.once("exit", (code) => reject(new Error(`the control plane's process ended (${code}) before it was ready`)));
  });
  return {
    kubeconfigPath: ready.kubeconfigPath,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.disconnect();
      }),
  };
}

/** A process's resident memory in bytes (Linux /proc). */
function rssOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
}

/** A process's CPU time (user + system) in seconds (Linux /proc; clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The sending side in its own process (bench/upload-client.ts): `upload(job)` resolves with MiB/s. */
function uploadClient(): { upload: (job: { url: string; ca?: string; headers: Record<string, string>; bytes: number }) => Promise<number>; stop: () => void } {
  const child = fork(fileURLToPath(new URL("./upload-client.ts", import.meta.url)), [], { execArgv: process.execArgv.filter((a) => a !== "--expose-gc"), stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return {
    upload: (job) =>
      new Promise((resolve, reject) => {
        child.once("message", (answer) => {
          const { status, seconds, error } = answer as { status?: number; seconds?: number; error?: string };
          if (error || status !== 200) reject(new Error(error ?? `upload answered ${status}`));
          else resolve(job.bytes / MIB / seconds!);
        });
        child.send(job);
      }),
    stop: () => child.disconnect(),
  };
}

/**
 * Measures (see the top of this file). Uses the local control plane at `kubeconfigPath`, or starts
 * one in a child process. `bytes` defaults to 1 GiB.
 */
export async function benchVmUpload(options: { kubeconfigPath?: string; bytes?: number; rounds?: number; log?: (line: string) => void } = {}): Promise<VmUploadFigures> {
  const log = options.log ?? ((line: string) => console.log(`[vm-upload] ${line}`));
  const bytes = options.bytes ?? 1024 * MIB;
  const rounds = options.rounds ?? 3;
  const ownDataDir = prepareBenchEnvironment();
  // This process stands in for the panel's: its heap set up as server.ts sets it up.
  const { fixHeapGrowth } = await import("@/lib/runtime/heap-growth");
  fixHeapGrowth();
  const { createDatabase } = await import("@/lib/db/client");
  const { migrateDatabase } = await import("@/lib/db/migrate");
  const { clusters, organizations, teams, teamMembers, orgMembers, users } = await import("@/lib/db/schema");
  const { sealSecret } = await import("@/lib/crypto/secret-box");
  const { getEnv } = await import("@/lib/env");
  const { kubeconfigSealContext } = await import("@/lib/kube/clients");
  const { assignCluster } = await import("@/lib/clusters/assignments");
  const { createApiToken } = await import("@/lib/api-tokens/service");
  const { createVm } = await import("@/lib/vms/service");
  const { isVmDiskUploadUrl, serveVmDiskUpload } = await import("@/lib/api/vm-disk-upload");
  const { uploadRelayPid } = await import("@/lib/vms/disks/upload/relay");
  const { handleObserved } = await import("@/lib/observe/http");
  const { requireVmRow } = await import("@/lib/vms/rows");
  const { workloadClusterContext } = await import("@/lib/workloads/cluster-context");
  const { readUploadProxy, requestUploadToken } = await import("@/lib/vms/disks/upload/proxy");
  const { readDataVolume } = await import("@/lib/vms/disks/objects");
  const { startPostgresServer } = await import("../test/integration/support/postgres-server");

  const cluster = options.kubeconfigPath ? { kubeconfigPath: options.kubeconfigPath, stop: async () => {} } : (log("starting the local control plane (child process)"), await clusterInChild());
  const postgres = await startPostgresServer();
  const database = await createDatabase({ url: postgres.url });
  const db = database.db;
  let server: Server | undefined;
  const stops: (() => void)[] = [];
  try {
    await migrateDatabase(db);
    const [user] = await db.insert(users).values({ email: "bench-uploads@example.test", name: "bench", isPlatformAdmin: true }).returning();
    const actor = { userId: user!.id, label: user!.email };
    const [org] = await db.insert(organizations).values({ name: "bench-uploads", slug: `bench-${randomUUID().slice(0, 8)}` }).returning();
    const [team] = await db.insert(teams).values({ orgId: org!.id, name: "uploads", slug: "uploads" }).returning();
    await db.insert(orgMembers).values({ orgId: org!.id, userId: user!.id, role: "owner" });
    await db.insert(teamMembers).values({ teamId: team!.id, userId: user!.id, role: "admin" });
    const clusterId = randomUUID();
    const sealed = sealSecret(getEnv().encryptionKey, kubeconfigSealContext(clusterId), readFileSync(cluster.kubeconfigPath, "utf8"));
    await db.insert(clusters).values({ id: clusterId, name: "bench-uploads", slug: `bench-uploads-${clusterId.slice(0, 8)}`, kind: "host", kubeconfigEncrypted: sealed, settings: {} });
    await assignCluster(db, actor, { clusterId, teamId: team!.id, quota: { cpuMillicores: null, memoryMib: null, maxPods: null, maxVms: null, storageGib: null } });
    const { plaintext: token } = await createApiToken(db, actor, { name: "bench" });
    const diskGib = Math.max(1, Math.ceil(bytes / 1024 ** 3) + 1);

    /** A new VM with an upload disk, once CDI is ready for it: its workload id and context. */
    const uploadTarget = async (n: number) => {
      const created = await createVm(db, actor, { teamId: team!.id, clusterId, name: `upload bench ${n < 0 ? "warm" : n}`, bootSource: "upload", diskSizeGib: String(diskGib), runStrategy: "Halted", size: "", cpuCores: "1", memoryMib: "512", cloudInit: "" });
      const row = await requireVmRow(db, team!.id, created.id);
      const ctx = await workloadClusterContext(db, row);
      for (let i = 0; i < 200; i++) {
        if ((await readDataVolume(ctx, row.spec.disk!.dataVolumeName))?.status?.phase === "UploadReady") return { id: created.id, ctx, dataVolume: row.spec.disk!.dataVolumeName };
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error("the DataVolume did not become UploadReady");
    };

    // The panel's route, served as server.ts serves it (before Next.js, which never sees these requests).
    server = createServer((req, res) =>
      handleObserved(req, res, () => {
        if (isVmDiskUploadUrl(req.url)) return void serveVmDiskUpload(req, res, db);
        res.writeHead(404).end();
      }),
    );
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const panelUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const direct: number[] = [];
    const panel: number[] = [];
    const growth: number[] = [];
    const client = uploadClient();
    stops.push(() => client.stop());
    const throughPanel = (id: string, size: number) =>
      client.upload({ url: `${panelUrl}/api/vm-disk-uploads/${id}`, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/octet-stream", "Content-Length": String(size) }, bytes: size });
    // A small upload through the panel first: code loaded and connections made once are not what the figure is about.
    await throughPanel((await uploadTarget(-1)).id, 4 * MIB);
    for (let round = 0; round < rounds; round++) {
      // Straight to the upload proxy: a token and a POST, from this process.
      const straight = await uploadTarget(round * 2);
      const proxy = await readUploadProxy(straight.ctx.connection);
      const uploadToken = await requestUploadToken(straight.ctx, straight.dataVolume);
      direct.push(await client.upload({ url: `${proxy.url}/v1beta1/upload`, ca: proxy.caPem, headers: { Authorization: `Bearer ${uploadToken}`, "Content-Type": "application/octet-stream", "Content-Length": String(bytes) }, bytes }));
      log(`round ${round + 1}: straight to the upload proxy ${direct.at(-1)!.toFixed(1)} MiB/s`);

      // Through the panel's route, watching the RSS of this process and of its upload relay
      // process (started by the warm-up upload): the panel's memory is both.
      const through = await uploadTarget(round * 2 + 1);
      globalThis.gc?.();
      const relayPid = uploadRelayPid();
      if (relayPid === undefined) throw new Error("the upload relay process is not running after the warm-up upload");
      const before = process.memoryUsage.rss();
      const relayBefore = rssOf(relayPid);
      let [peak, relayPeak] = [before, relayBefore];
      let atPeak = process.memoryUsage();
      const cpuBefore = process.cpuUsage();
      const relayCpuBefore = cpuSecondsOf(relayPid);
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const sampler = setInterval(() => {
        const now = process.memoryUsage();
        if (now.rss > peak) [peak, atPeak] = [now.rss, now];
        relayPeak = Math.max(relayPeak, rssOf(relayPid));
      }, 20);
      try {
        panel.push(await throughPanel(through.id, bytes));
      } finally {
        clearInterval(sampler);
        loop.disable();
      }
      const cpu = process.cpuUsage(cpuBefore);
      log(`panel process during the upload: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU, event loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms; upload relay process: ${(cpuSecondsOf(relayPid) - relayCpuBefore).toFixed(1)} s of CPU, RSS +${((relayPeak - relayBefore) / MIB).toFixed(1)} MiB`);
      growth.push((peak - before + relayPeak - relayBefore) / MIB);
      const mib = (n: number) => `${(n / MIB).toFixed(1)} MiB`;
      log(`at the peak: heap ${mib(atPeak.heapUsed)} of ${mib(atPeak.heapTotal)}, external ${mib(atPeak.external)} (array buffers ${mib(atPeak.arrayBuffers)})`);
      log(`round ${round + 1}: through the panel ${panel.at(-1)!.toFixed(1)} MiB/s, RSS (panel and relay) +${growth.at(-1)!.toFixed(1)} MiB`);
    }
    const figures = { upload_ratio: Number((median(panel) / median(direct)).toFixed(3)), upload_rss_growth_mib: Number(Math.max(...growth).toFixed(1)) };
    log(`${(bytes / MIB).toFixed(0)} MiB: straight ${median(direct).toFixed(1)} MiB/s, through the panel ${median(panel).toFixed(1)} MiB/s (median of ${rounds}); peak RSS growth ${figures.upload_rss_growth_mib} MiB`);
    return figures;
  } finally {
    for (const stop of stops) stop();
    server?.close();
    await database.close();
    await postgres.stop();
    await cluster.stop();
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const mib = Number(process.env.UPLOAD_BENCH_MIB ?? 1024);
  const rounds = Number(process.env.UPLOAD_BENCH_ROUNDS ?? 3);
  benchVmUpload({ bytes: mib * MIB, rounds })
    .then((figures) => {
      console.log(`RESULT upload_ratio=${figures.upload_ratio} upload_rss_growth_mib=${figures.upload_rss_growth_mib}`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
