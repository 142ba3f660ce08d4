// A replica that stopped without ending its terminal sessions (a crash, a kill) leaves their
// rows open; when it starts again it ends them, with one audit row each, and keeps what the
// spools of recorded sessions still hold as truncated recordings. Rows of other replicas, and
// rows already ended, are left as they are.
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { CastRecorder, parseCast, recordingPath, salvageSpool } from "@/lib/console/session/recording";
import { endAbandonedSessions, readSessionRecording } from "@/lib/console/session/session-store";
import { consoleRecordings, consoleSessions } from "@/lib/db/schema";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { ENGINES, useTestDatabase } from "./support/databases";
import { auditRowsFor, insertUser } from "./support/fixtures";

describe.each(ENGINES)("abandoned terminal sessions on %s", (engine) => {
  const getDb = useTestDatabase(engine);

  it("ends this host's open rows only, each with an audit row", async () => {
    const db = getDb();
    const user = await insertUser(db);
    const host = `replica-${randomUUID()}`;
    const other = `replica-${randomUUID()}`;
    const row = (hostId: string, extra: Partial<typeof consoleSessions.$inferInsert> = {}) => ({
      id: randomUUID(),
      userId: user.userId,
      userLabel: "dev@example.com",
      orgId: randomUUID(),
      teamId: randomUUID(),
      workloadId: randomUUID(),
      targetLabel: "team/box",
      mode: "exec" as const,
      hostId,
      startedAt: new Date(Date.now() - 60_000),
      ...extra,
    });
    const abandoned = row(host, { bytesIn: 12, bytesOut: 3400 });
    const ended = row(host, { endedAt: new Date(Date.now() - 30_000), endReason: "exited" });
    const elsewhere = row(other);
    await db.insert(consoleSessions).values([abandoned, ended, elsewhere]);

    expect(await endAbandonedSessions(db, host)).toBe(1);

    const [closed] = await db.select().from(consoleSessions).where(eq(consoleSessions.id, abandoned.id));
    expect(closed!.endedAt).toBeInstanceOf(Date);
    expect(closed!.endReason).toBe("panel-restarted");
    const [untouched] = await db.select().from(consoleSessions).where(eq(consoleSessions.id, ended.id));
    expect(untouched!.endReason).toBe("exited");
    expect(untouched!.endedAt!.getTime()).toBe(ended.endedAt!.getTime());
    const [live] = await db.select().from(consoleSessions).where(eq(consoleSessions.id, elsewhere.id));
    expect(live!.endedAt).toBeNull();

    const audit = await auditRowsFor(db, abandoned.workloadId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "terminal.session", outcome: "error", actorId: user.userId, targetLabel: "team/box" });
    expect(audit[0]!.detail).toMatchObject({ sessionId: abandoned.id, mode: "exec", endReason: "panel-restarted", bytesCounted: false });
    expect(await auditRowsFor(db, elsewhere.workloadId)).toHaveLength(0);

    // Nothing left to end the second time.
    expect(await endAbandonedSessions(db, host)).toBe(0);
  });

  it("keeps what a recorded session's spool still holds as a truncated recording; a lost spool leaves it unrecorded", async () => {
    const db = getDb();
    const user = await insertUser(db);
    const host = `replica-${randomUUID()}`;
    const spoolDir = mkdtempSync(path.join(tmpdir(), "minicloud-spool-"));
    const row = () => ({ id: randomUUID(), userId: user.userId, userLabel: user.email, orgId: randomUUID(), teamId: randomUUID(), workloadId: randomUUID(), targetLabel: "team/box", mode: "exec" as const, hostId: host, recorded: true });
    const crashed = row();
    const lost = row();
    await db.insert(consoleSessions).values([crashed, lost]);
    // The dead process's recorder: output went in, the file was never finished.
    const recorder = new CastRecorder(recordingPath(spoolDir, crashed.id), { cols: 80, rows: 24 }, { startedAt: new Date() });
    recorder.output(Buffer.from("work in progress\r\n"));
    await expect.poll(async () => (await salvageSpool(recordingPath(spoolDir, crashed.id)))?.length ?? 0, { timeout: 5000 }).toBeGreaterThan(0);

    expect(await endAbandonedSessions(db, host, spoolDir)).toBe(2);

    const [stored] = await db.select().from(consoleRecordings).where(eq(consoleRecordings.sessionId, crashed.id));
    expect(stored!.truncated).toBe(true);
    const [ended] = await db.select().from(consoleSessions).where(eq(consoleSessions.id, crashed.id));
    expect(ended).toMatchObject({ endReason: "panel-restarted", recordingBytes: stored!.castGzip.length });
    expect(existsSync(recordingPath(spoolDir, crashed.id))).toBe(false);
    const admin = (await loadPrincipal(db, (await insertUser(db, { isPlatformAdmin: true })).userId))!;
    const { events } = parseCast(await readSessionRecording(db, admin, crashed.id));
    expect(events.map((e) => e.slice(1))).toEqual([
      ["o", "work in progress\r\n"],
      ["m", "recording cut short: the panel server holding the session stopped"],
    ]);
    expect((await auditRowsFor(db, crashed.workloadId))[0]!.detail).toMatchObject({ recorded: true, recordingTruncated: true, endReason: "panel-restarted" });

    expect(await db.select().from(consoleRecordings).where(eq(consoleRecordings.sessionId, lost.id))).toHaveLength(0);
    expect((await auditRowsFor(db, lost.workloadId))[0]!.detail).toMatchObject({ recorded: false });
    await recorder.close();
  });
});
