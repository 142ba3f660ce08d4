// The quota form: plain decimal amounts only (no hexadecimal, no exponents), CPU also in
// millicores, and no CPU or memory quota that is, or rounds to, zero.
import { describe, expect, it } from "vitest";
import { teamQuotaSchema } from "@/lib/clusters/assignments";
import { quotaFormSchema } from "@/lib/clusters/quota-form";
import { formSchemaCases } from "./support/field-messages";

const blank = { cpuCores: "", memory: "", memoryUnit: "GiB", maxPods: "", maxVms: "", storageGib: "" };
const MIB = { memoryUnit: "MiB" };
const refusals = (rows: [string, string, string | RegExp, Record<string, string>?][]): [Record<string, unknown>, Record<string, string | RegExp>][] =>
  rows.map(([field, typed, message, other]) => [{ [field]: typed, ...other }, { [field]: message }]);

describe("the quota form", () => {
  formSchemaCases(quotaFormSchema, blank, {
    accepts: [
      [{}, { cpuMillicores: null, memoryMib: null, maxPods: null, maxVms: null, storageGib: null }],
      [{ cpuCores: "1.5", memory: "2", maxPods: "10" }, { cpuMillicores: 1500, memoryMib: 2048, maxPods: 10 }],
      [{ cpuCores: "0.001" }, { cpuMillicores: 1 }],
      [{ cpuCores: "250m" }, { cpuMillicores: 250 }],
      [{ cpuCores: " .5 " }, { cpuMillicores: 500 }],
      [{ memory: "1.5" }, { memoryMib: 1536 }],
      [{ memory: "1", memoryUnit: "MiB" }, { memoryMib: 1 }],
      [{ maxPods: "0", maxVms: "0", storageGib: "0" }, { maxPods: 0, maxVms: 0, storageGib: 0 }],
      [{ cpuCores: 2, maxPods: 5 }, { cpuMillicores: 2000, maxPods: 5 }],
    ],
    // [field, what was typed, the field's message, other fields]
    refuses: refusals([
      ["cpuCores", "lots", "Enter CPU cores as a number, e.g. 0.5 or 2, or leave it empty for no limit."],
      ["cpuCores", "0x10", "“0x10” is a hexadecimal number; write it with the digits 0–9 (16)."],
      ["cpuCores", "1e3", "“1e3” uses an exponent; write the number out (1000)."],
      ["memory", "2e0", "“2e0” uses an exponent; write the number out (2)."],
      ["maxPods", "0x0A", "“0x0A” is a hexadecimal number; write it with the digits 0–9 (10)."],
      ["maxPods", "1e2", "“1e2” uses an exponent; write the number out (100)."],
      ["maxPods", "1.5", "Enter the pod count as a whole number, or leave it empty for no limit."],
      ["cpuCores", "-1", "Enter an amount that is not negative."],
      ["cpuCores", "2Gi", "“Gi” is not a unit this field takes; use “m”, or none."],
      ["memory", "2Gi", "Enter a plain number, without a unit such as “Gi”."],
      ["cpuCores", "0", "A CPU quota of 0 lets no pod start; leave it empty for no limit (to stop new pods, set the pod count to 0)."],
      ["cpuCores", "0m", /^A CPU quota of 0 lets no pod start/],
      ["cpuCores", "0.0004", "That is less than 0.001 cores (1m) and would round to a CPU quota of 0; enter at least 0.001 cores (1m), or leave it empty for no limit."],
      ["cpuCores", "0.0015", "CPU is counted in millicores: use at most three decimals (e.g. 0.25), or write millicores (250m)."],
      ["memory", "0", /^A memory quota of 0 lets no pod start/],
      ["memory", "0.0001", /^That is less than 1 MiB and would round to a memory quota of 0/],
      ["memory", "0.5", /would round to a memory quota of 0/, MIB],
      ["memory", "1.3", "Use whole MiB (e.g. 1.5 GiB, or 1536 MiB).", MIB],
      ["cpuCores", "100000", "At most 10,000."],
    ]),
  });
});

describe("the stored quota", () => {
  it("refuses a CPU or memory limit of 0 but allows counts of 0", () => {
    expect(teamQuotaSchema.parse({ maxPods: 0, maxVms: 0, storageGib: 0 })).toMatchObject({ maxPods: 0, maxVms: 0, storageGib: 0 });
    expect(teamQuotaSchema.safeParse({ cpuMillicores: 0 }).error?.issues[0]?.message).toBe("A CPU quota of 0 lets no pod start; leave it empty for no limit.");
    expect(teamQuotaSchema.safeParse({ memoryMib: 0 }).error?.issues[0]?.message).toBe("A memory quota of 0 lets no pod start; leave it empty for no limit.");
    expect(teamQuotaSchema.safeParse({ cpuMillicores: -1 }).error?.issues[0]?.message).toBe("CPU (millicores) cannot be negative.");
  });
});
