// The registration of the panel's built-in local cluster (lib/local-cluster). The panel made
// that cluster itself, on loopback, so its address is not vetted against the loopback policy
// meant for clusters users paste; its kubeconfig is still vetted like any other. The control
// plane is made afresh at every start (new certificates, new kube-system UID), so one row
// marked `built_in` is kept and its credentials and identity are replaced on each start.
import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { recordAuditEvent, type Actor } from "@/lib/audit/service";
import { assignCluster, listClusterAssignments } from "@/lib/clusters/assignments";
import { probeCluster, type ClusterCheck } from "@/lib/clusters/probe";
import { readClusterSettings } from "@/lib/clusters/settings";
import { sealSecret } from "@/lib/crypto/secret-box";
import type { Db } from "@/lib/db/client";
import { auditEvents, clusters } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";
import { AppError, UnavailableError } from "@/lib/errors";
import { kubeconfigSealContext } from "@/lib/kube/clients";
import { kubeConfigFromSelected, selectContext, storedKubeconfigText, vetKubeconfig } from "@/lib/kube/kubeconfig";
import { slugify } from "@/lib/names";

/** The names the built-in cluster is registered under: the first one free. */
const BUILT_IN_NAMES = ["local", "local-built-in"] as const;

/** Who asked: a signed-in admin, or the panel itself at start. */
export interface BuiltInActor {
  actorId: string | null;
  actorLabel: string;
}

/** The built-in cluster's row id, or null when it was never registered. */
export async function builtInClusterId(db: Db): Promise<string | null> {
  const [row] = await db.select({ id: clusters.id }).from(clusters).where(eq(clusters.builtIn, true));
  return row?.id ?? null;
}

/** Whether the built-in cluster could be registered as `name`: it keeps the name it has, or the name is free. */
export async function isBuiltInNameFree(db: Db, name: string): Promise<boolean> {
  if ((await builtInClusterId(db)) !== null) return true;
  const [clash] = await db.select({ id: clusters.id }).from(clusters).where(eq(clusters.slug, slugify(name)));
  return !clash;
}

async function freeName(db: Db, preferred: string | undefined): Promise<string> {
  for (const name of preferred ? [preferred, ...BUILT_IN_NAMES] : BUILT_IN_NAMES) {
    const [clash] = await db.select({ id: clusters.id }).from(clusters).where(eq(clusters.slug, slugify(name)));
    if (!clash) return name;
  }
  return `local-${randomUUID().slice(0, 8)}`;
}

/**
 * Registers the running built-in cluster from its admin kubeconfig: checks it, then stores it
 * (a new row the first time, named `preferredName` when free, else "local" or the next free
 * name; the same row with new credentials after a restart). Returns the row id.
 */
export async function registerBuiltInCluster(
  db: Db,
  actor: BuiltInActor,
  kubeconfigText: string,
  preferredName?: string,
): Promise<{ clusterId: string; check: ClusterCheck; restarted: boolean }> {
  const selected = selectContext(vetKubeconfig(kubeconfigText));
  const kc = kubeConfigFromSelected(selected);
  const [existing] = await db.select().from(clusters).where(eq(clusters.builtIn, true));
  const id = existing?.id ?? randomUUID();
  const name = existing?.name ?? (await freeName(db, preferredName));
  let check: ClusterCheck;
  try {
    check = await probeCluster({ id, name }, kc, { impersonation: existing ? readClusterSettings(existing).impersonation : false });
  } catch (error) {
    if (error instanceof AppError) throw new UnavailableError(`The built-in cluster did not answer its check: ${error.message}`);
    throw error;
  }
  const values = {
    kubeconfigEncrypted: sealSecret(getEnv().encryptionKey, kubeconfigSealContext(id), storedKubeconfigText(selected)),
    identity: check.identity ?? null,
    lastCheck: check as unknown as Record<string, unknown>,
    checkedAt: new Date(check.checkedAt),
  };
  await db.transaction(async (tx) => {
    if (existing) await tx.update(clusters).set(values).where(eq(clusters.id, id));
    else await tx.insert(clusters).values({ id, name, slug: slugify(name), kind: "host", builtIn: true, ...values });
    await recordAuditEvent(tx, {
      ...actor,
      action: existing ? "cluster.built-in.restart" : "cluster.register",
      targetType: "cluster",
      targetId: id,
      targetLabel: name,
      detail: { builtIn: true, server: kc.getCurrentCluster()?.server ?? null, version: check.version, nodes: check.nodes },
    });
  });
  return { clusterId: id, check, restarted: existing !== undefined };
}

/**
 * After a restart the control plane is empty: makes each team namespace again (quota, limits,
 * network policy, as its assignment says) through the assignments service, on behalf of the
 * admin who asked, or at panel start of the admin who first registered the cluster. Returns
 * the namespaces it could not make, with why; the workloads that were in them are gone (the
 * reconciler marks them lost).
 */
export async function restoreBuiltInAssignments(db: Db, clusterId: string, actor: BuiltInActor): Promise<string[]> {
  const assignments = await listClusterAssignments(db, clusterId);
  if (assignments.length === 0) return [];
  const onBehalf = await restoringActor(db, clusterId, actor);
  if (!onBehalf) return assignments.map((a) => `${a.namespace}: no administrator to act for (the cluster's registration has no audit row); assign it again`);
  const failed: string[] = [];
  for (const assignment of assignments) {
    try {
      await assignCluster(db, onBehalf, { clusterId, teamId: assignment.teamId, quota: assignment.quota });
    } catch (error) {
      failed.push(`${assignment.namespace}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failed;
}

async function restoringActor(db: Db, clusterId: string, actor: BuiltInActor): Promise<Actor | null> {
  if (actor.actorId) return { userId: actor.actorId, label: actor.actorLabel };
  const [registered] = await db
    .select({ actorId: auditEvents.actorId, actorLabel: auditEvents.actorLabel })
    .from(auditEvents)
    .where(and(eq(auditEvents.targetId, clusterId), eq(auditEvents.action, "cluster.register")))
    .orderBy(asc(auditEvents.createdAt))
    .limit(1);
  return registered?.actorId ? { userId: registered.actorId, label: `${registered.actorLabel} (restored at panel start)` } : null;
}
