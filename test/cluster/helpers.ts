// What cluster tests share: an admin client, a namespace of their own, and waiting by watching.
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { CoreV1Api, KubeConfig, type KubernetesObject, type V1Pod, type V1ServiceAccount } from "@kubernetes/client-node";
import { afterAll, beforeAll, inject, test as base } from "vitest";
import { sealSecret } from "@/lib/crypto/secret-box";
import { createDatabase, type Database, type Db } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { clusters } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";
import { kubeconfigSealContext } from "@/lib/kube/clients";
import { waitForObjects, type WaitOptions, type WatchTarget } from "../../dev/cluster/watch";

export type { WatchTarget, WaitOptions };

/** Path of the run's admin (system:masters) kubeconfig. */
export function clusterKubeconfigPath(): string {
  return inject("cluster").kubeconfigPath;
}

/** The admin client config of the run's control plane. */
export function adminKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(clusterKubeconfigPath());
  return kc;
}

/** A namespace name no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/**
 * Resolves with the matching objects once `satisfied` holds, re-checked on every watch
 * event (never by sleeping); rejects after `timeoutMs` (default 30 s).
 */
export function waitFor<T extends KubernetesObject>(
  kc: KubeConfig,
  target: WatchTarget,
  satisfied: (objects: T[]) => boolean,
  options?: WaitOptions,
): Promise<T[]> {
  return waitForObjects<T>(kc, target, satisfied, options);
}

/** Waits until the named pod satisfies `satisfied` and returns it. */
export async function waitForPod(kc: KubeConfig, namespace: string, name: string, satisfied: (pod: V1Pod) => boolean, options?: WaitOptions): Promise<V1Pod> {
  const [pod] = await waitFor<V1Pod>(
    kc,
    { apiVersion: "v1", kind: "Pod", namespace, fieldSelector: `metadata.name=${name}` },
    (pods) => pods.length === 1 && satisfied(pods[0]!),
    { description: `pod ${namespace}/${name}`, ...options },
  );
  return pod!;
}

export const isRunningWithIp = (pod: V1Pod): boolean => pod.status?.phase === "Running" && Boolean(pod.status.podIP);

/** A minimal pod; no image is ever pulled (kwok runs nothing), but the spec is a real one. */
export function podSpec(name: string, extra: Partial<V1Pod["spec"]> = {}): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: name } },
    spec: {
      containers: [{ name: "main", image: "debian:bookworm-slim", command: ["sleep", "infinity"], ports: [{ containerPort: 22, name: "ssh" }] }],
      ...extra,
    },
  };
}

/**
 * Creates a namespace and waits until it can hold pods: the ServiceAccount admission
 * plugin refuses pods until the controller-manager has created the `default` ServiceAccount.
 */
export async function createNamespace(kc: KubeConfig, name: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name, labels: { "minicloud.io/test": "true" } } } });
  await waitFor<V1ServiceAccount>(
    kc,
    { apiVersion: "v1", kind: "ServiceAccount", namespace: name },
    (accounts) => accounts.some((account) => account.metadata?.name === "default"),
    { description: `ServiceAccount ${name}/default` },
  );
}

/**
 * `test` with fixtures: `kc` (admin client) and `namespace` (fresh for each test, deleted
 * after it; deletion finishes in the background).
 */
export const test = base
  .extend("kc", { scope: "worker" }, async () => adminKubeConfig())
  .extend("namespace", async ({ kc }, { onCleanup }) => {
    const name = uniqueName("t");
    await createNamespace(kc, name);
    onCleanup(async () => {
      await kc.makeApiClient(CoreV1Api).deleteNamespace({ name }).catch(() => {});
    });
    return name;
  });

/**
 * A migrated in-memory PGlite database for the enclosing describe block (cluster tests run
 * on one engine; the integration suite covers PostgreSQL). Call the getter inside tests.
 */
export function useDatabase(): () => Db {
  let database: Database | undefined;
  beforeAll(async () => {
    database = await createDatabase({ memory: true });
    await migrateDatabase(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });
  return () => {
    if (!database) throw new Error("database not open yet");
    return database.db;
  };
}

/**
 * Records the run's control plane as a registered host cluster, straight into the table
 * (kubeconfig sealed as the panel stores it), for tests that are not about registration.
 */
export async function insertLocalCluster(db: Db, name = uniqueName("local"), settings: Record<string, unknown> = {}): Promise<typeof clusters.$inferSelect> {
  const id = randomUUID();
  const sealed = sealSecret(getEnv().encryptionKey, kubeconfigSealContext(id), readFileSync(clusterKubeconfigPath(), "utf8"));
  const [row] = await db.insert(clusters).values({ id, name, slug: name, kind: "host", kubeconfigEncrypted: sealed, settings }).returning();
  return row!;
}
