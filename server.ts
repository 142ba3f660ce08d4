// The one minicloud process: Next.js pages, server actions and route handlers, plus the
// websocket gateway on /ws/* — all on one port. (Disk image uploads' bytes are carried by a small
// helper process it starts with the first upload: lib/vms/disks/upload/relay.ts.)
import { createServer } from "node:http";
import next from "next";
import { stampClientIp } from "@/lib/auth/client-ip";
import { endAllLiveSessions } from "@/lib/console/session/live-sessions";
import { createPanelGateway, recordingsDirOf } from "@/lib/console/gateway/panel-gateway";
import { endAbandonedSessions } from "@/lib/console/session/session-store";
import { terminalServiceDefaults } from "@/lib/console/gateway/terminal-routes";
import { getDb } from "@/lib/db";
import { EnvError, getEnv } from "@/lib/env";
import { stopAllWatchCaches } from "@/lib/kube/watch-cache";
import { stopAllVmWatchCaches } from "@/lib/vms/watch-cache";
import { stopLiveHub } from "@/lib/live/hub";
import { installLocalClusterRunner } from "@/lib/local-cluster/runner";
import { log } from "@/lib/observe/log";
import { isVmDiskUploadUrl, serveVmDiskUpload } from "@/lib/api/vm-disk-upload";
import { handleObserved, upgradeObserved } from "@/lib/observe/http";
import { METRICS_PATH, serveMetrics } from "@/lib/observe/metrics-endpoint";
import "@/lib/workload-kinds"; // registers every kind with the workload lifecycle
import { startReconciler } from "@/lib/workloads/reconciler";
import { fixHeapGrowth } from "@/lib/runtime/heap-growth";

fixHeapGrowth();

async function main() {
  const env = getEnv();
  const dev = process.argv.includes("--dev");
  if (env.encryptionKeySource === "generated") {
    log.warn(`MINICLOUD_ENCRYPTION_KEY is unset; using a key generated in ${env.dataDir}/encryption-key (development only — set the variable in production)`);
  }
  // next-auth v4 builds its callback URLs from NEXTAUTH_URL.
  process.env.NEXTAUTH_URL ??= env.publicUrl;

  // Each step of the start with its duration, and the total since `npm start` began; the first
  // counts from this process's start (performance.now()'s origin): loading the panel's code.
  let stepStarted = 0;
  const timed = (step: string) => {
    const seconds = Number(((performance.now() - stepStarted) / 1000).toFixed(1));
    log.info({ startStep: step, seconds }, `${step} (${seconds.toFixed(1)} s)`);
    stepStarted = performance.now();
  };
  timed("server code loaded");
  const db = await getDb(); // applies migrations before the first request
  timed(`database open, migrations applied (${env.databaseUrl ? "PostgreSQL" : "PGlite"})`);
  // Finishes or cleans up interrupted creates and deletes, carries out time-to-live, marks lost
  // workloads (one replica at a time, under a lease): now, then every 30 s.
  const reconciler = startReconciler({ db, holder: terminalServiceDefaults().hostId, intervalMs: 30_000 });
  const app = next({ dev, hostname: env.host, port: env.port });
  const handle = app.getRequestHandler();
  await app.prepare();
  timed("Next.js ready");

  // Sessions this replica held when its previous run died cannot be live now: end their rows
  // (keeping what their recording spools still hold).
  const abandoned = await endAbandonedSessions(db, terminalServiceDefaults().hostId, recordingsDirOf(env));
  if (abandoned > 0) log.warn(`ended ${abandoned} terminal session row(s) left open by this replica's previous run`);
  const gatewayLog = log.child({ module: "gateway" });
  const gateway = createPanelGateway(db, env, { log: (line) => gatewayLog.info(line) });
  // The built-in local cluster: its processes are this process's children and stop with it.
  const localCluster = await installLocalClusterRunner();

  // Node's limits hold for every request (a whole request within 5 minutes, its headers within
  // one): a disk image upload of many GiB takes longer, but its body is carried by the upload
  // relay process (lib/vms/disks/upload/relay.ts), outside this server, once it is handed over.
  const server = createServer((req, res) =>
    handleObserved(req, res, () => {
      if (req.url === METRICS_PATH || req.url?.startsWith(`${METRICS_PATH}?`)) return void serveMetrics(req, res, env);
      stampClientIp(req, env.trustProxy);
      // Disk image uploads: the request body piped straight to CDI's upload proxy (see the file).
      if (isVmDiskUploadUrl(req.url)) return void serveVmDiskUpload(req, res, db);
      void handle(req, res);
    }),
  );
  server.on("upgrade", (req, socket, head) =>
    upgradeObserved(req, () => {
      if (req.url?.startsWith("/ws/")) return void gateway.handleUpgrade(req, socket, head);
      if (dev) return void app.getUpgradeHandler()(req, socket, head); // hot reload
      socket.destroy();
    }),
  );

  server.listen(env.port, env.host, () => {
    timed("listening");
    const total = env.launchedAtMs === null ? "" : `; ${((Date.now() - env.launchedAtMs) / 1000).toFixed(1)} s after \`npm start\``;
    const sinceLaunch = env.launchedAtMs === null ? {} : { secondsSinceNpmStart: Number(((Date.now() - env.launchedAtMs) / 1000).toFixed(1)) };
    log.info(sinceLaunch, `serving on ${env.publicUrl} (listening on ${env.host}:${env.port}, ${env.databaseUrl ? "PostgreSQL" : `PGlite in ${env.dataDir}`}${total})`);
  });

  const shutdown = () => {
    void reconciler.stop();
    gateway.close();
    stopLiveHub(); // ends the live-event streams, which would otherwise hold server.close() open
    stopAllWatchCaches();
    stopAllVmWatchCaches();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const clusterStopped = localCluster.stop().catch((error: Error) => log.error({ err: error }, "the built-in local cluster did not stop cleanly"));
    void Promise.all([closed, clusterStopped]).then(() => process.exit(0));
    // Whatever is still running then dies with this process (its children carry a parent-death signal).
    setTimeout(() => process.exit(0), 8000).unref();
  };
  // Terminals first: each ends with a message to its user and a complete session row.
  process.on("SIGTERM", () => void endAllLiveSessions().then(shutdown));
  process.on("SIGINT", () => void endAllLiveSessions().then(shutdown));
}

main().catch((error) => {
  if (error instanceof EnvError) {
    console.error(error.message); // a person reads this at the terminal: plain text
  } else {
    log.fatal({ err: error }, "failed to start");
  }
  process.exit(1);
});
