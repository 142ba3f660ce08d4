// The storage stand-in: a claim of the default class gets a hostPath volume on the node the
// scheduler picked, the pod using it runs, and deleting the claim deletes the volume.
import { CoreV1Api, StorageV1Api, type V1PersistentVolume, type V1PersistentVolumeClaim } from "@kubernetes/client-node";
import { existsSync } from "node:fs";
import { describe, expect } from "vitest";
import { STANDIN_PROVISIONER, STANDIN_STORAGE_CLASS } from "../../dev/cluster/standins/storage-provisioner";
import { isRunningWithIp, podSpec, test, waitFor, waitForPod } from "./helpers";

describe("storage stand-in", () => {
  test("a claim is provisioned where its pod is scheduled, and reclaimed when deleted", async ({ kc, namespace }) => {
    const core = kc.makeApiClient(CoreV1Api);
    const storage = kc.makeApiClient(StorageV1Api);
    const storageClass = await storage.readStorageClass({ name: STANDIN_STORAGE_CLASS });
    expect(storageClass.provisioner).toBe(STANDIN_PROVISIONER);
    expect(storageClass.metadata?.annotations?.["storageclass.kubernetes.io/is-default-class"]).toBe("true");

    // No class named: the default class is filled in by admission.
    await core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: { metadata: { name: "home" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } } },
    });
    const created = await core.readNamespacedPersistentVolumeClaim({ name: "home", namespace });
    expect(created.spec?.storageClassName).toBe(STANDIN_STORAGE_CLASS);
    // WaitForFirstConsumer: nothing is provisioned before a pod uses the claim.
    expect(created.status?.phase).toBe("Pending");

    await core.createNamespacedPod({
      namespace,
      body: podSpec("user", { volumes: [{ name: "home", persistentVolumeClaim: { claimName: "home" } }] }),
    });
    const pod = await waitForPod(kc, namespace, "user", isRunningWithIp);
    const [claim] = await waitFor<V1PersistentVolumeClaim>(
      kc,
      { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace, fieldSelector: "metadata.name=home" },
      (claims) => claims[0]?.status?.phase === "Bound",
    );
    const volume = await core.readPersistentVolume({ name: claim!.spec!.volumeName! });
    expect(volume.spec?.capacity?.storage).toBe("2Gi");
    expect(volume.spec?.claimRef?.uid).toBe(claim!.metadata?.uid);
    expect(volume.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values).toEqual([pod.spec?.nodeName]);
    const path = volume.spec!.hostPath!.path;
    expect(existsSync(path)).toBe(true);

    await core.deleteNamespacedPod({ name: "user", namespace, gracePeriodSeconds: 0 });
    await core.deleteNamespacedPersistentVolumeClaim({ name: "home", namespace });
    await waitFor<V1PersistentVolume>(
      kc,
      { apiVersion: "v1", kind: "PersistentVolume", fieldSelector: `metadata.name=${volume.metadata!.name}` },
      (volumes) => volumes.length === 0,
      { description: `volume ${volume.metadata!.name} deleted` },
    );
    expect(existsSync(path)).toBe(false);
  });
});
