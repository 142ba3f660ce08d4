// The websocket gateway for /ws/*. It authorizes every upgrade before handing the socket to a
// route: browser routes by Origin + session cookie, CLI routes (the laptop ssh tunnel) by a
// personal API token. A route may also admit or refuse the upgrade itself (a terminal ticket,
// a target the caller may not reach) so that refusals are plain HTTP answers with a one-line
// reason in the `x-minicloud-error` header, before any websocket exists.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { Principal } from "@/lib/auth/policy";
import type { Db } from "@/lib/db";
import { authorizeTokenUpgrade, authorizeUpgrade, type UpgradeDecision } from "@/lib/console/gateway/upgrade-auth";
import { moduleLogger } from "@/lib/observe/log";

/** Who opened an authorized connection, and on what request. */
export interface RouteContext {
  req: IncomingMessage;
  url: URL;
  principal: Principal;
  userId: string;
}

/** A websocket endpoint under /ws/ for signed-in browsers (Origin + session), given an authorized connection. */
export type WebSocketRoute = (socket: WebSocket, ctx: RouteContext) => void;

/** What a route's admission decides before the upgrade: go ahead with some state, or refuse with a one-line reason. */
export type Admission<S> = { ok: true; state: S } | { ok: false; status: 400 | 401 | 403 | 404 | 409 | 503; reason: string };

/** A websocket endpoint with its own authentication kind and an optional admission step. */
export interface WebSocketEndpoint<S = unknown> {
  /** `session`: browser (allowed Origin + session cookie); `token`: `Authorization: Bearer <personal API token>`. */
  auth: "session" | "token";
  admit?: (ctx: RouteContext) => Promise<Admission<S>>;
  open: (socket: WebSocket, ctx: RouteContext & { admitted: S }) => void;
}

export interface GatewayOptions {
  db: Db;
  secret: string;
  allowedOrigins: ReadonlySet<string>;
  secureCookie: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each endpoint carries its own admission state type
  routes: Record<string, WebSocketRoute | WebSocketEndpoint<any>>;
  log?: (line: string) => void;
}

/** The header carrying a refusal's reason, for clients (the ssh helper prints it). */
export const ERROR_HEADER = "x-minicloud-error";

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

function refuse(socket: Duplex, status: number, reason?: string) {
  // One line, printable ASCII only: it is a header value.
  const header = reason ? `${ERROR_HEADER}: ${reason.replace(/[^\x20-\x7e]+/g, " ").slice(0, 300)}\r\n` : "";
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\nConnection: close\r\n${header}Content-Length: 0\r\n\r\n`);
}

function asEndpoint(route: WebSocketRoute | WebSocketEndpoint): WebSocketEndpoint {
  return typeof route === "function" ? { auth: "session", open: route } : route;
}

/** Creates the upgrade handler for server.ts. */
export function createWebSocketGateway(opts: GatewayOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20, perMessageDeflate: false });
  const log = opts.log ?? (() => {});

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    socket.on("error", () => socket.destroy());
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const route = opts.routes[url.pathname];
      const endpoint = route ? asEndpoint(route) : null;
      const decision: UpgradeDecision =
        endpoint?.auth === "token" ? await authorizeTokenUpgrade(req, opts) : await authorizeUpgrade(req, opts);
      if (!decision.ok) {
        log(`refused websocket ${url.pathname}: ${decision.reason}`);
        return refuse(socket, decision.status, decision.reason);
      }
      if (!endpoint) return refuse(socket, 404);
      const ctx: RouteContext = { req, url, principal: decision.principal, userId: decision.userId };
      let admitted: unknown = undefined;
      if (endpoint.admit) {
        const admission = await endpoint.admit(ctx);
        if (!admission.ok) {
          log(`refused websocket ${url.pathname} for user ${decision.userId}: ${admission.reason}`);
          return refuse(socket, admission.status, admission.reason);
        }
        admitted = admission.state;
      }
      wss.handleUpgrade(req, socket, head, (ws) => endpoint.open(ws, { ...ctx, admitted }));
    } catch (error) {
      moduleLogger("gateway").error({ err: error }, "websocket upgrade failed");
      refuse(socket, 500);
    }
  }

  return { handleUpgrade, close: () => wss.close() };
}
