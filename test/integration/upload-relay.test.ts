// The upload relay process (lib/vms/disks/upload/relay.ts and its process) between a loopback
// HTTP server standing in for the panel's upload route and a loopback HTTPS server in CDI's upload
// proxy's place. The client writes its request by hand, so the test decides which part of the
// body reaches the panel's process before it hands the connection over and which part after.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { once } from "node:events";
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCa, issueLeaf } from "@/lib/pki/certificates";
import type { UploadOutcome } from "@/lib/vms/disks/upload/pump";
import { handOffUpload, uploadRelayPid } from "@/lib/vms/disks/upload/relay";

const KIB = 1024;
const MIB = 1024 * KIB;
const TOKEN = "upload-token-for-this-disk";
const REQUEST_TIMEOUT_MS = 1500;

/** What the stand-in proxy received in one request. */
interface Received {
  authorization: string | undefined;
  bytes: number;
  sha256: string;
  complete: boolean;
}

/** Reads `want` bytes of the body and puts them back, as the route does to check the image's format. */
async function peek(req: IncomingMessage, want: number): Promise<void> {
  const parts: Buffer[] = [];
  let have = 0;
  while (have < want) {
    const chunk = req.read() as Buffer | null;
    if (chunk) {
      parts.push(chunk);
      have += chunk.length;
    } else {
      await once(req, "readable");
    }
  }
  req.unshift(Buffer.concat(parts));
}

/** The answer a hand-written request got, and whether the server closed the connection after it without an error. */
interface Answer {
  head: string;
  body: string;
  closedCleanly: boolean;
}

