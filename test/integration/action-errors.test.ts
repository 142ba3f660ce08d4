// Unexpected failures inside an action are audited exactly once: by the action layer, unless
// the service already wrote its own error row (with more about the target) and said so.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { executeAction, type ActionDefinition, type Caller } from "@/lib/actions/define-action";
import { markAudited, recordAuditEvent } from "@/lib/audit/service";
import { auditEvents } from "@/lib/db/schema";
import { ValidationError } from "@/lib/errors";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { ENGINES, useTestDatabase } from "./support/databases";
import { insertUser } from "./support/fixtures";

describe.each(ENGINES)("action errors on %s", (engine) => {
  const getDb = useTestDatabase(engine);

  const setUp = async () => {
    const db = getDb();
    const user = await insertUser(db);
    const caller: Caller = { principal: (await loadPrincipal(db, user.userId))!, actor: user };
    const rows = (action: string) => db.select().from(auditEvents).where(eq(auditEvents.action, action));
    return { db, caller, rows };
  };
  const failing = (name: string, run: ActionDefinition<z.ZodObject<{}>, void>["run"]): ActionDefinition<z.ZodObject<{}>, void> => ({
    name,
    input: z.object({}),
    signedIn: true,
    run,
  });

  it("records an unexpected error once when the service did not", async () => {
    const { db, caller, rows } = await setUp();
    const name = `test.unrecorded-${crypto.randomUUID()}`;
    await expect(executeAction(failing(name, async () => Promise.reject(new Error("boom"))), caller, {}, db)).rejects.toThrow("boom");
    const recorded = await rows(name);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ outcome: "error", actorId: caller.actor.userId });
  });

  it("does not record a second row for an error the service recorded and marked", async () => {
    const { db, caller, rows } = await setUp();
    const name = `test.recorded-${crypto.randomUUID()}`;
    const run = async ({ db: tx }: { db: typeof db }) => {
      const error = new Error("boom");
      await recordAuditEvent(tx, { actorId: caller.actor.userId, actorLabel: caller.actor.label, action: name, targetType: "ssh_pod", outcome: "error", detail: { step: "create the pod" } });
      markAudited(error);
      throw error;
    };
    await expect(executeAction(failing(name, run), caller, {}, db)).rejects.toThrow("boom");
    const recorded = await rows(name);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.detail).toEqual({ step: "create the pod" });
  });

  it("records nothing for an expected refusal", async () => {
    const { db, caller, rows } = await setUp();
    const name = `test.refused-${crypto.randomUUID()}`;
    await expect(executeAction(failing(name, async () => Promise.reject(new ValidationError("no"))), caller, {}, db)).rejects.toThrow("no");
    expect(await rows(name)).toHaveLength(0);
  });
});
