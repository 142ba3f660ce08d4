// VM consoles through the real gateway, against a real guest (QEMU, the harness's tiny image)
// behind the KubeVirt stand-in's subresources, with impersonation on (the team's Role must allow
// console, vnc and portforward): the serial console logs in and answers `hostname`; a second
// viewer is told who holds it and takes it over, the first learns by whom; an idle console stays
// open across keep-alive rounds until the idle limit; VNC speaks RFB through the panel with the
// same take-over; ssh reaches the guest's sshd over the VMI's portforward with the panel's key
// (host key pinned), and the laptop's stock OpenSSH through the tunnel; screenshots; tickets and
// websockets refused across teams and to viewers.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { executeAction, type Caller } from "@/lib/actions/define-action";
import { createApiToken } from "@/lib/api-tokens/service";
import { assignCluster } from "@/lib/clusters/assignments";
import { probeCluster } from "@/lib/clusters/probe";
import { renderSshConfig } from "@/lib/console/bridges/ssh/ssh-config";
import { vmScreenshot } from "@/lib/console/bridges/vm/screenshot";
import { DEFAULT_OPENERS } from "@/lib/console/gateway/terminal-routes";
import { issueTerminalTicket } from "@/lib/console/gateway/tickets";
import { BUSY_CLOSE_CODE } from "@/lib/console/session/terminal-session";
import { endAllLiveSessions } from "@/lib/console/session/live-sessions";
import { TAKEN_BY_OUTSIDER } from "@/lib/console/session/console-holders";
import { getSessionRecord, readSessionRecording, setTerminalRecording } from "@/lib/console/session/session-store";
import { listReachableTargets } from "@/lib/console/targets";
import { auditEvents, clusters, consoleSessions, sshHostKeys } from "@/lib/db/schema";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { addSshKey } from "@/lib/ssh-keys/service";
import { generateEd25519KeyPair } from "@/lib/ssh-keys/openssh-format";
import type { VirtualMachineInstance } from "@/lib/vms/kubevirt";
import { createVmAction } from "@/app/(panel)/t/[teamId]/vms/actions";
import { openVmConsoleTicketAction } from "@/app/(panel)/t/[teamId]/vms/[vmId]/console/actions";
import { callerFor, createOrgWithTeams, createUser, grant } from "./cluster-fixtures";
import { openStream } from "./guest-clients";
import { adminKubeConfig, insertLocalCluster, test, uniqueName, useDatabase, waitFor } from "./helpers";
import { connect, open, ORIGIN, sessionCookie, startGateway, type TerminalClient, type TestGateway } from "./terminal-client";

const TINY = "minicloud.dev/guests/tiny:latest";
const HELPER = path.resolve("bin/minicloud-ssh-proxy.mjs");
/** A shell prompt of the tiny guest's root (`PS1='\u@\h:\w\$ '`; busybox ash then asks for the cursor position). */
const ROOT_PROMPT = /root@[\w-]+:[^\r\n]*# (\x1b\[6n)?$/;

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
  });
}

