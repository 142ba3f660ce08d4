// Prints how long each step and each Vitest project took, then one closing line for the
// whole run — "tests: N passed, N failed, N skipped" — from the JSON reports of Vitest and
// Playwright. Exits 1 when a report is missing.
import { existsSync, readFileSync } from "node:fs";

const [vitestFile, playwrightFile, durationsFile] = process.argv.slice(2);
let passed = 0, failed = 0, skipped = 0, missing = 0;

if (existsSync(vitestFile)) {
  const v = JSON.parse(readFileSync(vitestFile, "utf8"));
  passed += v.numPassedTests; failed += v.numFailedTests; skipped += v.numPendingTests + (v.numTodoTests ?? 0);
} else missing++;

if (existsSync(playwrightFile)) {
  const s = JSON.parse(readFileSync(playwrightFile, "utf8")).stats;
  passed += s.expected + s.flaky; failed += s.unexpected; skipped += s.skipped;
} else missing++;

const minutes = (seconds) => `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
if (durationsFile && existsSync(durationsFile)) {
  console.log("durations:");
  for (const line of readFileSync(durationsFile, "utf8").split("\n").filter(Boolean)) {
    const [name, seconds] = line.split("\t");
    console.log(`  ${name.padEnd(40)} ${minutes(Number(seconds))}`);
  }
}
if (existsSync(vitestFile)) {
  // Per Vitest project: from its first file's start to its last file's end (projects overlap in time).
  const spans = new Map();
  for (const file of JSON.parse(readFileSync(vitestFile, "utf8")).testResults ?? []) {
    const project = /\/test\/(unit|integration|cluster)\//.exec(file.name)?.[1] ?? "unit";
    const span = spans.get(project) ?? { start: Infinity, end: 0, files: 0 };
    spans.set(project, { start: Math.min(span.start, file.startTime), end: Math.max(span.end, file.endTime), files: span.files + 1 });
  }
  for (const [project, span] of spans) console.log(`  vitest ${project.padEnd(33)} ${minutes((span.end - span.start) / 1000)} (${span.files} files)`);
}
if (missing) console.log(`${missing} suite report(s) missing: a suite did not run`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(missing ? 1 : 0);
