// A test client for `/ws/terminal` and `/ws/tunnel`: collects output and control messages and
// lets tests wait for them by event (never by sleeping).
import { EventEmitter, once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { StringDecoder } from "node:string_decoder";
import { encode } from "next-auth/jwt";
import WebSocket from "ws";
import type { Db } from "@/lib/db";
import { createWebSocketGateway } from "@/lib/console/gateway/gateway";
import type { ServerMessage } from "@/lib/console/protocol";
import { terminalRoutes } from "@/lib/console/gateway/terminal-routes";
import type { TerminalServiceOptions } from "@/lib/console/session/terminal-session";
import { allowedOriginsFor } from "@/lib/console/gateway/upgrade-auth";

export const SECRET = "terminal-test-secret-".padEnd(48, "x");
export const PUBLIC_URL = "http://localhost:3000";
export const ORIGIN = "http://localhost:3000";

/** A session cookie for `uid`, as next-auth would set it. */
export async function sessionCookie(uid: string): Promise<string> {
  return `next-auth.session-token=${await encode({ token: { uid, signedInAt: Date.now() }, secret: SECRET })}`;
}

/** A session whose rows are written. */
export type EndedSession = Parameters<NonNullable<TerminalServiceOptions["onEnded"]>>[0];

/** A running test gateway. */
export interface TestGateway {
  base: string;
  httpBase: string;
  /** Resolves with the first ended session (past or future) matching `match`. */
  sessionEnded(match: (ended: EndedSession) => boolean, timeoutMs?: number): Promise<EndedSession>;
  close(): Promise<void>;
}

/** A real http server on loopback running the gateway with the terminal routes. */
export async function startGateway(db: Db, options: Omit<TerminalServiceOptions, "db" | "onEnded">): Promise<TestGateway> {
  const ended: EndedSession[] = [];
  const events = new EventEmitter();
  const gateway = createWebSocketGateway({
    db,
    secret: SECRET,
    allowedOrigins: allowedOriginsFor(PUBLIC_URL),
    secureCookie: false,
    routes: terminalRoutes({
      db,
      ...options,
      onEnded: (session) => {
        ended.push(session);
        events.emit("ended", session);
      },
    }),
  });
  const sessionEnded = (match: (session: EndedSession) => boolean, timeoutMs = 20_000) =>
    new Promise<EndedSession>((resolve, reject) => {
      const found = ended.find(match);
      if (found) return resolve(found);
      const timer = setTimeout(() => {
        events.off("ended", listener);
        reject(new Error(`no matching session ended within ${timeoutMs} ms (ended: ${JSON.stringify(ended)})`));
      }, timeoutMs);
      const listener = (session: EndedSession) => {
        if (!match(session)) return;
        clearTimeout(timer);
        events.off("ended", listener);
        resolve(session);
      };
      events.on("ended", listener);
    });
  const server: Server = createServer((_req, res) => res.end());
  server.on("upgrade", (req, socket, head) => void gateway.handleUpgrade(req, socket, head));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  return {
    base: `ws://127.0.0.1:${port}`,
    httpBase: `http://127.0.0.1:${port}`,
    sessionEnded,
    close: () =>
      new Promise<void>((resolve) => {
        gateway.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An open terminal connection as a test sees it. */
export interface TerminalClient {
  ws: WebSocket;
  /** Binary frames received, in order. */
  frames: Buffer[];
  messages: ServerMessage[];
  /** Bytes of binary input sent so far. */
  bytesSent: number;
  output(): string;
  send(text: string): void;
  resize(cols: number, rows: number): void;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  waitForMessage<T extends ServerMessage["type"]>(type: T, timeoutMs?: number): Promise<Extract<ServerMessage, { type: T }>>;
  closed: Promise<{ code: number; reason: string }>;
}

/** The outcome of a connection attempt: an open client, or the HTTP refusal. */
export type Attempt = { ok: true; client: TerminalClient } | { ok: false; status: number; reason: string | undefined };

/** Opens a websocket and wraps it; resolves with the refusal when the upgrade is refused. */
export function connect(url: string, headers: Record<string, string>): Promise<Attempt> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    const frames: Buffer[] = [];
    const messages: ServerMessage[] = [];
    const closed = new Promise<{ code: number; reason: string }>((done) => ws.on("close", (code, reason) => done({ code, reason: reason.toString() })));
    const decoder = new StringDecoder("utf8");
    let text = "";
    // The last few KiB, so waiting for a pattern stays cheap during a flood of output.
    let tail = "";
    const output = () => text;
    ws.on("message", (data: Buffer, isBinary) => {
      if (isBinary) {
        frames.push(data);
        const chunk = decoder.write(data);
        text += chunk;
        tail = (tail + chunk).slice(-8192);
      } else messages.push(JSON.parse(data.toString("utf8")) as ServerMessage);
    });
    const waitUntil = <T>(check: () => T | undefined, what: string, timeoutMs = 20_000) =>
      new Promise<T>((done, fail) => {
        const now = check();
        if (now !== undefined) return done(now);
        const timer = setTimeout(() => {
          ws.off("message", onEvent);
          fail(new Error(`timed out waiting for ${what}; output so far: ${JSON.stringify(tail.slice(-500))}, messages: ${JSON.stringify(messages)}`));
        }, timeoutMs);
        const onEvent = () => {
          const value = check();
          if (value === undefined) return;
          clearTimeout(timer);
          ws.off("message", onEvent);
          done(value);
        };
        ws.on("message", onEvent);
      });
    const client: TerminalClient = {
      ws,
      frames,
      messages,
      bytesSent: 0,
      output,
      send(text) {
        const data = Buffer.from(text, "utf8");
        client.bytesSent += data.length;
        ws.send(data, { binary: true });
      },
      resize: (cols, rows) => ws.send(JSON.stringify({ type: "resize", cols, rows })),
      waitForOutput: (pattern, timeoutMs) => {
        let first = true;
        return waitUntil(
          () => {
            const haystack = first ? text : tail;
            first = false;
            return pattern.test(haystack) ? text : undefined;
          },
          `output ${pattern}`,
          timeoutMs,
        );
      },
      waitForMessage: (type, timeoutMs) =>
        waitUntil(() => messages.find((m) => m.type === type) as Extract<ServerMessage, { type: typeof type }> | undefined, `a "${type}" message`, timeoutMs),
      closed,
    };
    ws.on("open", () => resolve({ ok: true, client }));
    ws.on("unexpected-response", (_req, res) => {
      const reason = res.headers["x-minicloud-error"];
      resolve({ ok: false, status: res.statusCode ?? 0, reason: typeof reason === "string" ? reason : undefined });
      res.resume();
    });
    ws.on("error", () => resolve({ ok: false, status: 0, reason: "connection error" }));
  });
}

/** Connects and fails the test when the upgrade is refused. */
export async function open(url: string, headers: Record<string, string>): Promise<TerminalClient> {
  const attempt = await connect(url, headers);
  if (!attempt.ok) throw new Error(`upgrade refused: ${attempt.status} ${attempt.reason ?? ""}`);
  return attempt.client;
}
