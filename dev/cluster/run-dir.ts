// The temp directory of one control-plane run, and the reaping of runs whose owner died.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { signalGroup } from "./processes";

const PREFIX = "minicloud-cluster-";
const OWNER_FILE = "owner.json";

interface OwnerRecord {
  ownerPid: number;
  /** Leaders of the process groups this run started. */
  groupPids: number[];
}

/** A fresh run directory that records its owner and child process groups. */
export class RunDir {
  readonly path: string;
  private readonly record: OwnerRecord;

  constructor() {
    this.path = mkdtempSync(path.join(tmpdir(), PREFIX));
    this.record = { ownerPid: process.pid, groupPids: [] };
    this.save();
  }

  /** Notes a started process group, so a later run can reap it if we die without cleaning up. */
  recordGroup(pid: number): void {
    this.record.groupPids.push(pid);
    this.save();
  }

  /** Deletes the directory once its processes are stopped. */
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }

  /** Kills every recorded group at once and deletes the directory (synchronous: safe in exit hooks). */
  destroyNow(): void {
    for (const pid of this.record.groupPids) signalGroup(pid, "SIGKILL");
    rmSync(this.path, { recursive: true, force: true });
  }

  private save(): void {
    writeFileSync(path.join(this.path, OWNER_FILE), JSON.stringify(this.record));
  }
}

/**
 * Removes runs left behind by an owner that was killed outright (SIGKILL, OOM): their
 * processes die with the owner via the parent-death signal, but the directory stays.
 * A recorded pid is only killed if it still runs with this run's directory in its command line.
 */
export function reapAbandonedRuns(log: (line: string) => void): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(tmpdir(), name);
    let record: OwnerRecord;
    try {
      record = JSON.parse(readFileSync(path.join(dir, OWNER_FILE), "utf8")) as OwnerRecord;
    } catch {
      // No owner record: either being created right now or hopelessly broken; only reap the old ones.
      if (ageMs(dir) > 10 * 60_000) rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (isAlive(record.ownerPid)) continue;
    for (const pid of record.groupPids) if (commandLineMentions(pid, dir)) signalGroup(pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    log(`removed abandoned run ${dir}`);
  }
}

function ageMs(dir: string): number {
  try {
    return Date.now() - statSync(dir).mtimeMs;
  } catch {
    return 0;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function commandLineMentions(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(dir);
  } catch {
    return false;
  }
}
