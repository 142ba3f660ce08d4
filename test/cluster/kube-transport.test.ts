// The one transport: stored credentials open into a working client, and what the cluster
// answers (or fails to) becomes the panel's error vocabulary with readable messages.
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { createServer } from "node:net";
import { describe, expect } from "vitest";
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from "@/lib/errors";
import { getClusterConnection } from "@/lib/kube/clients";
import { httpStatusOf, kube, kubeOrNull } from "@/lib/kube/transport";
import { insertLocalCluster, test, useDatabase } from "./helpers";

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("kube transport", () => {
  const db = useDatabase();

  test("a registered cluster's sealed kubeconfig opens into one reused client", async ({ namespace }) => {
    const row = await insertLocalCluster(db());
    const connection = await getClusterConnection(db(), row.id);
    expect(await getClusterConnection(db(), row.id)).toBe(connection);
    const core = connection.kc.makeApiClient(CoreV1Api);
    const ns = await kube(connection, `read namespace ${namespace}`, () => core.readNamespace({ name: namespace }));
    expect(ns.metadata?.name).toBe(namespace);
  });

  test("maps 404, 409 and 422 to not found, conflict and invalid, naming the cluster", async ({ kc, namespace }) => {
    const cluster = { id: "x", name: "lab" };
    const core = kc.makeApiClient(CoreV1Api);
    const missing = kube(cluster, "read pod nope", () => core.readNamespacedPod({ name: "nope", namespace }));
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    await expect(missing).rejects.toThrow(/not found in cluster “lab”/);
    expect(await kubeOrNull(cluster, "read pod nope", () => core.readNamespacedPod({ name: "nope", namespace }))).toBeNull();

    const body = { metadata: { name: "cm" }, data: { a: "b" } };
    await kube(cluster, "create config map cm", () => core.createNamespacedConfigMap({ namespace, body }));
    const again = kube(cluster, "create config map cm", () => core.createNamespacedConfigMap({ namespace, body }));
    await expect(again).rejects.toBeInstanceOf(ConflictError);
    await expect(again).rejects.toThrow(/already exists/);
    const error = await again.catch((e: unknown) => e);
    expect(httpStatusOf(error)).toBe(409);

    const invalid = kube(cluster, "create config map Bad_Name", () => core.createNamespacedConfigMap({ namespace, body: { metadata: { name: "Bad_Name" } } }));
    await expect(invalid).rejects.toBeInstanceOf(ValidationError);
    await expect(invalid).rejects.toThrow(/cluster “lab” refused to create config map Bad_Name: .*Bad_Name/);
  });

  test("an unreachable cluster is unavailable with the reason, not a stack trace", async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "gone", server: `https://127.0.0.1:${await closedPort()}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "c", cluster: "gone", user: "u" }],
      currentContext: "c",
    });
    const call = kube({ id: "g", name: "gone" }, "list namespaces", () => kc.makeApiClient(CoreV1Api).listNamespace());
    await expect(call).rejects.toBeInstanceOf(UnavailableError);
    await expect(call).rejects.toThrow("The cluster “gone” is unreachable: connection refused (while trying to list namespaces).");
  });

  test("a call that does not answer in time is unavailable", async () => {
    const call = kube({ id: "s", name: "slow" }, "list namespaces", () => new Promise(() => {}), { timeoutMs: 50 });
    await expect(call).rejects.toThrow("The cluster “slow” did not answer within 0 s (while trying to list namespaces).");
  });
});