describe("upload relay process", () => {
  let proxy: HttpsServer;
  let panel: Server;
  let caPem: string;
  let proxyUrl: string;
  let panelPort: number;
  /** How the proxy behaves: store everything, or refuse once 1 MiB has arrived. */
  let proxyMode: "store" | "refuse-after-1mib" = "store";
  const received: Received[] = [];
  const outcomes: UploadOutcome[] = [];
  /** Kills the relay the moment the panel has handed a connection to it (before it can have taken it). */
  let killAtHandOver = false;
  /** Uploads waiting for a hand-over: each hand-over lets the first of them go on. */
  const waitingForHandOver: (() => void)[] = [];

  beforeAll(async () => {
    const ca = await createCa("upload proxy test CA", { validDays: 1, algorithm: "ecdsa-p256" });
    const leaf = await issueLeaf(ca, { commonName: "127.0.0.1", usage: "server", altNames: ["127.0.0.1"], validDays: 1 }, { algorithm: "ecdsa-p256" });
    caPem = ca.certPem;
    proxy = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
      const hash = createHash("sha256");
      const record: Received = { authorization: req.headers.authorization, bytes: 0, sha256: "", complete: false };
      received.push(record);
      req.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        record.bytes += chunk.length;
        if (proxyMode === "refuse-after-1mib" && record.bytes >= MIB && !res.headersSent) res.writeHead(409).end("busy");
      });
      req.on("end", () => {
        record.complete = true;
        record.sha256 = hash.digest("hex");
        if (!res.headersSent) res.writeHead(200).end("ok");
      });
      req.on("error", () => {});
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    proxyUrl = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    // The panel's side, as lib/api/vm-disk-upload.ts does it: look at the head, hand over, answer with the outcome.
    // The panel's limits on a request's time, shortened (server.ts keeps Node's 5 minutes) and
    // checked often: a handed-over upload must outlive them; any other request must not.
    panel = createHttpServer({ requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 100 }, (req, res) => {
      req.on("error", () => {});
      if (req.url === "/not-an-upload") {
        req.resume();
        req.on("end", () => res.writeHead(200).end("read it all"));
        return;
      }
      void (async () => {
        const length = Number(req.headers["content-length"]);
        await peek(req, 64 * KIB);
        res.setHeader("x-request-id", "request-id-kept");
        const relayed = await handOffUpload(req, { url: proxyUrl, caPem, token: TOKEN }, length);
        if (!relayed) return void res.writeHead(500).end("not handed over");
        if (killAtHandOver) process.kill(uploadRelayPid()!, "SIGKILL");
        waitingForHandOver.shift()?.();
        const outcome = await relayed.outcome;
        outcomes.push(outcome);
        relayed.answer(outcome.ok ? 200 : 409, { "x-request-id": "request-id-kept", "Content-Type": "application/json" }, JSON.stringify(outcome));
      })();
    });
    await new Promise<void>((resolve) => panel.listen(0, "127.0.0.1", resolve));
    panelPort = (panel.address() as AddressInfo).port;
  });

  afterAll(async () => {
    panel?.close();
    proxy?.close();
  });

  /**
   * Sends `first` with the request's headers, waits until the panel has handed the connection over,
   * then sends `rest` (in 256 KiB writes) — or, with `cutAfter`, that many bytes of it and then
   * drops the connection. Answers with what came back.
   */
  async function upload(first: Buffer, rest: Buffer, options: { cutAfter?: number; expectContinue?: boolean; whileSending?: () => void; path?: string; pauseMs?: number } = {}): Promise<Answer> {
    const over = options.path ? Promise.resolve() : new Promise<void>((resolve) => waitingForHandOver.push(resolve));
    const socket = connect(panelPort, "127.0.0.1");
    await once(socket, "connect");
    const chunks: Buffer[] = [];
    let errored = false;
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => (errored = true));
    const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    const headers = [`POST ${options.path ?? "/api/vm-disk-uploads/x"} HTTP/1.1`, "Host: 127.0.0.1", `Content-Length: ${first.length + rest.length}`, ...(options.expectContinue ? ["Expect: 100-continue"] : []), "", ""].join("\r\n");
    if (options.expectContinue) {
      socket.write(headers);
      while (!Buffer.concat(chunks).toString("latin1").includes("\r\n\r\n")) await once(socket, "data");
      expect(Buffer.concat(chunks).toString("latin1")).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
      chunks.length = 0;
      socket.write(first);
    } else {
      socket.write(Buffer.concat([Buffer.from(headers, "latin1"), first]));
    }
    await over;
    const until = options.cutAfter ?? rest.length;
    for (let at = 0; at < until && !socket.destroyed; at += 256 * KIB) {
      if (!socket.write(rest.subarray(at, Math.min(until, at + 256 * KIB)))) await new Promise((resolve) => (socket.once("drain", resolve), socket.once("close", resolve)));
      if (at === 0) options.whileSending?.();
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
    if (options.cutAfter !== undefined) socket.destroy();
    await ended;
    const text = Buffer.concat(chunks).toString("utf8");
    const split = text.indexOf("\r\n\r\n");
    return { head: split < 0 ? text : text.slice(0, split), body: split < 0 ? "" : text.slice(split + 4), closedCleanly: !errored };
  }

  const sha256 = (...parts: Buffer[]) => createHash("sha256").update(Buffer.concat(parts)).digest("hex");

  it("carries every byte — those the panel had read and those after the hand-over — writes the panel's answer, and closes", async () => {
    const first = randomBytes(100 * KIB);
    const rest = randomBytes(8 * MIB);
    const answer = await upload(first, rest);
    expect(answer.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer.head).toMatch(/\r\nx-request-id: request-id-kept\r\n/i);
    expect(answer.head).toMatch(/\r\nConnection: close(\r\n|$)/);
    expect(JSON.parse(answer.body)).toEqual({ ok: true });
    expect(answer.closedCleanly).toBe(true);
    expect(received.at(-1)).toEqual({ authorization: `Bearer ${TOKEN}`, bytes: first.length + rest.length, sha256: sha256(first, rest), complete: true });
    // A process of its own, and the same one for the next upload; none of the panel's secrets in its environment.
    const relay = uploadRelayPid();
    expect(relay).toBeGreaterThan(0);
    expect(relay).not.toBe(process.pid);
    expect(process.env.MINICLOUD_ENCRYPTION_KEY).toBeTruthy();
    const environment = readFileSync(`/proc/${relay}/environ`, "utf8").split("\0").map((entry) => entry.split("=")[0]).filter(Boolean);
    // (Node adds the IPC channel's own variables.)
    expect(environment.filter((name) => !["PATH", "TMPDIR", "LANG", "TZ", "NODE_ENV"].includes(name) && !name.startsWith("NODE_CHANNEL_"))).toEqual([]);
    const small = randomBytes(70 * KIB);
    const again = await upload(small.subarray(0, 65 * KIB), small.subarray(65 * KIB));
    expect(JSON.parse(again.body)).toEqual({ ok: true });
    expect(received.at(-1)).toMatchObject({ bytes: small.length, sha256: sha256(small), complete: true });
    expect(uploadRelayPid()).toBe(relay);
  });

  it("outlives the panel's limit on a request's time, which still holds for every other request", async () => {
    // Eight 256 KiB writes 400 ms apart: 3.2 s, over twice the limit.
    const first = randomBytes(100 * KIB);
    const rest = randomBytes(2 * MIB);
    const slowly = { pauseMs: 400 };
    const answer = await upload(first, rest, slowly);
    expect(answer.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received.at(-1)).toMatchObject({ bytes: first.length + rest.length, sha256: sha256(first, rest), complete: true });
    const other = await upload(first, rest, { ...slowly, path: "/not-an-upload" });
    expect(other.head).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("carries uploads at once, each whole to its own request", async () => {
    const images = [randomBytes(3 * MIB), randomBytes(5 * MIB), randomBytes(2 * MIB)];
    const answers = await Promise.all(images.map((image) => upload(image.subarray(0, 100 * KIB), image.subarray(100 * KIB))));
    for (const answer of answers) expect(JSON.parse(answer.body)).toEqual({ ok: true });
    const arrived = received.slice(-images.length);
    for (const image of images) expect(arrived).toContainEqual({ authorization: `Bearer ${TOKEN}`, bytes: image.length, sha256: sha256(image), complete: true });
  });

  it("works after a 100 Continue the panel's process sent", async () => {
    const first = randomBytes(64 * KIB);
    const rest = randomBytes(2 * MIB);
    const answer = await upload(first, rest, { expectContinue: true });
    expect(answer.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received.at(-1)).toMatchObject({ bytes: first.length + rest.length, sha256: sha256(first, rest), complete: true });
  });

  it("answers a refusal half-way while it reads and drops the rest, so the browser gets the answer, not a reset", async () => {
    proxyMode = "refuse-after-1mib";
    try {
      const answer = await upload(randomBytes(100 * KIB), randomBytes(8 * MIB));
      expect(answer.head).toMatch(/^HTTP\/1\.1 409 Conflict\r\n/);
      expect(JSON.parse(answer.body)).toEqual({ ok: false, refused: { status: 409, body: "busy" } });
      expect(answer.closedCleanly).toBe(true);
    } finally {
      proxyMode = "store";
    }
  });

  it("a browser gone half-way is a cut, and the proxy's request ends incomplete", async () => {
    const before = outcomes.length;
    await upload(randomBytes(100 * KIB), randomBytes(4 * MIB), { cutAfter: MIB });
    await expect.poll(() => outcomes.length).toBe(before + 1);
    expect(outcomes.at(-1)).toEqual({ ok: false, source: "cut" });
    await expect.poll(() => received.at(-1)?.complete === false && received.at(-1)!.bytes < 4 * MIB + 100 * KIB).toBe(true);
  });

  it("a relay that dies mid-upload ends it as stopped, and the next upload gets a new relay", async () => {
    let dying = 0;
    const before = outcomes.length;
    const answer = await upload(randomBytes(100 * KIB), randomBytes(32 * MIB), { whileSending: () => process.kill((dying = uploadRelayPid()!), "SIGKILL") });
    expect(answer.head).toBe("");
    await expect.poll(() => outcomes.length).toBe(before + 1);
    expect(outcomes.at(-1)).toEqual({ ok: false, relayStopped: true });
    const image = randomBytes(MIB);
    const next = await upload(image.subarray(0, 100 * KIB), image.subarray(100 * KIB));
    expect(JSON.parse(next.body)).toEqual({ ok: true });
    expect(uploadRelayPid()).not.toBe(dying);
    expect(received.at(-1)).toMatchObject({ bytes: image.length, sha256: sha256(image), complete: true });
  });

  it("a relay gone before it took the connection: the browser's connection ends instead of hanging", async () => {
    const before = outcomes.length;
    killAtHandOver = true;
    try {
      const answer = await upload(randomBytes(100 * KIB), randomBytes(4 * MIB));
      expect(answer.head).toBe("");
    } finally {
      killAtHandOver = false;
    }
    await expect.poll(() => outcomes.length).toBe(before + 1);
    expect(outcomes.at(-1)).toEqual({ ok: false, relayStopped: true });
  });
});
