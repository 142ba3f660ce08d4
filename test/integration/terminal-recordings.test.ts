// Terminal recordings live in the database, on both engines: when a recorded session ends, its
// spool file (gzip asciicast, written by the replica that held the session) moves into
// console_recordings in the same transaction as the session's end and audit row, and the file
// is removed — so any replica can replay it. A cut-short recording says so; a spool that cannot
// be read leaves the session unrecorded instead of losing its row; only admins of the session's
// organization read a recording.
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { CastRecorder, parseCast, recordingPath } from "@/lib/console/session/recording";
import { finishSessionRecord, getSessionRecord, readSessionRecording, startSessionRecord, type SessionStart } from "@/lib/console/session/session-store";
import type { TerminalTarget } from "@/lib/console/targets";
import type { Db } from "@/lib/db";
import { consoleRecordings } from "@/lib/db/schema";
import { NotFoundError } from "@/lib/errors";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { ENGINES, useTestDatabase } from "./support/databases";
import { auditRowsFor, insertUser } from "./support/fixtures";

const SIZE = { cols: 80, rows: 24 };

describe.each(ENGINES)("terminal recordings on %s", (engine) => {
  const getDb = useTestDatabase(engine);
  const spoolDir = mkdtempSync(path.join(tmpdir(), "minicloud-spool-"));

  /** A started session row for a made-up target (recordings do not look at the workload). */
  async function startedSession(db: Db): Promise<SessionStart & { startedAt: Date }> {
    const user = await insertUser(db);
    const target: TerminalTarget = {
      workloadId: randomUUID(),
      kind: "ssh-pod",
      orgId: randomUUID(),
      orgSlug: "acme",
      teamId: randomUUID(),
      teamSlug: "web",
      clusterId: randomUUID(),
      namespace: "mc-acme-web",
      name: "box",
      label: "web/box",
      loginUser: "dev",
    };
    const start: SessionStart = { id: randomUUID(), user, target, mode: "exec", hostId: "replica-a", recorded: true };
    const { startedAt } = await startSessionRecord(db, start);
    return { ...start, startedAt };
  }

  const platformAdmin = async (db: Db) => (await loadPrincipal(db, (await insertUser(db, { isPlatformAdmin: true })).userId))!;

  it("a recorded session's output moves into the database when it ends; the spool file is gone; an admin replays it", async () => {
    const db = getDb();
    const start = await startedSession(db);
    const spool = recordingPath(spoolDir, start.id);
    const recorder = new CastRecorder(spool, SIZE, { startedAt: start.startedAt, title: "web/box (exec)" });
    // A multi-byte character split across two chunks, as a PTY may hand it over: it is rejoined, not mangled.
    const smile = Buffer.from("héllo ✓\r\n", "utf8");
    recorder.output(smile.subarray(0, 2));
    recorder.output(smile.subarray(2));
    recorder.resize({ cols: 100, rows: 30 });
    recorder.output(Buffer.from("$ ", "utf8"));
    const recording = await recorder.close();
    expect(existsSync(spool)).toBe(true);

    await finishSessionRecord(db, start, { reason: "exited", bytesIn: 5, bytesOut: smile.length + 2, recording, message: "The shell exited.", exitCode: 0 });

    expect(existsSync(spool)).toBe(false);
    const [stored] = await db.select().from(consoleRecordings).where(eq(consoleRecordings.sessionId, start.id));
    expect(Buffer.isBuffer(stored!.castGzip)).toBe(true);
    expect(stored!.castGzip.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(stored!.truncated).toBe(false);
    const session = await getSessionRecord(db, start.id);
    expect(session!.recordingBytes).toBe(stored!.castGzip.length);

    const { header, events } = parseCast(await readSessionRecording(db, await platformAdmin(db), start.id));
    expect(header).toMatchObject({ version: 2, width: 80, height: 24, title: "web/box (exec)" });
    expect(events.map(([, type, data]) => [type, data])).toEqual([
      ["o", "h"],
      ["o", "éllo ✓\r\n"],
      ["r", "100x30"],
      ["o", "$ "],
    ]);
    const [audit] = await auditRowsFor(db, start.target.workloadId);
    expect(audit!.detail).toMatchObject({ sessionId: start.id, recorded: true });
    expect(audit!.detail).not.toHaveProperty("recordingTruncated");
  });

  it("a recording cut short by its size cap is stored as truncated, and the audit row says so", async () => {
    const db = getDb();
    const start = await startedSession(db);
    const recorder = new CastRecorder(recordingPath(spoolDir, start.id), SIZE, { startedAt: start.startedAt, capBytes: 4096 });
    for (let i = 0; i < 100; i++) recorder.output(Buffer.from(`line ${i} ${"x".repeat(60)}\r\n`));
    await finishSessionRecord(db, start, { reason: "client-closed", bytesIn: 0, bytesOut: 7000, recording: await recorder.close(), message: "closed" });

    const [stored] = await db.select({ truncated: consoleRecordings.truncated }).from(consoleRecordings).where(eq(consoleRecordings.sessionId, start.id));
    expect(stored!.truncated).toBe(true);
    const cast = await readSessionRecording(db, await platformAdmin(db), start.id);
    expect(parseCast(cast).events.at(-1)).toEqual([expect.any(Number), "m", "recording stopped: it reached the 4 KiB limit"]);
    const [audit] = await auditRowsFor(db, start.target.workloadId);
    expect(audit!.detail).toMatchObject({ recorded: true, recordingTruncated: true });
  });

  it("a spool that cannot be read leaves the session ended but unrecorded; there is nothing to replay", async () => {
    const db = getDb();
    const start = await startedSession(db);
    const missing = { path: recordingPath(spoolDir, `gone-${start.id}`), bytes: 20, truncated: false };
    await finishSessionRecord(db, start, { reason: "exited", bytesIn: 1, bytesOut: 2, recording: missing, message: "The shell exited." });

    const session = await getSessionRecord(db, start.id);
    expect(session!.endedAt).toBeInstanceOf(Date);
    expect(session!.recordingBytes).toBeNull();
    expect(await db.select().from(consoleRecordings).where(eq(consoleRecordings.sessionId, start.id))).toHaveLength(0);
    const [audit] = await auditRowsFor(db, start.target.workloadId);
    expect(audit!.detail).toMatchObject({ recorded: false });
    await expect(readSessionRecording(db, await platformAdmin(db), start.id)).rejects.toThrow(NotFoundError);
  });

  it("someone who does not administer the session's organization gets not found", async () => {
    const db = getDb();
    const start = await startedSession(db);
    const recorder = new CastRecorder(recordingPath(spoolDir, start.id), SIZE, { startedAt: start.startedAt });
    recorder.output(Buffer.from("secret-free output\r\n"));
    await finishSessionRecord(db, start, { reason: "exited", bytesIn: 0, bytesOut: 20, recording: await recorder.close(), message: "The shell exited." });

    const stranger = (await loadPrincipal(db, (await insertUser(db)).userId))!;
    await expect(readSessionRecording(db, stranger, start.id)).rejects.toThrow(NotFoundError);
    // The session's own user is not an admin of its (made-up) organization either.
    await expect(readSessionRecording(db, (await loadPrincipal(db, start.user.userId))!, start.id)).rejects.toThrow(NotFoundError);
    await expect(readSessionRecording(db, await platformAdmin(db), randomUUID())).rejects.toThrow(NotFoundError);
  });
});
