// What every benchmark shares: its own throwaway environment, and the statistics it reports.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Gives the run a data directory (a fresh temp directory unless MINICLOUD_DATA_DIR is set), a
 * session secret and an encryption key, before any panel module reads the environment. Returns
 * the directory it made (for the caller to remove), or null when one was given.
 */
export function prepareBenchEnvironment(): string | null {
  const ownDataDir = process.env.MINICLOUD_DATA_DIR ? null : mkdtempSync(path.join(tmpdir(), "minicloud-bench-"));
  process.env.MINICLOUD_DATA_DIR ??= ownDataDir!;
  process.env.MINICLOUD_SECRET ??= randomBytes(32).toString("base64url");
  process.env.MINICLOUD_ENCRYPTION_KEY ??= randomBytes(32).toString("base64");
  return ownDataDir;
}

/** The p-th percentile (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** The median. */
export const median = (values: number[]) => percentile(values, 50);
