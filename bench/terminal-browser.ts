// The browser side of `bench:terminal`, run as a child process of the benchmark: it opens
// `/ws/terminal` sessions as a page would (Origin + session cookie + ticket) and runs the
// probes of terminal-probe.ts on them. Keeping the clients here leaves only the panel in the
// benchmark's process, so its memory and CPU figures are the panel's alone — and, as with a
// real browser on another machine, reading the output is not the panel's work.
//
// Requests arrive over IPC as `{ seq, op, … }`; every one is answered with `{ seq, ok, result | error }`.
import WebSocket from "ws";
import type { ServerMessage } from "@/lib/console/protocol";
import { startEcho, streamRound, waitForShell, type ByteTerminal, type EchoProbe } from "./terminal-probe";

export type BrowserRequest =
  | { op: "open"; key: string; url: string; headers: Record<string, string>; timeoutMs: number }
  | { op: "shell"; key: string }
  | { op: "stream"; key: string; round: number; timeoutMs: number }
  | { op: "echo-start"; key: string }
  | { op: "keystroke"; key: string }
  | { op: "echo-stop"; key: string }
  | { op: "close"; key: string }
  | { op: "close-all"; timeoutMs: number };

interface Session {
  ws: WebSocket;
  term: ByteTerminal;
  closed: Promise<void>;
  echo?: EchoProbe;
}

const sessions = new Map<string, Session>();

function openSession(url: string, headers: Record<string, string>, timeoutMs: number): Promise<Session> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    const listeners = new Set<(chunk: Buffer) => void>();
    const closed = new Promise<void>((done) => ws.once("close", () => done()));
    const session: Session = {
      ws,
      closed,
      term: {
        write: (data) => ws.send(data, { binary: true }),
        onData(listener) {
          listeners.add(listener);
          return () => void listeners.delete(listener);
        },
      },
    };
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`no "ready" message within ${timeoutMs} ms`)), timeoutMs);
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        for (const listener of listeners) listener(data);
        return;
      }
      const message = JSON.parse(data.toString("utf8")) as ServerMessage;
      if (message.type === "ready" && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve(session);
      } else if (message.type === "exit") fail(new Error(`the session ended: ${message.reason}: ${message.message}`));
    });
    ws.on("unexpected-response", (_req, res) => {
      fail(new Error(`upgrade refused: ${res.statusCode} ${String(res.headers["x-minicloud-error"] ?? "")}`));
      res.resume();
    });
    ws.on("error", (error) => fail(error));
    ws.on("close", () => fail(new Error("the connection closed before the session was ready")));
  });
}

function sessionOf(key: string): Session {
  const session = sessions.get(key);
  if (!session) throw new Error(`no open session ${key}`);
  return session;
}

async function handle(request: BrowserRequest): Promise<unknown> {
  switch (request.op) {
    case "open": {
      const session = await openSession(request.url, request.headers, request.timeoutMs);
      sessions.set(request.key, session);
      void session.closed.then(() => sessions.get(request.key) === session && sessions.delete(request.key));
      return null;
    }
    case "shell":
      return waitForShell(sessionOf(request.key).term);
    case "stream":
      return streamRound(sessionOf(request.key).term, request.round, request.timeoutMs);
    case "echo-start": {
      const session = sessionOf(request.key);
      session.echo = await startEcho(session.term);
      return null;
    }
    case "keystroke":
      return sessionOf(request.key).echo!.keystroke();
    case "echo-stop":
      return sessionOf(request.key).echo!.stop();
    case "close": {
      const session = sessionOf(request.key);
      session.ws.close();
      await Promise.race([session.closed, new Promise((resolve) => setTimeout(resolve, 5000))]);
      session.ws.terminate();
      return null;
    }
    case "close-all": {
      const all = [...sessions.values()];
      for (const session of all) session.ws.close();
      await Promise.race([Promise.all(all.map((s) => s.closed)), new Promise((resolve) => setTimeout(resolve, request.timeoutMs))]);
      for (const session of all) session.ws.terminate();
      return all.length;
    }
  }
}

process.on("message", (message: { seq: number } & BrowserRequest) => {
  handle(message).then(
    (result) => process.send?.({ seq: message.seq, ok: true, result }),
    (error: unknown) => process.send?.({ seq: message.seq, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
// The benchmark going away (even by a crash) ends this process and its sockets.
process.on("disconnect", () => process.exit(0));
process.send?.({ seq: 0, ok: true, result: "started" });
