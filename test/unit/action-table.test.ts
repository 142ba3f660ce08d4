// The bad-input suite drives every server action from one table (test/support/action-table.ts):
// this fails when an action exported from app/**/actions.ts is missing from it. Also the suite's
// own judges: the message check and the numbers it may generate as bad.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ACTION_TABLE } from "../support/action-table";
import { acceptableNumber, KINDS, unclearMessage } from "../support/hostile-input";

const root = path.resolve(import.meta.dirname, "../..");

function actionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return actionFiles(full);
    return entry.name === "actions.ts" ? [full] : [];
  });
}

describe("the bad-input action table", () => {
  it("lists every defineAction export of app/**/actions.ts, with a known kind for each field", async () => {
    const inTable = new Set(ACTION_TABLE.map((entry) => entry.action));
    const missing: string[] = [];
    let exported = 0;
    for (const file of actionFiles(path.join(root, "app"))) {
      const declared = [...readFileSync(file, "utf8").matchAll(/export const (\w+) = defineAction\(/g)].map((m) => m[1]!);
      const module = (await import(file)) as Record<string, unknown>;
      for (const name of declared) {
        exported++;
        if (!inTable.has(module[name] as never)) missing.push(`${path.relative(root, file)}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
    expect(ACTION_TABLE).toHaveLength(exported);
    for (const entry of ACTION_TABLE) for (const kind of Object.values(entry.fields)) expect(KINDS).toHaveProperty(kind);
  });
});

describe("the bad-input message check", () => {
  it("passes sentences and flags what a person cannot read", () => {
    expect(unclearMessage("Please correct the highlighted fields.", "")).toBeNull();
    expect(unclearMessage("“é” is not allowed (U+00E9): use letters a–z, digits, spaces and dashes.", "")).toBeNull();
    expect(unclearMessage("Invalid input: expected string, received number", "")).not.toBeNull();
    expect(unclearMessage("Too small: expected string to have >=1 characters.", "")).not.toBeNull();
    expect(unclearMessage("Not found.", "")).not.toBeNull();
    expect(unclearMessage("no such pod: x", "")).not.toBeNull();
    expect(unclearMessage("The value undefined is wrong.", "")).not.toBeNull();
    expect(unclearMessage("Unknown field expiresInDays here.", "")).not.toBeNull();
    expect(unclearMessage("Unknown field expiresInDays here.", "expiresInDays")).toBeNull();
    expect(unclearMessage("[object Object]", "")).not.toBeNull();
  });

  it("generates only numbers a field must refuse", () => {
    const rule = { min: 1, max: 500, whole: true, optional: true };
    expect(["7", " 7 ", "", "500"].every((v) => acceptableNumber(v, rule))).toBe(true);
    expect(["0x10", "1e3", "0", "501", "1.5", "-1", "NaN", "Infinity", " 0 "].some((v) => acceptableNumber(v, rule))).toBe(false);
  });
});
