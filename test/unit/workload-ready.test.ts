// A workload that the lifecycle machine or the reconciler is still working on refuses changes
// in a sentence that says why (a reset or a stop then could race the create or delete).
import { describe, expect, it } from "vitest";
import { ConflictError } from "@/lib/errors";
import { requireReady } from "@/lib/workloads/lifecycle";

describe("requireReady", () => {
  it("lets a ready workload through and refuses every other state, saying which", () => {
    expect(() => requireReady({ state: "ready" }, "The VM “web”", "operated")).not.toThrow();
    const cases = [
      ["creating", "The VM “web” is still being created; it cannot be operated now."],
      ["failed", "The VM “web” failed to be created and is being cleaned up; it cannot be operated now."],
      ["deleting", "The VM “web” is being deleted; it cannot be operated now."],
      ["lost", "The VM “web” is lost (its objects are gone from the cluster); it cannot be operated now."],
    ] as const;
    for (const [state, message] of cases) {
      expect(() => requireReady({ state }, "The VM “web”", "operated")).toThrow(new ConflictError(message));
    }
  });
});
