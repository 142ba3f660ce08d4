// The websocket gateway for /ws/*. It authorizes every upgrade (session + Origin) before
// handing the socket to a route; the terminal routes register themselves here.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { Principal } from "@/lib/auth/policy";
import type { Db } from "@/lib/db";
import { authorizeUpgrade } from "@/lib/console/upgrade-auth";

/** A websocket endpoint under /ws/, given an authorized connection. */
export type WebSocketRoute = (socket: WebSocket, ctx: { req: IncomingMessage; url: URL; principal: Principal; userId: string }) => void;

export interface GatewayOptions {
  db: Db;
  secret: string;
  allowedOrigins: ReadonlySet<string>;
  secureCookie: boolean;
  routes: Record<string, WebSocketRoute>;
  log?: (line: string) => void;
}

function refuse(socket: Duplex, status: number, text: string) {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Creates the upgrade handler for server.ts. */
export function createWebSocketGateway(opts: GatewayOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const log = opts.log ?? (() => {});

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    socket.on("error", () => socket.destroy());
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const decision = await authorizeUpgrade(req, opts);
      if (!decision.ok) {
        log(`refused websocket ${url.pathname}: ${decision.reason}`);
        return refuse(socket, decision.status, decision.status === 401 ? "Unauthorized" : "Forbidden");
      }
      const route = opts.routes[url.pathname];
      if (!route) return refuse(socket, 404, "Not Found");
      wss.handleUpgrade(req, socket, head, (ws) => route(ws, { req, url, principal: decision.principal, userId: decision.userId }));
    } catch (error) {
      console.error("[minicloud] websocket upgrade failed:", error);
      refuse(socket, 500, "Internal Server Error");
    }
  }

  return { handleUpgrade, close: () => wss.close() };
}
