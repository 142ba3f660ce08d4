// The pure parts of terminals: control-message parsing, exec exit codes (kubelet and kwok
// forms), host key fingerprints, the recording's format, size cap and UTF-8 handling, and the
// ssh_config the laptop uses.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { exitCodeOf, execPath } from "@/lib/console/bridges/pod/exec-bridge";
import { sshFingerprint, sshKeyType } from "@/lib/console/bridges/ssh/host-keys";
import { clampSize, parseClientMessage } from "@/lib/console/protocol";
import { CastRecorder, parseCast, readCastFile, RECORDING_FLUSH_MS, salvageSpool } from "@/lib/console/session/recording";
import { hostAliases, renderSshConfig } from "@/lib/console/bridges/ssh/ssh-config";
import type { TerminalTarget } from "@/lib/console/targets";
import { EnvError, parseEnv } from "@/lib/env";

function target(over: Partial<TerminalTarget>): TerminalTarget {
  return {
    workloadId: "6f1c2a4e-0000-4000-8000-000000000001",
    kind: "ssh-pod",
    orgId: "o",
    orgSlug: "acme",
    teamId: "t",
    teamSlug: "web",
    clusterId: "c",
    namespace: "mc-acme-web",
    name: "box",
    label: "web/box",
    loginUser: "alice",
    ...over,
  };
}

describe("terminal protocol", () => {
  it("accepts resize and ping, ignores anything else", () => {
    expect(parseClientMessage('{"type":"resize","cols":120,"rows":40}')).toEqual({ type: "resize", cols: 120, rows: 40 });
    expect(parseClientMessage('{"type":"ping"}')).toEqual({ type: "ping" });
    expect(parseClientMessage('{"type":"resize","cols":-1,"rows":40}')).toBeNull();
    expect(parseClientMessage('{"type":"exec","command":"rm -rf /"}')).toBeNull();
    expect(parseClientMessage("not json")).toBeNull();
  });

  it("clamps sizes to something a PTY can be", () => {
    expect(clampSize(100, 30)).toEqual({ cols: 100, rows: 30 });
    expect(clampSize(NaN, 0)).toEqual({ cols: 80, rows: 24 });
    expect(clampSize(5000, 5000)).toEqual({ cols: 1000, rows: 500 });
  });
});

describe("exec", () => {
  it("reads exit codes from kubelet and kwok statuses", () => {
    expect(exitCodeOf({ status: "Success" })).toBe(0);
    expect(exitCodeOf({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "2" }] } })).toBe(2);
    expect(exitCodeOf({ status: "Failure", reason: "InternalError", message: "error executing command in container: cmd wait: /bin/sh -c …: exit status 3" })).toBe(3);
    expect(exitCodeOf({ status: "Failure", reason: "InternalError", message: "container not found" })).toBeUndefined();
  });

  it("asks for a TTY with stdin and stdout only, the command as repeated parameters", () => {
    const url = new URL(`https://x${execPath("ns", "pod-1", "main", ["/bin/sh", "-c", "echo a&b"])}`);
    expect(url.pathname).toBe("/api/v1/namespaces/ns/pods/pod-1/exec");
    expect(Object.fromEntries([...url.searchParams].filter(([k]) => k !== "command"))).toEqual({ container: "main", stdin: "true", stdout: "true", stderr: "false", tty: "true" });
    expect(url.searchParams.getAll("command")).toEqual(["/bin/sh", "-c", "echo a&b"]);
  });
});

