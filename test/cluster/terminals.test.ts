// Terminals against the real control plane: browser exec (kwok runs the shell as a local
// process on a real PTY, so `stty size` and `read -s` behave as in a pod — though the PTY is
// not the shell's controlling terminal there, so nothing here relies on job control or
// Ctrl-C) and ssh (ssh2 over a real port-forward to the harness's OpenSSH server), through the
// real gateway on loopback.
// Refusals (ticket expiry, reuse, wrong user, wrong Origin, another team's pod), session rows
// and audit rows with byte counts, the idle timeout, the pod going away, admins ending a
// session, backpressure, output-only recording, and the laptop tunnel with stock OpenSSH.
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject } from "vitest";
import { executeAction } from "@/lib/actions/define-action";
import type { Principal } from "@/lib/auth/policy";
import { createApiToken, revokeApiToken } from "@/lib/api-tokens/service";
import type { BridgeOpener } from "@/lib/console/bridges/bridge";
import { DEFAULT_OPENERS } from "@/lib/console/gateway/terminal-routes";
import { endAllLiveSessions } from "@/lib/console/session/live-sessions";
import { endOpenSession, listOpenSessions } from "@/lib/console/session/session-admin";
import { parseCast, recordingPath } from "@/lib/console/session/recording";
import { getSessionRecord, readSessionRecording, setTerminalRecording } from "@/lib/console/session/session-store";
import { renderSshConfig } from "@/lib/console/bridges/ssh/ssh-config";
import { listReachableTargets } from "@/lib/console/targets";
import { endTerminalSessionAction } from "@/app/(panel)/admin/sessions/actions";
import { openTerminalTicketAction } from "@/app/(panel)/t/[teamId]/pods/[podId]/terminal/actions";
import { issueTerminalTicket } from "@/lib/console/gateway/tickets";
import { auditEvents, consoleRecordings, consoleTickets, organizations, orgMembers, sshHostKeys, teamMembers, teams, users, workloads } from "@/lib/db/schema";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { MANAGED_BY, MANAGED_BY_VALUE, WORKLOAD_LABEL } from "@/lib/kube/labels";
import { getPanelTerminalKey } from "@/lib/ssh-keys/panel-key";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { createNamespace, insertLocalCluster, isRunningWithIp, podSpec, test, uniqueName, useDatabase, waitForPod } from "./helpers";
import { connect, open, ORIGIN, sessionCookie, startGateway, type TerminalClient, type TestGateway } from "./terminal-client";

const HELPER = path.resolve("bin/minicloud-ssh-proxy.mjs");

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env: { ...process.env, ...env }, timeout: 45_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
  });
}

