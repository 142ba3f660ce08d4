// The panel side of `bench:terminal`, in a process of its own: the websocket gateway with the
// terminal routes, built by the same `createPanelGateway` server.ts serves (database from
// DATABASE_URL, the environment's secret, public URL and idle timeout, the replica defaults:
// 25 s keepalive and the real exec and ssh bridges), on 127.0.0.1 with an ephemeral port. Next.js is left out: it serves pages, not
// terminals. Being alone in its process, its memory and CPU are the panel's and nothing else's.
//
// Requests arrive over IPC as `{ seq, op }`; every one is answered with `{ seq, ok, result | error }`.
// The first message (seq 0) carries the port once the gateway listens.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { BridgeOpener } from "@/lib/console/bridges/bridge";
import { endAllLiveSessions, liveSessionCount } from "@/lib/console/session/live-sessions";
import { createPanelGateway } from "@/lib/console/gateway/panel-gateway";
import { DEFAULT_OPENERS } from "@/lib/console/gateway/terminal-routes";
import { closeDb, getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";

export type PanelRequest = { op: "memory" } | { op: "cpu" } | { op: "stats" } | { op: "stop" };

/** What `stats` answers. */
export interface PanelStats {
  /** How often a session paused its bridge because the browser fell behind. */
  pauses: number;
  /** Sessions whose rows are written after they ended. */
  ended: number;
  live: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const env = getEnv();
  const db = await getDb();
  const stats = { pauses: 0, ended: 0 };
  // The real bridges, counting pauses (a pass-through: the data path is the session's own).
  const countPauses =
    (opener: BridgeOpener): BridgeOpener =>
    async (ctx) => {
      const bridge = await opener(ctx);
      return { ...bridge, pause: () => (stats.pauses++, bridge.pause()) };
    };
  const gateway = createPanelGateway(db, env, {
    openers: { ...DEFAULT_OPENERS, exec: countPauses(DEFAULT_OPENERS.exec!), ssh: countPauses(DEFAULT_OPENERS.ssh!) },
    // Only what went wrong: a thousand "session ended" lines would drown the figures.
    sessionLog: (line) => (/fail|could not/i.test(line) ? console.log(`[bench:terminal] panel: ${line}`) : undefined),
    onEnded: () => void stats.ended++,
    log: (line) => console.log(`[bench:terminal] panel: ${line}`),
  });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (req, socket, head) => (req.url?.startsWith("/ws/") ? void gateway.handleUpgrade(req, socket, head) : socket.destroy()));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");

  const gc = (globalThis as { gc?: () => void }).gc;
  const handle = async (request: PanelRequest): Promise<unknown> => {
    switch (request.op) {
      case "memory":
        if (!gc) throw new Error("the panel process needs --expose-gc");
        for (let i = 0; i < 3; i++) {
          gc();
          await sleep(300);
        }
        return process.memoryUsage();
      case "cpu":
        return process.cpuUsage();
      case "stats":
        return { ...stats, live: liveSessionCount() } satisfies PanelStats;
      case "stop":
        await endAllLiveSessions(10_000);
        gateway.close();
        server.closeAllConnections();
        server.close();
        await closeDb();
        setImmediate(() => process.exit(0));
        return null;
    }
  };
  process.on("message", (message: { seq: number } & PanelRequest) => {
    handle(message).then(
      (result) => process.send?.({ seq: message.seq, ok: true, result }),
      (error: unknown) => process.send?.({ seq: message.seq, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.send?.({ seq: 0, ok: true, result: { port: (server.address() as AddressInfo).port } });
}

// The benchmark going away (even by a crash) ends this process and its sessions.
process.on("disconnect", () => process.exit(0));
main().catch((error) => {
  console.error("[bench:terminal] panel failed to start:", error);
  process.exit(1);
});