describe("VM consoles", () => {
  const db = useDatabase();
  const kc = adminKubeConfig();
  const recordingsDir = mkdtempSync(path.join(tmpdir(), "minicloud-console-recordings-"));
  const world = {} as {
    admin: Caller;
    orgId: string;
    otherOrgMember: Caller;
    alice: Caller;
    bob: Caller;
    viewer: Caller;
    outsider: Caller;
    ownerKey: { publicKey: string; privateKey: string };
    vmId: string;
    vmName: string;
    namespace: string;
    gateway: TestGateway;
  };

  beforeAll(async () => {
    const cluster = await insertLocalCluster(db(), uniqueName("consoles"), { vmImageCatalog: [{ label: "tiny", image: TINY }], impersonation: true });
    const check = await probeCluster(cluster, kc, { impersonation: true });
    expect(check.apis.kubevirt).toBe(true);
    await db().update(clusters).set({ lastCheck: check as unknown as Record<string, unknown> }).where(eq(clusters.id, cluster.id));
    const { orgId, teams } = await createOrgWithTeams(db(), 2);
    const admin = await createUser(db(), { platformAdmin: true });
    const [alice, bob, viewer, outsider] = [await createUser(db()), await createUser(db()), await createUser(db()), await createUser(db())];
    await grant(db(), alice.id, { orgId, orgRole: "member", teamId: teams[0]!.id, teamRole: "member" });
    await grant(db(), bob.id, { orgId, orgRole: "member", teamId: teams[0]!.id, teamRole: "member" });
    await grant(db(), viewer.id, { orgId, orgRole: "member", teamId: teams[0]!.id, teamRole: "viewer" });
    await grant(db(), outsider.id, { orgId, orgRole: "member", teamId: teams[1]!.id, teamRole: "member" });
    const otherOrg = await createOrgWithTeams(db(), 1);
    const otherOrgMember = await createUser(db());
    await grant(db(), otherOrgMember.id, { orgId: otherOrg.orgId, orgRole: "owner", teamId: otherOrg.teams[0]!.id, teamRole: "admin" });
    const quota = { cpuMillicores: 4000, memoryMib: 8192, maxPods: 10, maxVms: null, storageGib: null };
    const adminActor = { userId: admin.id, label: admin.email };
    const assignment = await assignCluster(db(), adminActor, { clusterId: cluster.id, teamId: teams[0]!.id, quota });
    await assignCluster(db(), adminActor, { clusterId: cluster.id, teamId: teams[1]!.id, quota });
    world.ownerKey = generateEd25519KeyPair("alice@laptop");
    await addSshKey(db(), { userId: alice.id, label: alice.email }, { publicKey: world.ownerKey.publicKey });
    Object.assign(world, { admin: await callerFor(db(), admin), orgId, otherOrgMember: await callerFor(db(), otherOrgMember), alice: await callerFor(db(), alice), bob: await callerFor(db(), bob), viewer: await callerFor(db(), viewer), outsider: await callerFor(db(), outsider), namespace: assignment.namespace });

    const created = (
      await executeAction(
        createVmAction.definition,
        world.alice,
        { teamId: teams[0]!.id, clusterId: cluster.id, name: uniqueName("con").replace("-", " "), image: TINY, runStrategy: "Always", size: "", cpuCores: "1", memoryMib: "128", cloudInit: "" },
        db(),
      )
    ).result;
    world.vmId = created.id;
    world.vmName = created.name;
    await waitFor<VirtualMachineInstance>(
      kc,
      { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", namespace: world.namespace, fieldSelector: `metadata.name=${created.name}` },
      (vmis) => vmis[0]?.status?.phase === "Running",
      { description: `VMI ${created.name} Running`, timeoutMs: 90_000 },
    );
    world.gateway = await startGateway(db(), { idleTimeoutMs: 30 * 60_000, keepaliveMs: 25_000, recordingsDir, hostId: "consoles-test", openers: DEFAULT_OPENERS });
  }, 180_000);

  afterAll(async () => {
    // Sessions a failed test left open would keep the server from closing.
    await endAllLiveSessions();
    await world.gateway?.close();
  });

  const ticket = async (caller: Caller, mode: "serial" | "vnc" | "ssh") => (await issueTerminalTicket(db(), caller.principal, { workloadId: world.vmId, mode }, caller.actor, "vm")).ticket;
  const headers = async (caller: Caller) => ({ origin: ORIGIN, cookie: await sessionCookie(caller.principal.userId) });
  const consoleUrl = async (caller: Caller, mode: "serial" | "vnc" | "ssh", query = "", gateway = world.gateway) => `${gateway.base}/ws/terminal?ticket=${await ticket(caller, mode)}${query}`;

  /** Opens the serial console and logs in as root (the tiny guest's getty takes a name, no password). */
  async function serialShell(caller: Caller, query = "", gateway = world.gateway): Promise<TerminalClient> {
    const client = await open(await consoleUrl(caller, "serial", query, gateway), await headers(caller));
    await client.waitForMessage("ready", 30_000);
    const before = client.output().length;
    client.send("\r");
    // Either a login prompt (log in) or, when the previous viewer left a shell, its prompt.
    await client.waitForOutput(/login: $|# (\x1b\[6n)?$/, 90_000);
    if (/login: $/.test(client.output().slice(before))) {
      client.send("root\r");
      await client.waitForOutput(ROOT_PROMPT, 30_000);
    }
    return client;
  }

  async function answerOf(client: TerminalClient, command: string, expected: RegExp): Promise<void> {
    const mark = client.output().length;
    client.send(`${command}\r`);
    await waitForNew(client, mark, expected);
  }

  // Output after `mark` matching `pattern` (earlier output, such as a previous answer, does not count).
  function waitForNew(client: TerminalClient, mark: number, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const matched = () => pattern.test(client.output().slice(mark));
      if (matched()) return resolve();
      const timer = setTimeout(() => {
        client.ws.off("message", onMessage);
        reject(new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(client.output().slice(mark).slice(-400))}`));
      }, timeoutMs);
      // The client's own listener (registered first) has added the frame to its output by now.
      const onMessage = () => {
        if (!matched()) return;
        clearTimeout(timer);
        client.ws.off("message", onMessage);
        resolve();
      };
      client.ws.on("message", onMessage);
    });
  }

  test("serial console: logs in on the real guest, answers hostname, and leaves a session row, an audit row with bytes and a recording", async () => {
    await setTerminalRecording(db(), world.admin.principal, world.admin.actor, world.orgId, true);
    const client = await serialShell(world.alice);
    await answerOf(client, "hostname", new RegExp(`\\r?\\n${world.vmName}\\r?\\n`));
    const ready = client.messages.find((m) => m.type === "ready") as { sessionId: string };
    client.ws.close();
    await world.gateway.sessionEnded((ended) => ended.sessionId === ready.sessionId);
    const row = (await getSessionRecord(db(), ready.sessionId))!;
    expect(row).toMatchObject({ mode: "serial", workloadId: world.vmId, userId: world.alice.principal.userId, endReason: "client-closed" });
    expect(row.bytesIn).toBeGreaterThan(10);
    expect(row.bytesOut).toBeGreaterThan(row.bytesIn);
    const [audit] = await db().select().from(auditEvents).where(and(eq(auditEvents.action, "terminal.session"), eq(auditEvents.targetId, world.vmId)));
    expect(audit?.detail).toMatchObject({ sessionId: ready.sessionId, mode: "serial", bytesIn: row.bytesIn, bytesOut: row.bytesOut, endReason: "client-closed", recorded: true });
    // The output was recorded (never the input), and an admin of the organization replays it.
    const cast = await readSessionRecording(db(), world.admin.principal, ready.sessionId);
    expect(cast).toContain(world.vmName);
    await setTerminalRecording(db(), world.admin.principal, world.admin.actor, world.orgId, false);
  });

  test("serial console: a second viewer is told who holds it, takes it over, and the first is told by whom", async () => {
    const first = await serialShell(world.alice);
    // Bob without asking to take over: told that Alice holds it, nothing opened, no row written.
    const rowsBefore = await db().select({ id: consoleSessions.id }).from(consoleSessions);
    const refused = await open(await consoleUrl(world.bob, "serial"), await headers(world.bob));
    const busy = await refused.waitForMessage("busy");
    expect(busy.holder).toMatchObject({ user: world.alice.actor.label, you: false });
    expect(new Date(busy.holder.since).getTime()).toBeLessThanOrEqual(Date.now());
    expect((await refused.closed).code).toBe(BUSY_CLOSE_CODE);
    expect(await db().select({ id: consoleSessions.id }).from(consoleSessions)).toHaveLength(rowsBefore.length);
    // Alice is undisturbed.
    await answerOf(first, "echo still-$((1+1))", /still-2/);

    // Bob takes over: Alice's console ends naming him; Bob's works.
    const second = await serialShell(world.bob, "&takeOver=1");
    const exit = await first.waitForMessage("exit");
    expect(exit).toMatchObject({ reason: "taken-over", message: `${world.bob.actor.label} took over this console.` });
    await first.closed;
    await answerOf(second, "hostname", new RegExp(`\\r?\\n${world.vmName}\\r?\\n`));
    const aliceSession = (first.messages.find((m) => m.type === "ready") as { sessionId: string }).sessionId;
    expect((await getSessionRecord(db(), aliceSession))!.endReason).toBe("taken-over");

    // A client outside the panel (virtctl, here the admin's own websocket) opens the console:
    // KubeVirt gives it the console, and Bob is told so (and his page does not fight back).
    const outside = await openStream(kc, world.namespace, world.vmName, "console");
    const lost = await second.waitForMessage("exit");
    expect(lost).toMatchObject({ reason: "taken-over", message: TAKEN_BY_OUTSIDER });
    outside.close();
    await second.closed;
  });

  test("serial console: idle across keep-alive rounds stays open, then ends at the idle limit", async () => {
    // A gateway with a short keep-alive (both to the client and up to the apiserver) and idle limit.
    const gateway = await startGateway(db(), { idleTimeoutMs: 6_000, keepaliveMs: 400, recordingsDir, hostId: "consoles-idle-test", openers: DEFAULT_OPENERS });
    try {
      const client = await serialShell(world.alice, "&takeOver=1", gateway);
      // Idle: wait for five keep-alive pings from the panel (answered by the client library).
      let pings = 0;
      await new Promise<void>((resolve) => client.ws.on("ping", () => ++pings === 5 && resolve()));
      await answerOf(client, "echo after-idle-$((3*3))", /after-idle-9/);
      const exit = await client.waitForMessage("exit", 20_000);
      expect(exit.reason).toBe("idle-timeout");
    } finally {
      await endAllLiveSessions();
      await gateway.close();
    }
  });

  test("VNC: RFB through the panel, a second viewer is told who holds it and takes it over; screenshots are PNG", async () => {
    const first = await open(await consoleUrl(world.alice, "vnc", "&preserveSession=1"), await headers(world.alice));
    await first.waitForOutput(/^RFB 003\.00\d\n/, 30_000);
    // Raw RFB: no control frames in the stream.
    expect(first.messages).toEqual([]);

    const refused = await open(await consoleUrl(world.bob, "vnc", "&preserveSession=1"), await headers(world.bob));
    const closed = await refused.closed;
    expect(closed.code).toBe(BUSY_CLOSE_CODE);
    expect(closed.reason).toMatch(/^busy: /);
    expect(JSON.parse(closed.reason.slice("busy: ".length))).toMatchObject({ user: world.alice.actor.label, you: false });

    const second = await open(await consoleUrl(world.bob, "vnc", "&takeOver=1"), await headers(world.bob));
    await second.waitForOutput(/^RFB 003\.00\d\n/, 30_000);
    expect(await first.closed).toEqual({ code: 1000, reason: `taken-over: ${world.bob.actor.label} took over this console.` });
    second.ws.close();
    await second.closed;

    const shot = await vmScreenshot(db(), world.alice.principal, world.vmId, world.alice.actor);
    expect(shot.png.subarray(1, 4).toString("latin1")).toBe("PNG");
    await expect(vmScreenshot(db(), world.outsider.principal, world.vmId, world.outsider.actor)).rejects.toBeInstanceOf(NotFoundError);
    await expect(vmScreenshot(db(), world.viewer.principal, world.vmId, world.viewer.actor)).rejects.toBeInstanceOf(ForbiddenError);
  });

  test("ssh: the browser terminal reaches the guest's sshd over the VMI's portforward with the panel's key and pins its host key", async () => {
    const client = await open(await consoleUrl(world.alice, "ssh"), await headers(world.alice));
    await client.waitForMessage("ready", 45_000);
    const notice = await client.waitForMessage("notice");
    expect(notice.message).toMatch(/^Pinned the SSH host key of .+: SHA256:/);
    const [pin] = await db().select().from(sshHostKeys).where(eq(sshHostKeys.workloadId, world.vmId));
    expect(notice.message).toContain(pin!.fingerprint);
    await client.waitForOutput(ROOT_PROMPT, 30_000);
    await answerOf(client, "hostname", new RegExp(`\\r?\\n${world.vmName}\\r?\\n`));
    client.ws.close();
    await client.closed;
  });

  test("laptop ssh: the VM is in the owner's ssh_config and stock OpenSSH logs in with the owner's key through the tunnel", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "minicloud-vm-laptop-"));
    const keyPath = path.join(dir, "id_ed25519");
    writeFileSync(keyPath, world.ownerKey.privateKey, { mode: 0o600 });
    const targets = await listReachableTargets(db(), world.alice.principal);
    const vm = targets.find((t) => t.workloadId === world.vmId)!;
    expect(vm).toMatchObject({ kind: "vm", loginUser: "root" });
    expect((await listReachableTargets(db(), world.outsider.principal)).map((t) => t.workloadId)).not.toContain(world.vmId);
    const config = renderSshConfig(targets, { panelUrl: world.gateway.httpBase, helperCommand: `${process.execPath} ${HELPER}` });
    const alias = `${vm.name}.${vm.teamSlug}.${vm.orgSlug}`;
    expect(config).toContain(`Host ${alias}\n  User root\n  ProxyCommand ${process.execPath} ${HELPER} --url ${world.gateway.httpBase} --target ${world.vmId}\n`);
    writeFileSync(path.join(dir, "ssh_config"), config);
    const { plaintext } = await createApiToken(db(), { userId: world.alice.principal.userId, label: world.alice.actor.label }, { name: "laptop" });
    const args = ["-F", path.join(dir, "ssh_config"), "-i", keyPath, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"];
    const result = await run("ssh", [...args, alias, "hostname"], { MINICLOUD_TOKEN: plaintext });
    expect(result).toMatchObject({ code: 0, stdout: `${world.vmName}\n` });
  });

  test("authorization: tickets refused to other teams (not found) and viewers (forbidden), other organizations (not found), websockets refuse others' tickets and tunnels", async () => {
    const action = (caller: Caller, mode: string, workloadId = world.vmId) => executeAction(openVmConsoleTicketAction.definition, caller, { workloadId, mode }, db());
    for (const mode of ["serial", "vnc", "ssh"]) {
      await expect(action(world.outsider, mode)).rejects.toBeInstanceOf(NotFoundError);
      await expect(action(world.otherOrgMember, mode)).rejects.toBeInstanceOf(NotFoundError);
      await expect(action(world.viewer, mode)).rejects.toBeInstanceOf(ForbiddenError);
      expect((await action(world.alice, mode)).result.target).toMatchObject({ workloadId: world.vmId, mode });
    }
    // Alice's ticket in the outsider's hands: refused at the upgrade, and it stays unspent for Alice.
    const aliceTicket = await ticket(world.alice, "serial");
    const stolen = await connect(`${world.gateway.base}/ws/terminal?ticket=${aliceTicket}`, await headers(world.outsider));
    expect(stolen).toMatchObject({ ok: false, status: 403 });
    const stolenAcrossOrgs = await connect(`${world.gateway.base}/ws/terminal?ticket=${aliceTicket}`, await headers(world.otherOrgMember));
    expect(stolenAcrossOrgs).toMatchObject({ ok: false, status: 403 });
    // The laptop tunnel with another organization's token: the VM is not even found.
    const { plaintext } = await createApiToken(db(), { userId: world.otherOrgMember.principal.userId, label: world.otherOrgMember.actor.label }, { name: "other" });
    const tunnel = await connect(`${world.gateway.base}/ws/tunnel?target=${world.vmId}`, { authorization: `Bearer ${plaintext}` });
    expect(tunnel).toMatchObject({ ok: false, status: 404 });
    // Another site's page with Alice's cookie: refused by Origin.
    const foreign = await connect(`${world.gateway.base}/ws/terminal?ticket=${aliceTicket}`, { origin: "http://evil.example", cookie: await sessionCookie(world.alice.principal.userId) });
    expect(foreign).toMatchObject({ ok: false, status: 403 });
    // Single use.
    const used = await open(`${world.gateway.base}/ws/terminal?ticket=${aliceTicket}&takeOver=1`, await headers(world.alice));
    await used.waitForMessage("ready", 30_000);
    used.ws.close();
    await used.closed;
    expect(await connect(`${world.gateway.base}/ws/terminal?ticket=${aliceTicket}`, await headers(world.alice))).toMatchObject({ ok: false, status: 403 });
  });
});
