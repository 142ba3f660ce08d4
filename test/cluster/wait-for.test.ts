// Waiting by watching, as the panel does it: a watched change ends the wait, and a wait that
// never gets there fails with a message an operator can read.
import { CoreV1Api, type V1ConfigMap } from "@kubernetes/client-node";
import { describe, expect } from "vitest";
import { UnavailableError } from "@/lib/errors";
import { waitForCluster, type WatchSpec } from "@/lib/kube/wait-for";
import { test } from "./helpers";

const lab = { id: "x", name: "lab" };

/** Waits for config map `cm` in `namespace` to hold a = b. */
function configMapFilled(kc: Parameters<typeof waitForCluster>[1], namespace: string, timeoutMs?: number): WatchSpec<V1ConfigMap> {
  const fieldSelector = "metadata.name=cm";
  return {
    what: "see config map cm filled",
    path: `/api/v1/namespaces/${namespace}/configmaps`,
    fieldSelector,
    list: () => kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace, fieldSelector }),
    satisfied: ([cm]) => cm?.data?.a === "b",
    timeoutMs,
  };
}

describe("waitForCluster", () => {
  test("resolves with the objects once a change satisfies it", async ({ kc, namespace }) => {
    const waiting = waitForCluster(lab, kc, configMapFilled(kc, namespace));
    await kc.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace, body: { metadata: { name: "cm" }, data: { a: "b" } } });
    const [cm] = await waiting;
    expect(cm?.metadata?.name).toBe("cm");
  });

  test("a wait that never gets there is unavailable, saying what it waited for", async ({ kc, namespace }) => {
    const waiting = waitForCluster(lab, kc, configMapFilled(kc, namespace, 1_000));
    await expect(waiting).rejects.toBeInstanceOf(UnavailableError);
    await expect(waiting).rejects.toThrow("The cluster “lab” did not reach the expected state within 1 s (while waiting to see config map cm filled).");
  });
});