describe("host keys", () => {
  it("fingerprints a key blob the way OpenSSH prints it", () => {
    const { publicKey } = generateKeyPairSync("ed25519");
    const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    const type = Buffer.from("ssh-ed25519");
    const blob = Buffer.concat([Buffer.from([0, 0, 0, type.length]), type, Buffer.from([0, 0, 0, 32]), raw]);
    expect(sshKeyType(blob)).toBe("ssh-ed25519");
    expect(sshFingerprint(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(sshFingerprint(blob)).not.toBe(sshFingerprint(Buffer.concat([blob.subarray(0, -1), Buffer.from([blob.at(-1)! ^ 1])])));
  });
});

describe("recording", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "minicloud-cast-"));

  it("writes asciicast v2 with output and resize events, rejoining split UTF-8", async () => {
    const file = path.join(dir, "a.cast.gz");
    const recorder = new CastRecorder(file, { cols: 80, rows: 24 }, { startedAt: new Date("2030-01-01T00:00:00Z"), title: "web/box (exec)" });
    const text = Buffer.from("héllo wörld\r\n", "utf8");
    recorder.output(text.subarray(0, 2)); // ends inside "é"
    recorder.output(text.subarray(2));
    recorder.resize({ cols: 100, rows: 30 });
    const result = await recorder.close();
    expect(result).toMatchObject({ path: file, truncated: false });
    expect(result.bytes).toBeGreaterThan(0);
    const { header, events } = parseCast(await readCastFile(file));
    expect(header).toMatchObject({ version: 2, width: 80, height: 24, timestamp: 1893456000, title: "web/box (exec)" });
    expect(events.filter((e) => e[1] === "o").map((e) => e[2]).join("")).toBe("héllo wörld\r\n");
    expect(events.find((e) => e[1] === "r")?.[2]).toBe("100x30");
    expect(events.every((e, i) => i === 0 || e[0] >= events[i - 1]![0])).toBe(true);
  });

  it("stops at the size cap and says so in the file", async () => {
    const file = path.join(dir, "b.cast.gz");
    const recorder = new CastRecorder(file, { cols: 80, rows: 24 }, { startedAt: new Date(), capBytes: 16 * 1024 });
    for (let i = 0; i < 1000; i++) recorder.output(Buffer.from(`line ${i} ${"y".repeat(100)}\r\n`));
    const result = await recorder.close();
    expect(result.truncated).toBe(true);
    const cast = await readCastFile(file);
    expect(Buffer.byteLength(cast)).toBeLessThanOrEqual(16 * 1024 + 200);
    const { events } = parseCast(cast);
    expect(events.at(-1)).toEqual([expect.any(Number), "m", expect.stringContaining("recording stopped")]);
    expect(cast).not.toContain("line 999 ");
  });

  it("flushes within a second while output arrives, so a replica that dies leaves a spool whose complete lines are salvaged", async () => {
    const file = path.join(dir, "c.cast.gz");
    const recorder = new CastRecorder(file, { cols: 80, rows: 24 }, { startedAt: new Date() });
    recorder.output(Buffer.from("before the crash\r\n"));
    // Never closed, as in a killed process: the flush alone puts the line on disk.
    await expect.poll(async () => (await salvageSpool(file))?.length ?? 0, { timeout: RECORDING_FLUSH_MS * 5 }).toBeGreaterThan(0);
    const { header, events } = parseCast(gunzipSync((await salvageSpool(file))!).toString("utf8"));
    expect(header).toMatchObject({ version: 2, width: 80, height: 24 });
    expect(events.map((e) => e.slice(1))).toEqual([
      ["o", "before the crash\r\n"],
      ["m", "recording cut short: the panel server holding the session stopped"],
    ]);
    expect(events[1]![0]).toBe(events[0]![0]);
    await recorder.close();
  });

  it("salvages only complete lines of a spool cut off anywhere, and nothing from one without its header", async () => {
    const file = path.join(dir, "d.cast.gz");
    const recorder = new CastRecorder(file, { cols: 80, rows: 24 }, { startedAt: new Date() });
    for (let i = 0; i < 200; i++) recorder.output(Buffer.from(`row ${i} ${"z".repeat(40)}\r\n`));
    await recorder.close();
    const whole = readFileSync(file);
    for (const cut of [whole.length - 8, Math.floor(whole.length / 2), 60]) {
      const cutFile = path.join(dir, `cut-${cut}.cast.gz`);
      writeFileSync(cutFile, whole.subarray(0, cut));
      const salvaged = await salvageSpool(cutFile);
      if (!salvaged) continue; // too little of the stream to hold even the header line
      const { events } = parseCast(gunzipSync(salvaged).toString("utf8"));
      const rows = events.filter((e) => e[1] === "o").map((e) => e[2]);
      // Every salvaged output event is one whole row, in order from the first.
      expect(rows).toEqual(rows.map((_, i) => `row ${i} ${"z".repeat(40)}\r\n`));
      expect(events.at(-1)![1]).toBe("m");
    }
    // The whole file minus its trailer still gives every row.
    const nearlyAll = parseCast(gunzipSync((await salvageSpool(path.join(dir, `cut-${whole.length - 8}.cast.gz`)))!).toString("utf8"));
    expect(nearlyAll.events.filter((e) => e[1] === "o")).toHaveLength(200);
    writeFileSync(path.join(dir, "empty.cast.gz"), whole.subarray(0, 10));
    expect(await salvageSpool(path.join(dir, "empty.cast.gz"))).toBeNull();
    expect(await salvageSpool(path.join(dir, "missing.cast.gz"))).toBeNull();
  });
});

describe("ssh_config", () => {
  it("has one Host per pod with the login user and the helper as ProxyCommand", () => {
    const config = renderSshConfig([target({})], { panelUrl: "https://panel.example.com/", helperCommand: "node /opt/helper.mjs" });
    expect(config).toContain(
      [
        "Host box.web.acme",
        "  User alice",
        "  ProxyCommand node /opt/helper.mjs --url https://panel.example.com --target 6f1c2a4e-0000-4000-8000-000000000001",
        "  HostKeyAlias minicloud-6f1c2a4e-0000-4000-8000-000000000001",
      ].join("\n"),
    );
  });

  it("names every host <pod>.<team>.<org>, so pods of same-named teams in two organizations never collide", () => {
    const a = target({ workloadId: "a", orgSlug: "acme" });
    const b = target({ workloadId: "b", orgSlug: "globex" });
    const c = target({ workloadId: "c", name: "other" });
    expect(Object.fromEntries(hostAliases([a, b, c]))).toEqual({ a: "box.web.acme", b: "box.web.globex", c: "other.web.acme" });
  });

  it("refuses a panel URL that a shell or ssh's % tokens could interpret", () => {
    expect(() => renderSshConfig([target({})], { panelUrl: "https://panel.example.com/$(reboot)" })).toThrow();
    expect(() => renderSshConfig([target({})], { panelUrl: "https://panel.example.com/%h" })).toThrow();
  });
});

describe("idle timeout setting", () => {
  const base = { MINICLOUD_SECRET: "s".repeat(40), MINICLOUD_ENCRYPTION_KEY: "a".repeat(64) };

  it("defaults to 30 minutes and takes whole minutes from the environment", () => {
    expect(parseEnv(base).terminalIdleMinutes).toBe(30);
    expect(parseEnv({ ...base, MINICLOUD_TERMINAL_IDLE_MINUTES: "5" }).terminalIdleMinutes).toBe(5);
  });

  it("refuses nonsense with the variable's name", () => {
    expect(() => parseEnv({ ...base, MINICLOUD_TERMINAL_IDLE_MINUTES: "0" })).toThrow(EnvError);
    expect(() => parseEnv({ ...base, MINICLOUD_TERMINAL_IDLE_MINUTES: "1.5" })).toThrow(/MINICLOUD_TERMINAL_IDLE_MINUTES/);
  });
});
