// Waiting for a freshly started server to answer. Nothing to watch exists before the
// server is up, so this is the one place that polls, briefly and with a deadline.
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { connect } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { logTail, type ManagedProcess } from "./processes";
import type { CertFiles } from "./pki";

const POLL_MS = 100;

/** Resolves once `GET https://127.0.0.1:<port><path>` answers 200 (with a client certificate). */
export async function waitForHttpsOk(
  child: ManagedProcess,
  url: string,
  tls: { ca: string; client: CertFiles },
  timeoutMs = 60_000,
): Promise<void> {
  const options = { ca: readFileSync(tls.ca), cert: readFileSync(tls.client.cert), key: readFileSync(tls.client.key) };
  await pollUntil(child, `${url} to answer 200`, timeoutMs, () => httpsStatus(url, options).then((status) => status === 200));
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`. */
export async function waitForTcp(child: ManagedProcess, port: number, timeoutMs = 30_000): Promise<void> {
  await pollUntil(child, `port ${port} to accept connections`, timeoutMs, () => acceptsConnections(port));
}

async function pollUntil(child: ManagedProcess, what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  let exit: number | string | undefined;
  void child.exited.then((code) => (exit = code));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exit !== undefined) throw new Error(`${child.name} exited (${exit}) while waiting for ${what}:\n${logTail(child)}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${child.name}):\n${logTail(child)}`);
    await delay(POLL_MS);
  }
}

function httpsStatus(url: string, tls: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...tls, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
