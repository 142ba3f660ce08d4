// A replica that stopped without ending its terminal sessions (a crash, a kill) leaves their
// rows open; when it starts again it ends them, with one audit row each. Rows of other
// replicas, and rows already ended, are left as they are.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { endAbandonedSessions } from "@/lib/console/session-store";
import { consoleSessions } from "@/lib/db/schema";
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
});
