// Repeated failed sign-ins are slowed per account and per address; success clears the account.
import { describe, expect, it } from "vitest";
import { FREE_FAILURES, checkSignInAllowed, recordSignInFailure, recordSignInSuccess, waitAfterFailures } from "@/lib/auth/throttle";
import { RateLimitedError } from "@/lib/errors";
import { ENGINES, useTestDatabase } from "./support/databases";
import { uniqueEmail } from "./support/fixtures";

describe("waitAfterFailures", () => {
  it("allows a few failures, then doubles the wait up to 15 minutes", () => {
    expect(waitAfterFailures(FREE_FAILURES.account - 1, "account")).toBe(0);
    expect(waitAfterFailures(FREE_FAILURES.account, "account")).toBe(1);
    expect(waitAfterFailures(FREE_FAILURES.account + 3, "account")).toBe(8);
    expect(waitAfterFailures(FREE_FAILURES.account + 40, "account")).toBe(900);
    expect(waitAfterFailures(FREE_FAILURES.address - 1, "address")).toBe(0);
  });
});

describe.each(ENGINES)("sign-in throttle on %s", (engine) => {
  const getDb = useTestDatabase(engine);
  const t0 = new Date("2026-01-01T00:00:00Z");
  const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

  it("slows an account after repeated failures, from any address, and a success clears it", async () => {
    const db = getDb();
    const account = uniqueEmail();
    for (let i = 0; i < FREE_FAILURES.account - 1; i++) {
      await checkSignInAllowed(db, { account, address: `10.0.0.${i}` }, t0);
      await recordSignInFailure(db, { account, address: `10.0.0.${i}` }, t0);
    }
    await checkSignInAllowed(db, { account, address: "10.0.1.1" }, t0);
    await recordSignInFailure(db, { account, address: "10.0.1.1" }, t0);
    // Now blocked for a moment, whatever address the next attempt comes from.
    await expect(checkSignInAllowed(db, { account, address: "10.0.2.2" }, t0)).rejects.toThrow(RateLimitedError);
    await expect(checkSignInAllowed(db, { account, address: "10.0.2.2" }, t0)).rejects.toThrow(/Try again in 1 second/);
    await checkSignInAllowed(db, { account, address: "10.0.2.2" }, at(2));
    await recordSignInFailure(db, { account, address: "10.0.2.2" }, at(2));
    await expect(checkSignInAllowed(db, { account, address: "10.0.2.2" }, at(3))).rejects.toThrow(/Try again in 1 second/);
    await checkSignInAllowed(db, { account, address: "10.0.2.2" }, at(4));
    await recordSignInSuccess(db, { account, address: "10.0.2.2" });
    await recordSignInFailure(db, { account, address: "10.0.3.3" }, at(5));
    await checkSignInAllowed(db, { account, address: "10.0.3.3" }, at(5));
  });

  it("slows an address that tries many accounts", async () => {
    const db = getDb();
    const address = `192.0.2.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < FREE_FAILURES.address; i++) {
      await recordSignInFailure(db, { account: uniqueEmail(), address }, t0);
    }
    await expect(checkSignInAllowed(db, { account: uniqueEmail(), address }, t0)).rejects.toThrow(RateLimitedError);
    await checkSignInAllowed(db, { account: uniqueEmail(), address: "198.51.100.1" }, t0);
  });
});
