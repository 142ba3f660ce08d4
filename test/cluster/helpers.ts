// What cluster tests share: an admin client, a namespace of their own, and waiting by watching.
import { randomBytes } from "node:crypto";
import { CoreV1Api, KubeConfig, type KubernetesObject, type V1Pod, type V1ServiceAccount } from "@kubernetes/client-node";
import { inject, test as base } from "vitest";
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
