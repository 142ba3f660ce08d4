// A control plane's row beside its workload: the PKI sealed at rest (AES-256-GCM, bound to the
// workload id) and the create's progress. Only lib/nested reads and writes it.
import { eq, sql } from "drizzle-orm";
import { openSecret, sealSecret } from "@/lib/crypto/secret-box";
import type { Db } from "@/lib/db/client";
import { nestedControlPlanes } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";
import { certificateExpiries, type ClusterPki } from "@/lib/pki/cluster-pki";
import { STEPS, type StepName, type StepProgress } from "@/lib/nested/types";

/** Where the sealed PKI of plane `workloadId` is bound (associated data of the seal). */
export const pkiSealContext = (workloadId: string) => `nested:${workloadId}:pki`;

const soonestExpiry = (pki: ClusterPki) => certificateExpiries(pki)[0]!.notAfter;

/** The plane's PKI, or null when none was made yet. */
export async function loadPki(db: Db, workloadId: string): Promise<ClusterPki | null> {
  const [row] = await db.select({ sealed: nestedControlPlanes.pkiEncrypted }).from(nestedControlPlanes).where(eq(nestedControlPlanes.workloadId, workloadId));
  return row ? (JSON.parse(openSecret(getEnv().encryptionKey, pkiSealContext(workloadId), row.sealed)) as ClusterPki) : null;
}

/** Stores a new plane's PKI unless one is stored already (a retried create keeps the first); returns the stored one. */
export async function storePki(db: Db, workloadId: string, pki: ClusterPki): Promise<ClusterPki> {
  const sealed = sealSecret(getEnv().encryptionKey, pkiSealContext(workloadId), JSON.stringify(pki));
  const steps: StepProgress[] = STEPS.map((step) => ({ step, state: "pending", at: new Date().toISOString() }));
  await db.insert(nestedControlPlanes).values({ workloadId, pkiEncrypted: sealed, certificatesExpireAt: soonestExpiry(pki), steps }).onConflictDoNothing();
  return (await loadPki(db, workloadId))!;
}

/** Replaces the plane's PKI (after a rotation). */
export async function replacePki(db: Db, workloadId: string, pki: ClusterPki): Promise<void> {
  const sealed = sealSecret(getEnv().encryptionKey, pkiSealContext(workloadId), JSON.stringify(pki));
  await db
    .update(nestedControlPlanes)
    .set({ pkiEncrypted: sealed, certificatesExpireAt: soonestExpiry(pki), certificatesRotatedAt: new Date() })
    .where(eq(nestedControlPlanes.workloadId, workloadId));
}

/** The plane's progress and certificate dates, or null. */
export async function loadPlaneRecord(db: Db, workloadId: string) {
  const [row] = await db
    .select({ steps: nestedControlPlanes.steps, expiresAt: nestedControlPlanes.certificatesExpireAt, rotatedAt: nestedControlPlanes.certificatesRotatedAt })
    .from(nestedControlPlanes)
    .where(eq(nestedControlPlanes.workloadId, workloadId));
  return row ? { steps: row.steps as StepProgress[], expiresAt: row.expiresAt, rotatedAt: row.rotatedAt } : null;
}

/** Records a step's state (the steps before it are done by then). */
export async function recordStep(db: Db, workloadId: string, step: StepName, state: StepProgress["state"], error?: string): Promise<void> {
  const at = new Date().toISOString();
  const index = STEPS.indexOf(step);
  const steps: StepProgress[] = STEPS.map((name, i) =>
    i < index ? { step: name, state: "done", at } : i === index ? { step: name, state, at, ...(error && { error }) } : { step: name, state: "pending", at },
  );
  // Earlier steps keep the time they finished.
  await db
    .update(nestedControlPlanes)
    .set({
      steps: sql`(select coalesce(jsonb_agg(case when (old.value->>'state') = 'done' and (new.value->>'state') = 'done' then old.value else new.value end order by new.ordinality), '[]'::jsonb)
        from jsonb_array_elements(${JSON.stringify(steps)}::jsonb) with ordinality as new
        left join jsonb_array_elements(${nestedControlPlanes.steps}) with ordinality as old on old.ordinality = new.ordinality)`,
    })
    .where(eq(nestedControlPlanes.workloadId, workloadId));
}
