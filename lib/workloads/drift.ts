// Drift between the rows (intent) and the clusters (what exists), for the admin's drift page:
// objects minicloud labelled whose workload has no row (older than the grace period, so a
// create in progress is not one), rows whose objects vanished (lost), and deletions held by
// finalizers. Removing an orphan is the admin's call here, or the reconciler's when the
// cluster's settings say so.
import { eq } from "drizzle-orm";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import { readClusterSettings } from "@/lib/clusters/settings";
import type { Db } from "@/lib/db/client";
import { clusters, workloads } from "@/lib/db/schema";
import { AppError, NotFoundError } from "@/lib/errors";
import { DEFAULT_GRACE_MS, driverOf, registeredKinds, type FoundWorkload, type WorkloadRow } from "@/lib/workloads/lifecycle";

/** One cluster's drift. */
export interface ClusterDrift {
  clusterId: string;
  clusterName: string;
  /** Why the cluster could not be looked at (unreachable), or null. */
  error: string | null;
  /** Whether the reconciler removes orphans here by itself. */
  removesOrphans: boolean;
  orphans: FoundWorkload[];
  lost: Pick<WorkloadRow, "id" | "kind" | "name" | "namespace" | "stateReason">[];
  stuck: Pick<WorkloadRow, "id" | "kind" | "name" | "namespace" | "stateReason">[];
}

/** The drift of every cluster, by name. */
export async function findDrift(db: Db, now: Date = new Date()): Promise<ClusterDrift[]> {
  const settled = new Date(now.getTime() - DEFAULT_GRACE_MS);
  const rows = await db.select().from(workloads);
  const ids = new Set(rows.map((r) => r.id));
  const registered = await db.select().from(clusters).orderBy(clusters.name);
  const out: ClusterDrift[] = [];
  for (const cluster of registered) {
    const entry: ClusterDrift = {
      clusterId: cluster.id,
      clusterName: cluster.name,
      error: null,
      removesOrphans: readClusterSettings(cluster).removeOrphans,
      orphans: [],
      lost: rows.filter((r) => r.clusterId === cluster.id && r.state === "lost"),
      stuck: rows.filter((r) => r.clusterId === cluster.id && r.state === "deleting" && r.stateReason?.startsWith("Waiting for finalizers")),
    };
    try {
      for (const kind of registeredKinds()) {
        const found = await driverOf(kind).inventory(db, cluster.id);
        entry.orphans.push(...found.filter((f) => f.madeHere && !ids.has(f.workloadId) && f.createdAt <= settled));
      }
    } catch (error) {
      entry.error = error instanceof AppError ? error.message : "The cluster could not be asked.";
    }
    out.push(entry);
  }
  return out;
}

/** Removes the objects of one orphan (re-checked: still labelled, still without a row), audited. */
export async function removeOrphan(db: Db, actor: Actor, input: { clusterId: string; workloadId: string }): Promise<void> {
  const [cluster] = await db.select().from(clusters).where(eq(clusters.id, input.clusterId));
  if (!cluster) throw new NotFoundError("No such cluster.");
  const [row] = await db.select({ id: workloads.id }).from(workloads).where(eq(workloads.id, input.workloadId));
  if (row) throw new NotFoundError("That workload has a row: it is not drift.");
  for (const kind of registeredKinds()) {
    const orphan = (await driverOf(kind).inventory(db, input.clusterId)).find((f) => f.madeHere && f.workloadId === input.workloadId);
    if (!orphan) continue;
    await driverOf(kind).removeOrphan(db, input.clusterId, orphan);
    await auditSuccess(db, actor, {
      action: "workload.orphan-removed",
      targetType: "cluster",
      targetId: cluster.id,
      targetLabel: `${cluster.name}: ${orphan.namespace}`,
      detail: { workloadId: orphan.workloadId, kind: orphan.kind, objects: orphan.objects.map((o) => `${o.kind} ${o.name}`) },
    });
    return;
  }
  throw new NotFoundError("Nothing of that workload is left in the cluster.");
}

/** For the reconciler: whether a cluster's settings say to remove orphans by itself. */
export async function removesOrphans(db: Db, clusterId: string): Promise<boolean> {
  const [cluster] = await db.select({ settings: clusters.settings }).from(clusters).where(eq(clusters.id, clusterId));
  return cluster ? readClusterSettings(cluster).removeOrphans : false;
}
