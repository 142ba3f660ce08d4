// `npm run bench:consoles`: VM consoles through the panel against the local control plane's real
// QEMU guests (the tiny image), all on loopback, in one process: the gateway as server.ts sets it
// up (terminal routes, ticket service, sessions with rows) and its clients (`ws`, as pages use it);
// the baseline is a client on the VMI's subresource itself (through the apiserver, admin
// credentials). KubeVirt gives a console to one client at a time, so the two paths take turns
// in blocks, interleaved, never at once.
//
// 1. serial_ratio: output of `yes … | head -c 256 KiB` on the guest's serial console, from the
//    command until an end marker; 5 rounds per path, interleaved, medians; panel bytes/s ÷ direct
//    bytes/s. The guest's emulated UART sets the pace (tens of KiB/s under TCG), and the guest's
//    CPU is the machine's: round-to-round noise is large.
// 2. serial_added_p99_ms: keystroke round trip (a key typed at the guest's shell until its echo
//    arrives; `a` and Backspace in turn), 4 blocks of 150 per path; p99 panel − p99 direct.
// 3. vnc_ratio: 15 full-screen, non-incremental raw FramebufferUpdates per round, 5 rounds per
//    path; panel bytes/s ÷ direct bytes/s.
// 4. serial_kib_per_idle_session / vnc_kib_per_idle_session: one serial and one VNC console per
//    guest opened through the panel, held idle over one keepalive interval; the process's V8 heap
//    + external memory growth (after gc) per session. KubeVirt allows one console per guest and the
//    harness runs at most MINICLOUD_MAX_GUESTS (4) QEMU guests here, so n is the guest count: too
//    few for RSS, which moves by megabytes between samples (printed as *_rss_* for what it is
//    worth); the heap figure leaves out native TLS state (bench:terminal measured ~70 KiB of RSS
//    per exec stream beyond the heap).
// Every phase has a time limit; guests, sessions, database and control plane are stopped on exit.
// Last line: `RESULT key=value …`.
import { once } from "node:events";
import { rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import WebSocket from "ws";
import { median, percentile, prepareBenchEnvironment } from "./support";
import { RfbClient } from "../test/cluster/guest-clients";

const ownDataDir = prepareBenchEnvironment();
const ORIGIN = "http://localhost:3000";
process.env.MINICLOUD_PUBLIC_URL = ORIGIN;

const TINY = "minicloud.dev/guests/tiny:latest";
const GUESTS = 4;
const SERIAL_BYTES = 256 * 1024;
const ROUNDS = 5;
const ECHO_BLOCKS = 4;
const ECHO_PER_BLOCK = 150;
const VNC_FRAMES = 15;
const KEEPALIVE_MS = 25_000;
const DEADLINE_MS = 15 * 60_000;

const log = (line: string) => console.log(`[bench:consoles] ${line}`);
const round2 = (v: number) => Math.round(v * 100) / 100;
const round3 = (v: number) => Math.round(v * 1000) / 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const gc = () => (globalThis as { gc?: () => void }).gc?.();

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result within ${Math.round(ms / 1000)} s`)), ms)));
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** A byte stream to a console: binary frames both ways (panel control frames are ignored). */
class ByteStream {
  text = "";
  bytes = 0;
  private readonly listeners = new Set<() => void>();
  constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      this.bytes += data.length;
      this.text = (this.text + data.toString("latin1")).slice(-4096);
      for (const listener of this.listeners) listener();
    });
  }
  send(text: string) {
    this.ws.send(Buffer.from(text, "latin1"), { binary: true });
  }
  /** Resolves when the recent output matches `pattern`. */
  waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    if (pattern.test(this.text)) return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve) => {
        const check = () => {
          if (!pattern.test(this.text)) return;
          this.listeners.delete(check);
          resolve();
        };
        this.listeners.add(check);
      }),
      timeoutMs,
      `output ${pattern} (recent: ${JSON.stringify(this.text.slice(-200))})`,
    );
  }
  /** Resolves at the next output. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      const once = () => {
        this.listeners.delete(once);
        resolve();
      };
      this.listeners.add(once);
    });
  }
  async close() {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = once(this.ws, "close");
    this.ws.close();
    await withTimeout(closed, 10_000, "closing a console");
  }
}

/**
 * An RFB 3.8 handshake up to ServerInit (security None, shared), keeping nothing: an idle viewer
 * that holds no framebuffer of its own here (the memory measured is the panel's).
 */
async function rfbInit(ws: WebSocket): Promise<void> {
  let buffered = Buffer.alloc(0);
  let notify = () => {};
  ws.on("message", (data: Buffer) => {
    buffered = Buffer.concat([buffered, data]);
    notify();
  });
  const read = (n: number) =>
    withTimeout(
      new Promise<Buffer>((resolve) => {
        const check = () => {
          if (buffered.length < n) return;
          const out = buffered.subarray(0, n);
          buffered = buffered.subarray(n);
          resolve(out);
        };
        notify = check;
        check();
      }),
      15_000,
      "RFB handshake",
    );
  await read(12);
  ws.send(Buffer.from("RFB 003.008\n"));
  const count = (await read(1))[0]!;
  await read(count);
  ws.send(Buffer.from([1]));
  await read(4);
  ws.send(Buffer.from([1]));
  const init = await read(24);
  await read(init.readUInt32BE(20));
  ws.removeAllListeners("message");
  buffered = Buffer.alloc(0);
}

async function main() {
  const started = Date.now();
  const { KubeConfig, CustomObjectsApi } = await import("@kubernetes/client-node");
  const { encode } = await import("next-auth/jwt");
  const { eq } = await import("drizzle-orm");
  const { startLocalCluster } = await import("../dev/cluster/index");
  const { createDatabase } = await import("@/lib/db/client");
  const { migrateDatabase } = await import("@/lib/db/migrate");
  const { clusters } = await import("@/lib/db/schema");
  const { getEnv } = await import("@/lib/env");
  const { createFirstAdmin } = await import("@/lib/users/service");
  const { createOrg } = await import("@/lib/orgs/service");
  const { createTeam } = await import("@/lib/teams/service");
  const { loadPrincipal } = await import("@/lib/tenancy/principal");
  const { registerCluster } = await import("@/lib/clusters/service");
  const { assignCluster } = await import("@/lib/clusters/assignments");
  const { createVm } = await import("@/lib/vms/service");
  const { createWebSocketGateway } = await import("@/lib/console/gateway/gateway");
  const { terminalRoutes, DEFAULT_OPENERS } = await import("@/lib/console/gateway/terminal-routes");
  const { allowedOriginsFor } = await import("@/lib/console/gateway/upgrade-auth");
  const { issueTerminalTicket } = await import("@/lib/console/gateway/tickets");
  const { endAllLiveSessions, liveSessionCount } = await import("@/lib/console/session/live-sessions");
  const { vmiSubresourcePath } = await import("@/lib/console/bridges/vm/vmi-stream");

  log("starting the local control plane");
  const cluster = await startLocalCluster({ log: () => {} });
  const database = await createDatabase({ memory: true });
  const db = database.db;
  const stops: (() => unknown)[] = [];
  try {
    await migrateDatabase(db);
    const admin = await createFirstAdmin(db, { name: "Bench Admin", email: "bench@example.test", password: "a long bench password" });
    const actor = { userId: admin.id, label: admin.email };
    const principal = (await loadPrincipal(db, admin.id))!;
    const org = await createOrg(db, actor, { name: "bench" });
    const team = await createTeam(db, actor, { orgId: org.id, name: "consoles" });
    const kubeconfig = (await import("node:fs")).readFileSync(cluster.kubeconfigPath, "utf8");
    const { cluster: registered } = await registerCluster(db, actor, { name: "bench", source: { kind: "kubeconfig", kubeconfig } });
    const [row] = await db.select({ settings: clusters.settings }).from(clusters).where(eq(clusters.id, registered.id));
    await db.update(clusters).set({ settings: { ...(row!.settings as object), vmImageCatalog: [{ label: "tiny", image: TINY }] } }).where(eq(clusters.id, registered.id));
    const assignment = await assignCluster(db, actor, { clusterId: registered.id, teamId: team.id, quota: { cpuMillicores: null, memoryMib: null, maxPods: null, maxVms: null, storageGib: null } });
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    const custom = kc.makeApiClient(CustomObjectsApi);

    const vms: { id: string; name: string }[] = [];
    for (let i = 0; i < GUESTS; i++) {
      const vm = await createVm(db, actor, { teamId: team.id, clusterId: registered.id, name: `bench ${i}`, image: TINY, runStrategy: "Always", size: "", cpuCores: "1", memoryMib: "128", cloudInit: "" } as never);
      vms.push({ id: vm.id, name: vm.name });
    }
    await withTimeout(
      (async () => {
        for (const vm of vms) {
          for (;;) {
            const vmi = (await custom.getNamespacedCustomObject({ group: "kubevirt.io", version: "v1", namespace: assignment.namespace, plural: "virtualmachineinstances", name: vm.name }).catch(() => null)) as { status?: { phase?: string } } | null;
            if (vmi?.status?.phase === "Running") break;
            await sleep(500);
          }
        }
      })(),
      180_000,
      "guests Running",
    );
    log(`${GUESTS} guests running (${Math.round((Date.now() - started) / 1000)} s)`);

    // The gateway as a replica runs it.
    const gateway = createWebSocketGateway({
      db,
      secret: getEnv().secret,
      allowedOrigins: allowedOriginsFor(ORIGIN),
      secureCookie: false,
      routes: terminalRoutes({ db, idleTimeoutMs: 30 * 60_000, keepaliveMs: KEEPALIVE_MS, recordingsDir: path.join(getEnv().dataDir, "recordings"), hostId: "bench", openers: DEFAULT_OPENERS }),
    });
    const server = createServer((_req, res) => res.end());
    server.on("upgrade", (req, socket, head) => void gateway.handleUpgrade(req, socket, head));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    stops.push(() => server.closeAllConnections(), () => server.close(), () => gateway.close());
    const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cookie = `next-auth.session-token=${await encode({ token: { uid: admin.id, signedInAt: Date.now() }, secret: getEnv().secret })}`;

    const openWs = (url: string, options: WebSocket.ClientOptions, protocols?: string[]) =>
      withTimeout(
        new Promise<WebSocket>((resolve, reject) => {
          const ws = protocols ? new WebSocket(url, protocols, options) : new WebSocket(url, options);
          ws.once("open", () => resolve(ws));
          ws.once("unexpected-response", (_req, res) => reject(new Error(`${url}: HTTP ${res.statusCode} ${res.headers["x-minicloud-error"] ?? ""}`)));
          ws.once("error", reject);
        }),
        30_000,
        `open ${url}`,
      );
    const panel = async (vm: { id: string }, mode: "serial" | "vnc") => {
      const { ticket } = await issueTerminalTicket(db, principal, { workloadId: vm.id, mode }, actor, "vm");
      return openWs(`${base}/ws/terminal?ticket=${ticket}&takeOver=1`, { headers: { origin: ORIGIN, cookie } });
    };
    const direct = async (vm: { name: string }, sub: "console" | "vnc") => {
      const options: WebSocket.ClientOptions = {};
      await kc.applyToHTTPSOptions(options);
      return openWs(`${kc.getCurrentCluster()!.server.replace(/^https/, "wss")}${vmiSubresourcePath(assignment.namespace, vm.name, sub)}`, options, ["plain.kubevirt.io"]);
    };
    type Path = "panel" | "direct";
    const serialStream = async (via: Path, vm = vms[0]!) => new ByteStream(via === "panel" ? await panel(vm, "serial") : await direct(vm, "console"));

    // A root shell on the first guest's serial console (it stays logged in for the next clients).
    {
      const s = await serialStream("direct");
      s.send("\r");
      await s.waitFor(/login: $|# (\x1b\[6n)?$/, 120_000);
      if (/login: $/.test(s.text)) {
        s.send("root\r");
        await s.waitFor(/# (\x1b\[6n)?$/, 30_000);
      }
      s.send("stty -echoctl 2>/dev/null; clear\r");
      await s.waitFor(/# (\x1b\[6n)?$/);
      await s.close();
    }

    // 1. Serial throughput.
    const rates: Record<Path, number[]> = { panel: [], direct: [] };
    // Markers are new every time: a new console client first gets the output buffered before it.
    let marker = 1000;
    for (let round = 0; round < ROUNDS; round++) {
      for (const via of ["direct", "panel"] as Path[]) {
        const s = await serialStream(via);
        const ready = ++marker;
        s.send(`echo ready-$((${ready}+1))\r`);
        await s.waitFor(new RegExp(`ready-${ready + 1}\\r?\\n`));
        await sleep(300); // the prompt after it
        const from = s.bytes;
        const t0 = performance.now();
        const end = ++marker;
        s.send(`yes 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456 | head -c ${SERIAL_BYTES}; echo; echo end-$((${end}+1))\r`);
        await s.waitFor(new RegExp(`end-${end + 1}\\r?\\n`), 240_000);
        const seconds = (performance.now() - t0) / 1000;
        rates[via].push((s.bytes - from) / seconds);
        log(`serial round ${round + 1} ${via}: ${round2((s.bytes - from) / 1024)} KiB in ${round2(seconds)} s`);
        await s.close();
        await sleep(300);
      }
    }
    const serialRatio = median(rates.panel) / median(rates.direct);
    log(`serial: panel ${round2(median(rates.panel) / 1024)} KiB/s, direct ${round2(median(rates.direct) / 1024)} KiB/s (medians of ${ROUNDS}) → ratio ${round3(serialRatio)}`);

    // 2. Keystroke round trips.
    const echoes: Record<Path, number[]> = { panel: [], direct: [] };
    for (let block = 0; block < ECHO_BLOCKS; block++) {
      for (const via of ["direct", "panel"] as Path[]) {
        const s = await serialStream(via);
        s.send("\r");
        await s.waitFor(/# (\x1b\[6n)?$/);
        await sleep(300);
        for (let i = 0; i < ECHO_PER_BLOCK + 10; i++) {
          const answered = s.next();
          const t0 = performance.now();
          s.send(i % 2 === 0 ? "a" : "\x7f");
          await withTimeout(answered, 10_000, "a keystroke's echo");
          if (i >= 10) echoes[via].push(performance.now() - t0);
          await sleep(5); // the rest of the echo (a Backspace is three bytes)
        }
        await s.close();
      }
    }
    const p = (via: Path, q: number) => percentile(echoes[via], q);
    const addedP99 = p("panel", 99) - p("direct", 99);
    log(`keystroke echo: panel p50 ${round2(p("panel", 50))} / p99 ${round2(p("panel", 99))} ms, direct p50 ${round2(p("direct", 50))} / p99 ${round2(p("direct", 99))} ms → added p99 ${round2(addedP99)} ms`);

    // 3. VNC framebuffer updates.
    const vncRates: Record<Path, number[]> = { panel: [], direct: [] };
    let screen = "";
    for (let round = 0; round < ROUNDS; round++) {
      for (const via of ["direct", "panel"] as Path[]) {
        const ws = via === "panel" ? await panel(vms[0]!, "vnc") : await direct(vms[0]!, "vnc");
        const rfb = new RfbClient(ws);
        await rfb.handshake();
        screen = `${rfb.width}×${rfb.height}`;
        await rfb.refresh(); // warm
        const t0 = performance.now();
        for (let i = 0; i < VNC_FRAMES; i++) await rfb.refresh();
        const seconds = (performance.now() - t0) / 1000;
        vncRates[via].push((VNC_FRAMES * rfb.width * rfb.height * 4) / seconds);
        const closed = once(ws, "close");
        ws.close();
        await closed;
        await sleep(300);
      }
    }
    const vncRatio = median(vncRates.panel) / median(vncRates.direct);
    log(`VNC (${screen}, raw): panel ${round2(median(vncRates.panel) / 1024 / 1024)} MiB/s, direct ${round2(median(vncRates.direct) / 1024 / 1024)} MiB/s → ratio ${round3(vncRatio)}`);

    // 4. Idle sessions: one serial and one VNC console per guest through the panel.
    await endAllLiveSessions();
    const memory = () => {
      gc();
      gc();
      const m = process.memoryUsage();
      return { rss: m.rss, heap: m.heapUsed + m.external };
    };
    const idle = async (mode: "serial" | "vnc") => {
      // Warm: one session opened and closed first, so the baseline holds what any first session allocates once.
      const warm = await panel(vms[0]!, mode);
      if (mode === "serial") await new ByteStream(warm).waitFor(/[\s\S]/, 30_000).catch(() => undefined);
      else await rfbInit(warm);
      warm.close();
      await once(warm, "close");
      await endAllLiveSessions();
      await sleep(2000);
      const before = memory();
      const sockets: WebSocket[] = [];
      for (const vm of vms) {
        const ws = await panel(vm, mode);
        sockets.push(ws);
        if (mode === "serial") await new ByteStream(ws).waitFor(/[\s\S]/, 30_000).catch(() => undefined);
        else await rfbInit(ws);
      }
      await sleep(KEEPALIVE_MS + 1000); // one keepalive round both ways, idle
      const after = memory();
      const perSession = { rssKiB: (after.rss - before.rss) / 1024 / sockets.length, heapKiB: (after.heap - before.heap) / 1024 / sockets.length };
      log(`${sockets.length} idle ${mode} sessions (${liveSessionCount()} live): RSS +${round2(perSession.rssKiB)} KiB each (heap + external +${round2(perSession.heapKiB)} KiB)`);
      return { sockets, perSession };
    };
    const serialIdle = await idle("serial");
    const vncIdle = await idle("vnc");
    for (const ws of [...serialIdle.sockets, ...vncIdle.sockets]) ws.close();
    await endAllLiveSessions();

    console.log(
      `RESULT serial_ratio=${round3(serialRatio)} serial_added_p99_ms=${round2(addedP99)} vnc_ratio=${round3(vncRatio)} serial_kib_per_idle_session=${round2(serialIdle.perSession.heapKiB)} vnc_kib_per_idle_session=${round2(vncIdle.perSession.heapKiB)} idle_sessions_per_mode=${vms.length} serial_rss_kib_per_idle_session=${round2(serialIdle.perSession.rssKiB)} vnc_rss_kib_per_idle_session=${round2(vncIdle.perSession.rssKiB)} serial_panel_kib_s=${round2(median(rates.panel) / 1024)} serial_direct_kib_s=${round2(median(rates.direct) / 1024)} vnc_panel_mib_s=${round2(median(vncRates.panel) / 1024 / 1024)} vnc_direct_mib_s=${round2(median(vncRates.direct) / 1024 / 1024)} serial_p99_panel_ms=${round2(p("panel", 99))} serial_p99_direct_ms=${round2(p("direct", 99))}`,
    );
  } finally {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    await database.close().catch(() => undefined);
    await cluster.stop();
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
  }
}

const deadline = setTimeout(() => {
  console.error(`[bench:consoles] gave up after ${DEADLINE_MS / 60_000} minutes`);
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("[bench:consoles] failed:", error);
    process.exit(1);
  },
);
