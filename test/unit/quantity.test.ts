// Quantities: what the cluster writes, read by the Kubernetes grammar; what people type, read
// by its strict subset with a sentence for each lenient form; and how amounts are said.
import { describe, expect, it } from "vitest";
import { cpuMillicoresOf, formatBytes, formatCores, formatCpu, formatMib, mibOf, parseQuantity, quantityValue, readTypedAmount, toMillicores } from "@/lib/kube/quantity";

describe("quantities the cluster writes", () => {
  it.each([
    ["0", 0],
    ["10", 10],
    ["1.5", 1.5],
    ["1.", 1],
    [".5", 0.5],
    ["+2", 2],
    ["-2", -2],
    ["250m", 0.25],
    ["100u", 1e-4],
    ["5n", 5e-9],
    ["2k", 2000],
    ["1G", 1e9],
    ["3E", 3e18],
    ["512Mi", 512 * 2 ** 20],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["1Ki", 1024],
    ["2Ti", 2 * 2 ** 40],
    ["1e3", 1000],
    ["1E3", 1000],
    ["5e-3", 0.005],
    ["12e+2", 1200],
  ])("reads %j", (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 12);
  });

  it.each(["", "ten", "1 Gi", " 1", "1Gb", "1mi", "0x10", "1e", "1.2.3", "Gi", "1ki", "--1", "1e3Gi", "∞", "NaN", "Infinity", "١"])("refuses %j", (text) => {
    expect(parseQuantity(text)).toBeNull();
  });

  it("converts to the panel's units", () => {
    expect(cpuMillicoresOf("250m")).toBe(250);
    expect(cpuMillicoresOf("0.0001")).toBe(1);
    expect(cpuMillicoresOf("bad")).toBeNull();
    expect(mibOf("1Gi")).toBe(1024);
    expect(toMillicores(undefined)).toBe(0);
    expect(toMillicores("2")).toBe(2000);
    expect(quantityValue("garbage")).toBe(0);
    expect(quantityValue(null)).toBe(0);
  });
});

describe("amounts people type", () => {
  it.each([
    ["2", [], 2],
    [" 2 ", [], 2],
    ["0", [], 0],
    ["0.5", [], 0.5],
    [".5", [], 0.5],
    ["1.", [], 1],
    ["007", [], 7],
    ["500m", ["m"], 0.5],
    ["1536Mi", ["Mi", "Gi"], 1536 * 2 ** 20],
  ] as const)("reads %j (units %j)", (text, suffixes, value) => {
    expect(readTypedAmount(text, suffixes)).toEqual({ value });
  });

  it.each([
    ["0x10", [], "“0x10” is a hexadecimal number; write it with the digits 0–9 (16)."],
    ["0X1F4", [], "“0X1F4” is a hexadecimal number; write it with the digits 0–9 (500)."],
    ["0b101", [], "“0b101” is not a decimal number; write it with the digits 0–9."],
    ["0o17", [], "“0o17” is not a decimal number; write it with the digits 0–9."],
    ["1e3", [], "“1e3” uses an exponent; write the number out (1000)."],
    ["1.5E2", [], "“1.5E2” uses an exponent; write the number out (150)."],
    ["5e-1", [], "“5e-1” uses an exponent; write the number out (0.5)."],
    ["1e400", [], "“1e400” uses an exponent; write the number out."],
    ["-1", [], "Enter an amount that is not negative."],
    ["+1", [], "Write the number without a + sign."],
    ["2Gi", [], "Enter a plain number, without a unit such as “Gi”."],
    ["2Gi", ["m"], "“Gi” is not a unit this field takes; use “m”, or none."],
    ["", [], null],
    ["lots", [], null],
    ["1,5", [], null],
    ["1 000", [], null],
    ["Infinity", [], null],
    ["NaN", [], null],
    ["١٢", [], null],
    ["½", [], null],
    ["1".repeat(31), [], null],
  ] as const)("refuses %j (units %j)", (text, suffixes, problem) => {
    expect(readTypedAmount(text, suffixes)).toEqual({ problem });
  });
});

describe("how amounts are said", () => {
  it.each([
    [formatCores(500), "0.5 cores"],
    [formatCores(1000), "1 core"],
    [formatCores(2500, false), "2.5"],
    [formatCpu(250), "250m CPU"],
    [formatCpu(1500), "1.5 cores"],
    [formatCpu(0), "0 cores"],
    [formatMib(512), "512 MiB"],
    [formatMib(1536), "1.5 GiB"],
    [formatMib(7680, false, 8192), "7.5"],
    [formatMib(512, false, 8192), "0.5"],
    [formatMib(3584), "3.5 GiB"],
    [formatBytes(1536 * 2 ** 20), "1.5 GiB"],
    [formatBytes(100), "100 B"],
  ])("%j is %j", (said, expected) => {
    expect(said).toBe(expected);
  });
});
