// The one minicloud process: Next.js pages, server actions and route handlers, plus the
// websocket gateway on /ws/* — all on one port.
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
import { stopLiveHub } from "@/lib/live/hub";
import "@/lib/workload-kinds"; // registers every kind with the workload lifecycle
import { startReconciler } from "@/lib/workloads/reconciler";

async function main() {
  const env = getEnv();
  const dev = process.argv.includes("--dev");
  if (env.encryptionKeySource === "generated") {
    console.warn(`[minicloud] warning: MINICLOUD_ENCRYPTION_KEY is unset; using a key generated in ${env.dataDir}/encryption-key (development only — set the variable in production)`);
  }
  // next-auth v4 builds its callback URLs from NEXTAUTH_URL.
  process.env.NEXTAUTH_URL ??= env.publicUrl;

  const db = await getDb(); // applies migrations before the first request
  // Finishes or cleans up interrupted creates and deletes, carries out time-to-live, marks lost
  // workloads (one replica at a time, under a lease): now, then every 30 s.
  const reconciler = startReconciler({ db, holder: terminalServiceDefaults().hostId, intervalMs: 30_000 });
  const app = next({ dev, hostname: env.host, port: env.port });
  const handle = app.getRequestHandler();
  await app.prepare();

  // Sessions this replica held when its previous run died cannot be live now: end their rows
  // (keeping what their recording spools still hold).
  const abandoned = await endAbandonedSessions(db, terminalServiceDefaults().hostId, recordingsDirOf(env));
  if (abandoned > 0) console.warn(`[minicloud] ended ${abandoned} terminal session row(s) left open by this replica's previous run`);
  const gateway = createPanelGateway(db, env, { log: (line) => console.log(`[minicloud] ${line}`) });

  // No limit on how long a request body may take (Node's default is 5 minutes): a disk image
  // upload (lib/api/vm-disk-upload.ts) of many GiB streams for longer. Slow headers are still
  // cut off (headersTimeout), and idle connections too.
  const server = createServer({ requestTimeout: 0 }, (req, res) => {
    stampClientIp(req, env.trustProxy);
    void handle(req, res);
  });
  server.on("upgrade", (req, socket, head) => {
    if (req.url?.startsWith("/ws/")) return void gateway.handleUpgrade(req, socket, head);
    if (dev) return void app.getUpgradeHandler()(req, socket, head); // hot reload
    socket.destroy();
  });

  server.listen(env.port, env.host, () => {
    console.log(`[minicloud] serving on ${env.publicUrl} (listening on ${env.host}:${env.port}, ${env.databaseUrl ? "PostgreSQL" : `PGlite in ${env.dataDir}`})`);
  });

  const shutdown = () => {
    void reconciler.stop();
    gateway.close();
    stopLiveHub(); // ends the live-event streams, which would otherwise hold server.close() open
    stopAllWatchCaches();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  // Terminals first: each ends with a message to its user and a complete session row.
  process.on("SIGTERM", () => void endAllLiveSessions().then(shutdown));
  process.on("SIGINT", () => void endAllLiveSessions().then(shutdown));
}

main().catch((error) => {
  if (error instanceof EnvError) {
    console.error(error.message);
  } else {
    console.error("[minicloud] failed to start:", error);
  }
  process.exit(1);
});
