// Durable creates under real faults (test/faults/scenarios.ts): the API server killed and
// restarted, or frozen for 30 s, PostgreSQL restarted, the panel process SIGKILLed — each in
// the middle of an SSH pod create; and the API server killed in the middle of a VM create. The user hears a clear answer in bounded time; after the
// panel recovers there is no object without a row, no row without its objects or still
// unfinished, no pending audit row; and a retry makes one complete pod, no duplicates.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ANSWER_BOUND_MS, FAULTS, pendingAuditRows, runFaultMidCreate, startFaultWorld, VM_FAULTS, type FaultResult, type FaultWorld } from "../faults/scenarios";

describe("durable creates under real faults", () => {
  let world: FaultWorld;
  beforeAll(async () => {
    world = await startFaultWorld();
  }, 180_000);
  afterAll(async () => {
    await world?.close();
  });

  async function expectSurvived(result: FaultResult & { attempts: number }): Promise<void> {
    console.log(`[faults] ${JSON.stringify(result)}`);
    expect(result.answeredInTime, `the user heard: ${result.message}`).toBe(true);
    // What the user is told is one of the three truths, in words.
    if (result.heard === "still-creating") expect(result.message).toMatch(/^Still being created/);
    if (result.heard === "failed") expect(result.message.length).toBeGreaterThan(10);
    expect(result).toMatchObject({ landedMidCreate: true, orphans: 0, lostRows: 0, retryOk: true, duplicates: 0 });
    expect(await pendingAuditRows(world)).toBe(0);
  }

  for (const fault of FAULTS) {
    test(`${fault} mid-create: a clear answer, nothing orphaned or lost, and a retry without duplicates`, async () => {
      // The admission gate holds the create at its second object, so the fault lands mid-create.
      await expectSurvived(await runFaultMidCreate(world, fault, undefined, 2));
    }, 2 * (ANSWER_BOUND_MS + 150_000));
  }

  test("apiserver-killed mid-create of a VM: a clear answer, nothing orphaned or lost, and a retry without duplicates", async () => {
    await expectSurvived(await runFaultMidCreate(world, "apiserver-killed", VM_FAULTS, 2));
  }, 2 * (ANSWER_BOUND_MS + 150_000));
});
