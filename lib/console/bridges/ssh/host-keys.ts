// Trust on first use for pods' SSH host keys. The panel reaches a pod's sshd through the
// Kubernetes API, so the transport is already authenticated; pinning still catches a pod
// whose sshd was swapped for another (a compromised image, a hijacked Service) after the
// first connection. The first key seen for a workload is stored; a different one later is
// refused with a message saying so, until an admin clears the pin.
import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { sshHostKeys } from "@/lib/db/schema";

/** `SHA256:<base64, no padding>` of an SSH public key blob — what `ssh-keygen -l` prints. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The key type named at the start of an SSH public key blob (`ssh-ed25519`, …). */
export function sshKeyType(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return "unknown";
  const length = keyBlob.readUInt32BE(0);
  return length > 0 && length < 64 && keyBlob.length >= 4 + length ? keyBlob.subarray(4, 4 + length).toString("latin1") : "unknown";
}

export type HostKeyCheck =
  | { ok: true; firstUse: boolean; fingerprint: string }
  | { ok: false; expected: string; presented: string };

/** Checks `keyBlob` against the pin of `workloadId`, pinning it when there is none yet (race-safe). */
export async function checkHostKey(db: Db, workloadId: string, keyBlob: Buffer): Promise<HostKeyCheck> {
  const fingerprint = sshFingerprint(keyBlob);
  const inserted = await db
    .insert(sshHostKeys)
    .values({ workloadId, fingerprint, keyType: sshKeyType(keyBlob) })
    .onConflictDoNothing({ target: sshHostKeys.workloadId })
    .returning({ fingerprint: sshHostKeys.fingerprint });
  if (inserted.length > 0) return { ok: true, firstUse: true, fingerprint };
  const [pinned] = await db.select({ fingerprint: sshHostKeys.fingerprint }).from(sshHostKeys).where(eq(sshHostKeys.workloadId, workloadId));
  if (!pinned || pinned.fingerprint === fingerprint) return { ok: true, firstUse: false, fingerprint };
  return { ok: false, expected: pinned.fingerprint, presented: fingerprint };
}

/** A workload's pin as the pod page shows it. */
export interface HostKeyPin {
  fingerprint: string;
  keyType: string;
  firstSeenAt: Date;
}

const pinColumns = { fingerprint: sshHostKeys.fingerprint, keyType: sshHostKeys.keyType, firstSeenAt: sshHostKeys.firstSeenAt };

/** The pin of a workload, if any. */
export async function hostKeyPin(db: Db, workloadId: string): Promise<HostKeyPin | null> {
  const [row] = await db.select(pinColumns).from(sshHostKeys).where(eq(sshHostKeys.workloadId, workloadId));
  return row ?? null;
}

/**
 * Forgets a workload's pin (after a deliberate host key change); the next connection pins
 * again. Answers the pin it removed, or null when there was none (so two concurrent callers
 * cannot both believe they removed it).
 */
export async function clearPinnedHostKey(db: Db, workloadId: string): Promise<HostKeyPin | null> {
  const [removed] = await db.delete(sshHostKeys).where(eq(sshHostKeys.workloadId, workloadId)).returning(pinColumns);
  return removed ?? null;
}