describe("terminals", () => {
  const db = useDatabase();
  const core = () => world.kc.makeApiClient(CoreV1Api);
  const recordingsDir = mkdtempSync(path.join(tmpdir(), "minicloud-recordings-"));
  const world = {} as {
    kc: import("@kubernetes/client-node").KubeConfig;
    clusterId: string;
    namespace: string;
    orgId: string;
    teamA: string;
    teamB: string;
    alice: { id: string; email: string };
    bob: { id: string; email: string };
    carol: { id: string; email: string };
    podA: string;
    podB: string;
    gateway: TestGateway;
  };
  const principal = async (userId: string): Promise<Principal> => (await loadPrincipal(db(), userId))!;

  async function insertUser(label: string) {
    const email = `${label}-${randomUUID().slice(0, 8)}@example.test`;
    const [row] = await db().insert(users).values({ email, name: label }).returning({ id: users.id });
    return { id: row!.id, email };
  }

  /** A workload row and its running pod (labelled like an SSH pod's). */
  async function createPodWorkload(teamId: string, createdBy: string): Promise<string> {
    const name = uniqueName("shell");
    const [row] = await db()
      .insert(workloads)
      .values({ teamId, clusterId: world.clusterId, kind: "ssh-pod", namespace: world.namespace, name, spec: { loginUser: inject("cluster").sshd.user }, createdBy })
      .returning({ id: workloads.id });
    const pod = podSpec(name);
    pod.metadata!.labels = { ...pod.metadata!.labels, [MANAGED_BY]: MANAGED_BY_VALUE, [WORKLOAD_LABEL]: row!.id };
    await core().createNamespacedPod({ namespace: world.namespace, body: pod });
    await waitForPod(world.kc, world.namespace, name, isRunningWithIp);
    return row!.id;
  }

  async function ticketUrl(userId: string, workloadId: string, mode: "exec" | "ssh", base = world.gateway.base, size = "") {
    const { ticket } = await issueTerminalTicket(db(), await principal(userId), { workloadId, mode });
    return `${base}/ws/terminal?ticket=${ticket}${size}`;
  }

  async function openTerminal(userId: string, workloadId: string, mode: "exec" | "ssh", base?: string, size?: string): Promise<TerminalClient> {
    const client = await open(await ticketUrl(userId, workloadId, mode, base, size), { origin: ORIGIN, cookie: await sessionCookie(userId) });
    await client.waitForMessage("ready");
    return client;
  }

  /** The session row of `sessionId` once the session has ended and its rows are written. */
  async function endedSession(sessionId: string, gateway = world.gateway) {
    await gateway.sessionEnded((ended) => ended.sessionId === sessionId);
    return (await getSessionRecord(db(), sessionId))!;
  }

  beforeAll(async () => {
    const { adminKubeConfig } = await import("./helpers");
    world.kc = adminKubeConfig();
    const cluster = await insertLocalCluster(db(), uniqueName("terminals"));
    world.clusterId = cluster.id;
    world.namespace = uniqueName("term");
    await createNamespace(world.kc, world.namespace);

    const [org] = await db().insert(organizations).values({ name: uniqueName("Org"), slug: uniqueName("org") }).returning({ id: organizations.id });
    world.orgId = org!.id;
    const [a, b] = await db()
      .insert(teams)
      .values([
        { orgId: world.orgId, name: "Team A", slug: uniqueName("team-a") },
        { orgId: world.orgId, name: "Team B", slug: uniqueName("team-b") },
      ])
      .returning({ id: teams.id });
    world.teamA = a!.id;
    world.teamB = b!.id;
    world.alice = await insertUser("alice"); // member of team A
    world.bob = await insertUser("bob"); // member of team B
    world.carol = await insertUser("carol"); // org admin
    await db().insert(orgMembers).values([
      { orgId: world.orgId, userId: world.alice.id, role: "member" },
      { orgId: world.orgId, userId: world.bob.id, role: "member" },
      { orgId: world.orgId, userId: world.carol.id, role: "admin" },
    ]);
    await db().insert(teamMembers).values([
      { teamId: world.teamA, userId: world.alice.id, role: "member" },
      { teamId: world.teamB, userId: world.bob.id, role: "member" },
    ]);
    world.podA = await createPodWorkload(world.teamA, world.alice.id);
    world.podB = await createPodWorkload(world.teamB, world.bob.id);
    // The harness's sshd stands in for every pod's sshd: it must accept the panel's key.
    appendFileSync(inject("cluster").sshd.authorizedKeysPath, `${(await getPanelTerminalKey(db())).publicKey}\n`);
    world.gateway = await startGateway(db(), { idleTimeoutMs: 10 * 60_000, keepaliveMs: 25_000, recordingsDir, hostId: hostname(), openers: DEFAULT_OPENERS });
  });
  afterAll(async () => {
    await world.gateway?.close();
    await core().deleteNamespace({ name: world.namespace }).catch(() => {});
  });

  test("exec: a TTY shell echoes, follows resizes, and its session and audit rows count the bytes", async () => {
    const client = await openTerminal(world.alice.id, world.podA, "exec", undefined, "&cols=100&rows=30");
    const ready = client.messages.find((m) => m.type === "ready")!;
    expect(ready).toMatchObject({ type: "ready", mode: "exec", recording: false });
    client.send("echo hello-$((6*7))\r");
    await client.waitForOutput(/hello-42/);
    client.send("stty size\r");
    await client.waitForOutput(/\b30 100\b/);
    client.resize(123, 45);
    client.send("stty size\r");
    await client.waitForOutput(/\b45 123\b/);
    client.send("exit 3\r");
    const exit = await client.waitForMessage("exit");
    expect(exit).toMatchObject({ reason: "exited", exitCode: 3, message: "The shell exited with code 3." });
    expect((await client.closed).code).toBe(1000);

    const sessionId = ready.type === "ready" ? ready.sessionId : "";
    const row = await endedSession(sessionId);
    // The last binary frame is the panel's own closing line, which is not the pod's output.
    const fromPod = client.frames.slice(0, -1).reduce((n, f) => n + f.length, 0);
    expect(row).toMatchObject({ mode: "exec", endReason: "exited", bytesIn: client.bytesSent, bytesOut: fromPod, userId: world.alice.id, teamId: world.teamA });
    const [audit] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "terminal.session"), eq(auditEvents.targetId, world.podA)));
    expect(audit).toBeDefined();
    const sessionAudits = await db().select().from(auditEvents).where(eq(auditEvents.action, "terminal.session"));
    const mine = sessionAudits.filter((e) => e.detail.sessionId === sessionId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.detail).toMatchObject({ mode: "exec", bytesIn: client.bytesSent, bytesOut: fromPod, endReason: "exited" });
  });

  test("ssh: logs in with the panel key through a port-forward, pins the host key, and refuses a changed one", async () => {
    await db().delete(sshHostKeys).where(eq(sshHostKeys.workloadId, world.podA));
    const client = await openTerminal(world.alice.id, world.podA, "ssh");
    const notice = await client.waitForMessage("notice");
    expect(notice.message).toMatch(/Pinned the SSH host key .*SHA256:/);
    client.send("echo ssh-$((40+2))\r");
    await client.waitForOutput(/ssh-42/);
    client.resize(90, 33);
    client.send("stty size\r");
    await client.waitForOutput(/\b33 90\b/);
    client.ws.close();
    await client.closed;

    const [pin] = await db().select().from(sshHostKeys).where(eq(sshHostKeys.workloadId, world.podA));
    expect(pin!.keyType).toBe("ssh-ed25519");
    // The same fingerprint ssh-keygen prints for the sshd's host key.
    const hostKey = path.join(path.dirname(inject("cluster").sshd.authorizedKeysPath), "ssh_host_ed25519_key.pub");
    const listed = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", hostKey], {});
    expect(listed.stdout.split(" ")[1]).toBe(pin!.fingerprint);

    // The same key again: no notice, a working shell.
    const again = await openTerminal(world.alice.id, world.podA, "ssh");
    again.send("echo again-ok\r");
    await again.waitForOutput(/again-ok/);
    expect(again.messages.some((m) => m.type === "notice")).toBe(false);
    again.ws.close();

    // A different key than the pinned one is refused, with a message saying so.
    await db().update(sshHostKeys).set({ fingerprint: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }).where(eq(sshHostKeys.workloadId, world.podA));
    const changed = await open(await ticketUrl(world.alice.id, world.podA, "ssh"), { origin: ORIGIN, cookie: await sessionCookie(world.alice.id) });
    const exit = await changed.waitForMessage("exit");
    expect(exit.reason).toBe("error");
    expect(exit.message).toMatch(/host key of .* has changed \(pinned SHA256:AAAA.*, now SHA256:/);
    expect(changed.messages.some((m) => m.type === "ready")).toBe(false);
    await db().delete(sshHostKeys).where(eq(sshHostKeys.workloadId, world.podA));
  });

  test("tickets: expired, reused and another user's tickets, a foreign Origin and another team's pod are refused", async () => {
    const aliceCookie = await sessionCookie(world.alice.id);
    const bobCookie = await sessionCookie(world.bob.id);

    // Expired: its 30 seconds are over.
    const expired = await issueTerminalTicket(db(), await principal(world.alice.id), { workloadId: world.podA, mode: "exec" });
    await db()
      .update(consoleTickets)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(consoleTickets.userId, world.alice.id));
    const expiredAttempt = await connect(`${world.gateway.base}/ws/terminal?ticket=${expired.ticket}`, { origin: ORIGIN, cookie: aliceCookie });
    expect(expiredAttempt).toMatchObject({ ok: false, status: 403, reason: "The terminal ticket is invalid, expired or already used." });

    // Another user presenting Alice's ticket is refused and does not use it up; a foreign Origin is refused before the ticket is looked at.
    const url = await ticketUrl(world.alice.id, world.podA, "exec");
    expect(await connect(url, { origin: ORIGIN, cookie: bobCookie })).toMatchObject({ ok: false, status: 403 });
    expect(await connect(url, { origin: "http://evil.example", cookie: aliceCookie })).toMatchObject({ ok: false, status: 403, reason: "origin not allowed" });
    expect(await connect(url, { origin: ORIGIN })).toMatchObject({ ok: false, status: 401 });
    const first = await connect(url, { origin: ORIGIN, cookie: aliceCookie });
    expect(first.ok).toBe(true);
    if (first.ok) {
      await first.client.waitForMessage("ready");
      first.client.ws.close();
    }
    // Reused.
    expect(await connect(url, { origin: ORIGIN, cookie: aliceCookie })).toMatchObject({ ok: false, status: 403 });
    // Garbage.
    expect(await connect(`${world.gateway.base}/ws/terminal?ticket=nope`, { origin: ORIGIN, cookie: aliceCookie })).toMatchObject({ ok: false, status: 403 });

    // Another team's pod: no ticket at all, "not found" (Alice cannot see team B), and the denial is audited.
    await expect(issueTerminalTicket(db(), await principal(world.alice.id), { workloadId: world.podB, mode: "exec" })).rejects.toThrow(NotFoundError);
    const caller = { principal: await principal(world.alice.id), actor: { userId: world.alice.id, label: world.alice.email } };
    await expect(executeAction(openTerminalTicketAction.definition, caller, { workloadId: world.podB, mode: "exec" }, db())).rejects.toThrow(NotFoundError);
    const denied = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "terminal.ticket"), eq(auditEvents.actorId, world.alice.id), eq(auditEvents.outcome, "denied")));
    expect(denied.map((e) => e.teamId)).toContain(world.teamB);
    // Through the action, for her own pod, it works.
    const issued = await executeAction(openTerminalTicketAction.definition, caller, { workloadId: world.podA, mode: "ssh" }, db());
    expect(issued.result.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test("an idle session is closed after the configured time", async () => {
    const quick = await startGateway(db(), { idleTimeoutMs: 1000, keepaliveMs: 25_000, recordingsDir, hostId: hostname(), openers: DEFAULT_OPENERS });
    try {
      const client = await openTerminal(world.alice.id, world.podA, "exec", quick.base);
      const ready = client.messages.find((m) => m.type === "ready");
      const exit = await client.waitForMessage("exit", 15_000);
      expect(exit.reason).toBe("idle-timeout");
      expect(client.output()).toContain("[minicloud] The session was idle for too long");
      const row = await endedSession(ready?.type === "ready" ? ready.sessionId : "", quick);
      expect(row.endReason).toBe("idle-timeout");
    } finally {
      await quick.close();
    }
  });

  test("the session ends with a message when the pod is deleted", async () => {
    const workloadId = await createPodWorkload(world.teamA, world.alice.id);
    const client = await openTerminal(world.alice.id, workloadId, "exec");
    client.send("echo still-here\r");
    await client.waitForOutput(/still-here/);
    const [pod] = (await core().listNamespacedPod({ namespace: world.namespace, labelSelector: `${WORKLOAD_LABEL}=${workloadId}` })).items as V1Pod[];
    await core().deleteNamespacedPod({ namespace: world.namespace, name: pod!.metadata!.name! });
    const exit = await client.waitForMessage("exit");
    expect(exit.reason).toBe("pod-gone");
    expect(exit.message).toMatch(/pod (was deleted|is being deleted)/);
    expect(client.output()).toMatch(/\[minicloud\] The pod (was deleted|is being deleted)/);
  });

  test("org admins list live sessions and end one; others cannot", async () => {
    const client = await openTerminal(world.alice.id, world.podA, "exec");
    const ready = client.messages.find((m) => m.type === "ready");
    const sessionId = ready?.type === "ready" ? ready.sessionId : "";
    const listed = await listOpenSessions(db(), await principal(world.carol.id));
    expect(listed.find((s) => s.id === sessionId)).toMatchObject({ userId: world.alice.id, mode: "exec", hostId: hostname(), endRequested: false, bytes: { in: expect.any(Number), out: expect.any(Number) } });
    expect(await listOpenSessions(db(), await principal(world.alice.id))).toEqual([]);
    expect(await listOpenSessions(db(), await principal(world.bob.id))).toEqual([]);
    await expect(endOpenSession(db(), await principal(world.bob.id), { userId: world.bob.id, label: world.bob.email }, sessionId)).rejects.toThrow(NotFoundError);
    await expect(endOpenSession(db(), await principal(world.alice.id), { userId: world.alice.id, label: world.alice.email }, sessionId)).rejects.toThrow(ForbiddenError);
    const carol = { principal: await principal(world.carol.id), actor: { userId: world.carol.id, label: world.carol.email } };
    await executeAction(endTerminalSessionAction.definition, carol, { sessionId }, db());
    const exit = await client.waitForMessage("exit");
    expect(exit).toMatchObject({ reason: "ended-by-admin", message: "An administrator ended this session." });
    expect((await endedSession(sessionId)).endReason).toBe("ended-by-admin");
    const [ending] = await db().select().from(auditEvents).where(and(eq(auditEvents.action, "terminal.end"), eq(auditEvents.actorId, world.carol.id)));
    expect(ending).toMatchObject({ targetId: world.podA, teamId: world.teamA, detail: { sessionId, user: world.alice.email, mode: "exec" } });

    // Shutdown ends what is left, telling the user to reconnect.
    const last = await openTerminal(world.alice.id, world.podA, "exec");
    await endAllLiveSessions();
    expect(await last.waitForMessage("exit")).toMatchObject({ reason: "server-shutdown" });
    expect(await listOpenSessions(db(), await principal(world.carol.id))).toEqual([]);
  });

  test("backpressure: a flood is paused while the browser does not read, and resumed when it does", async () => {
    const events: string[] = [];
    let produced = 0;
    let paused = false;
    let closed = false;
    let onPause: (() => void) | null = null;
    let onResume: (() => void) | null = null;
    const chunk = Buffer.alloc(64 * 1024, "y");
    // Stands in for `yes`: produces as fast as the session lets it.
    const flood: BridgeOpener = async ({ events: sink }) => {
      const pump = () => {
        for (let i = 0; i < 16 && !paused && !closed; i++) {
          sink.data(chunk);
          produced += chunk.length;
        }
        if (!paused && !closed) setImmediate(pump);
      };
      setImmediate(pump);
      return {
        write: () => true,
        resize: () => {},
        pause: () => {
          paused = true;
          events.push(`pause at ${produced}`);
          onPause?.();
        },
        resume: () => {
          paused = false;
          events.push("resume");
          onResume?.();
          setImmediate(pump);
        },
        close: () => void (closed = true),
      };
    };
    const floodGateway = await startGateway(db(), { idleTimeoutMs: 60_000, keepaliveMs: 25_000, recordingsDir, hostId: hostname(), openers: { exec: flood } });
    try {
      const url = await ticketUrl(world.alice.id, world.podA, "exec", floodGateway.base);
      const attempt = await connect(url, { origin: ORIGIN, cookie: await sessionCookie(world.alice.id) });
      if (!attempt.ok) throw new Error("refused");
      const client = attempt.client;
      // The browser stops reading its socket.
      client.ws.pause();
      await new Promise<void>((resolve) => (paused ? resolve() : (onPause = resolve)));
      const atPause = produced;
      // Bounded by the high-water mark plus what the loopback socket buffers hold — not by the flood.
      expect(atPause).toBeLessThan(64 * 1024 * 1024);
      const resumed = new Promise<void>((resolve) => (onResume = resolve));
      client.ws.resume();
      await resumed;
      expect(events[0]).toMatch(/^pause at/);
      expect(events).toContain("resume");
      client.ws.terminate();
    } finally {
      await floodGateway.close();
    }
  });

  test("backpressure with a real exec: a `yes` flood pauses the pod's stream while the browser does not read, then completes", async () => {
    let onPause: (() => void) | null = null;
    let pauses = 0;
    let resumes = 0;
    // The real exec bridge, observed.
    const observed: BridgeOpener = async (ctx) => {
      const bridge = await DEFAULT_OPENERS.exec!(ctx);
      return {
        ...bridge,
        pause: () => {
          pauses++;
          bridge.pause();
          onPause?.();
        },
        resume: () => {
          resumes++;
          bridge.resume();
        },
      };
    };
    const floodGateway = await startGateway(db(), { idleTimeoutMs: 60_000, keepaliveMs: 25_000, recordingsDir, hostId: hostname(), openers: { exec: observed } });
    try {
      const client = await openTerminal(world.alice.id, world.podA, "exec", floodGateway.base);
      const paused = new Promise<void>((resolve) => (onPause = resolve));
      client.ws.pause();
      // 20 MB of "y\n", 30 MB on the terminal ("\r\n").
      client.send("yes | head -c 20000000; echo flood-$((1+1))-done\r");
      await paused;
      // How much the panel had taken from the pod when it paused: the high-water mark plus what
      // the loopback sockets to the browser hold — far less than the flood.
      const [live] = await listOpenSessions(db(), await principal(world.carol.id));
      expect(live!.bytes!.out).toBeLessThan(16 * 1024 * 1024);
      client.ws.resume();
      await client.waitForOutput(/flood-2-done/, 50_000);
      expect(pauses).toBeGreaterThan(0);
      expect(resumes).toBeGreaterThan(0);
      const received = client.frames.reduce((n, f) => n + f.length, 0);
      // Everything arrived, nothing was dropped.
      expect(received).toBeGreaterThanOrEqual(30_000_000);
      client.ws.close();
    } finally {
      await floodGateway.close();
    }
  });

  test("recording: the cast replays the output, and a secret typed at read -s is not in it", async () => {
    const carol = await principal(world.carol.id);
    await setTerminalRecording(db(), carol, { userId: world.carol.id, label: world.carol.email }, world.orgId, true);
    try {
      const client = await openTerminal(world.alice.id, world.podA, "exec");
      const ready = client.messages.find((m) => m.type === "ready");
      expect(ready).toMatchObject({ recording: true });
      const sessionId = ready?.type === "ready" ? ready.sessionId : "";
      // Echo goes off before the marker is printed, so the secret is typed into a silent terminal
      // (the marker is split in the command line so only the output contains it whole).
      client.send("stty -echo; printf 'ready-for-%s\\n' secret; read -s SECRET; stty echo; echo \"got ${#SECRET} chars\"\r");
      await client.waitForOutput(/ready-for-secret/);
      client.send("hunter2-is-my-password\r");
      await client.waitForOutput(/got 22 chars/);
      client.send("echo visible-$((1+1))\r");
      await client.waitForOutput(/visible-2/);
      client.send("exit\r");
      await client.waitForMessage("exit");
      const row = await endedSession(sessionId);
      // Moved into the database (any replica can replay it), compressed; the spool file is gone.
      const [stored] = await db().select().from(consoleRecordings).where(eq(consoleRecordings.sessionId, sessionId));
      expect(stored!.castGzip.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip
      expect(row.recordingBytes).toBe(stored!.castGzip.length);
      expect(stored!.truncated).toBe(false);
      expect(existsSync(recordingPath(recordingsDir, sessionId))).toBe(false);

      const cast = await readSessionRecording(db(), carol, sessionId);
      const { header, events } = parseCast(cast);
      expect(header).toMatchObject({ version: 2, width: 80, height: 24 });
      const replay = events.filter((e) => e[1] === "o").map((e) => e[2]).join("");
      expect(replay).toContain("visible-2");
      expect(replay).toContain("got 22 chars");
      expect(cast).not.toContain("hunter2");
      // What the browser saw did not contain it either (the PTY did not echo it).
      expect(client.output()).not.toContain("hunter2");
      // Only admins of the org replay recordings.
      await expect(readSessionRecording(db(), await principal(world.alice.id), sessionId)).rejects.toThrow(NotFoundError);
    } finally {
      await setTerminalRecording(db(), carol, { userId: world.carol.id, label: world.carol.email }, world.orgId, false);
    }
  });

  test("laptop ssh: stock OpenSSH runs a command and scp copies a file through the tunnel; revoked tokens and other teams' pods are refused", async () => {
    const sshd = inject("cluster").sshd;
    const dir = mkdtempSync(path.join(tmpdir(), "minicloud-laptop-"));
    const keyPath = path.join(dir, "id_ed25519");
    const keygen = await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "alice@laptop", "-f", keyPath], {});
    expect(keygen.code).toBe(0);
    appendFileSync(sshd.authorizedKeysPath, readFileSync(`${keyPath}.pub`, "utf8"));

    const alicePrincipal = await principal(world.alice.id);
    const targets = await listReachableTargets(db(), alicePrincipal);
    expect(targets.map((t) => t.workloadId)).toContain(world.podA);
    expect(targets.map((t) => t.workloadId)).not.toContain(world.podB);
    const config = renderSshConfig(targets, { panelUrl: world.gateway.httpBase, helperCommand: `${process.execPath} ${HELPER}` });
    const configPath = path.join(dir, "ssh_config");
    writeFileSync(configPath, config);
    const hostA = targets.find((t) => t.workloadId === world.podA)!;
    const alias = `${hostA.name}.${hostA.teamSlug}.${hostA.orgSlug}`;
    expect(config).toContain(`Host ${alias}\n  User ${sshd.user}\n`);

    const { plaintext, token } = await createApiToken(db(), { userId: world.alice.id, label: world.alice.email }, { name: "laptop" });
    const sshArgs = ["-F", configPath, "-i", keyPath, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"];
    const env = { MINICLOUD_TOKEN: plaintext };

    const ok = await run("ssh", [...sshArgs, alias, "echo", "ok-from-$((20+1))"], env);
    expect(ok).toMatchObject({ code: 0, stdout: "ok-from-21\n" });

    const source = path.join(dir, "payload.txt");
    writeFileSync(source, "copied through the tunnel\n");
    const copy = await run("scp", [...sshArgs, source, `${alias}:${path.join(dir, "copy.txt")}`], env);
    expect(copy.code).toBe(0);
    expect(readFileSync(path.join(dir, "copy.txt"), "utf8")).toBe("copied through the tunnel\n");

    // Each tunnel is a session (mode tunnel) with bytes both ways in its row.
    const tunnel = await world.gateway.sessionEnded((ended) => ended.mode === "tunnel");
    const row = (await getSessionRecord(db(), tunnel.sessionId))!;
    expect(row).toMatchObject({ mode: "tunnel", userId: world.alice.id, workloadId: world.podA });
    expect(row.bytesIn).toBeGreaterThan(0);
    expect(row.bytesOut).toBeGreaterThan(0);

    // Another team's pod, named directly: refused with one line, as if it did not exist.
    const foreign = await run(process.execPath, [HELPER, "--url", world.gateway.httpBase, "--target", world.podB], env);
    expect(foreign).toMatchObject({ code: 1, stdout: "", stderr: `minicloud: No such pod: ${world.podB}.\n` });

    // A revoked token: ssh fails and the helper's one line says why.
    await revokeApiToken(db(), { userId: world.alice.id, label: world.alice.email }, { tokenId: token.id });
    const revoked = await run("ssh", [...sshArgs, alias, "echo", "should-not-run"], env);
    expect(revoked.code).toBe(255);
    expect(revoked.stdout).toBe("");
    expect(revoked.stderr).toContain("minicloud: the API token is unknown, revoked or expired\n");
  });
});
