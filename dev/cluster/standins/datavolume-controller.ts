// DataVolume stand-in: does what cdi-deployment does for a DataVolume — makes its
// PersistentVolumeClaim (named like it, owned by it, so the namespace's quota counts its
// storage), walks its phases, and fills it: an http(s) import is downloaded and a pvc clone
// copied (datavolume-content.ts), with progress, into the file the guests boot; uploads stop at
// UploadReady (the upload proxy stand-in finishes them); blanks and other sources walk on to
// Succeeded by themselves. Deleting a DataVolume deletes its bytes (its claim goes by GC).
import type { KubernetesListObject, V1PersistentVolumeClaim } from "@kubernetes/client-node";
import { cdiGroup, cdiVersion, dataVolumeFlow, dataVolumePlural, type DataVolume, type DataVolumePhase } from "./cdi";
import { fillDataVolume, hasContentSource, removeDataVolumeFile } from "./datavolume-content";
import { dataVolumePhasePatch, dataVolumePhasesAfterPending } from "./datavolume-status";
import { startInformer } from "./informer";
import { apiStatus, describeError, isConflict, isNotFound, mergePatch, orNotFound, type Kube } from "./kube";
import { kubeTimeNow } from "./kubevirt";
import { PhaseClock } from "./phase-clock";
import { objectKey, splitKey, WorkQueue } from "./work-queue";

/** How long a stand-in DataVolume stays in each phase before the next. */
const phaseDelayMs = 400;
/** How often a failed import or clone is tried (the importer pod's restarts) before the DataVolume fails. */
const maxAttempts = 3;
const retryDelayMs = 2_000;

/** Starts the DataVolume stand-in; returns its stop function. `storageDir` holds the DataVolumes' bytes. */
export async function startDataVolumeLifecycle(kube: Kube, log: (line: string) => void, storageDir: string): Promise<{ stop(): Promise<void> }> {
  const clock = new PhaseClock();
  const transfers = new Map<string, AbortController>();
  const queue = new WorkQueue(
    (key) => reconcile(key),
    (key, error) => log(`datavolume stand-in: reconcile ${key} failed: ${describeError(error)}`),
  );
  const enqueue = (dv: DataVolume) => queue.add(objectKey(dv.metadata?.namespace, dv.metadata?.name));
  const dataVolumes = await startInformer<DataVolume>(kube.config, {
    path: `/apis/${cdiGroup}/${cdiVersion}/${dataVolumePlural}`,
    list: () =>
      kube.custom.listClusterCustomObject({ group: cdiGroup, version: cdiVersion, plural: dataVolumePlural }) as Promise<
        KubernetesListObject<DataVolume>
      >,
    onChange: enqueue,
    onDelete: (dv) => {
      const uid = dv.metadata?.uid ?? "";
      clock.forget(uid);
      transfers.get(uid)?.abort();
      transfers.delete(uid);
      void removeDataVolumeFile(storageDir, dv.metadata!.namespace!, dv.metadata!.name!).catch((error: unknown) => log(`datavolume stand-in: ${String(error)}`));
    },
    log,
  });

  const patchStatus = (namespace: string, name: string, body: object) =>
    kube.custom.patchNamespacedCustomObjectStatus({ group: cdiGroup, version: cdiVersion, namespace, plural: dataVolumePlural, name, body }, mergePatch);

  async function reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const dv = dataVolumes.cache.get(name, namespace);
    if (!dv || dv.metadata?.deletionTimestamp) return;
    const claimRefused = dv.status?.conditions?.some((c) => c.type === "Bound" && c.reason === "ErrExceededQuota");
    if ((!dv.status?.phase || claimRefused) && !(await ensureClaim(dv))) {
      queue.add(key, 5_000); // refused (over quota): CDI tries again
      return;
    }
    const phase = dv.status?.phase;
    if ((phase === "ImportInProgress" || phase === "CloneInProgress") && hasContentSource(dv)) {
      startTransfer(dv);
      return;
    }
    const next = nextPhase(dv);
    if (!next) return;
    const waitMs = dv.status?.phase ? clock.remainingMs(dv.metadata!.uid!, dv.status.phase, phaseDelayMs) : 0;
    if (waitMs > 0) {
      queue.add(key, waitMs);
      return;
    }
    try {
      await patchStatus(namespace, name, dataVolumePhasePatch(dv, next));
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error; // changed meanwhile: its event re-queues it
    }
  }

  /** Makes the DataVolume's claim as CDI does; false (with the reason on the DataVolume) when the cluster refuses it. */
  async function ensureClaim(dv: DataVolume): Promise<boolean> {
    const { namespace, name, uid, labels } = dv.metadata as { namespace: string; name: string; uid: string; labels?: Record<string, string> };
    const spec = dv.spec as { storage?: ClaimSpec; pvc?: ClaimSpec } | undefined;
    const wanted = spec?.storage ?? spec?.pvc;
    const storage = wanted?.resources?.requests?.storage;
    if (!storage) return true; // nothing to size a claim by (the stand-in then keeps no claim)
    const claim: V1PersistentVolumeClaim = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name,
        namespace,
        labels: { ...labels, app: "containerized-data-importer" },
        ownerReferences: [{ apiVersion: `${cdiGroup}/${cdiVersion}`, kind: "DataVolume", name, uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        accessModes: wanted.accessModes?.length ? wanted.accessModes : ["ReadWriteOnce"],
        resources: { requests: { storage } },
        ...(wanted.storageClassName ? { storageClassName: wanted.storageClassName } : {}),
        ...(wanted.volumeMode ? { volumeMode: wanted.volumeMode } : {}),
      },
    };
    // Look first: the quota admission charges a create before it fails as "already exists", and
    // that charge stays until the quota controller's next full count.
    if (await orNotFound(kube.core.readNamespacedPersistentVolumeClaim({ namespace, name }))) return true;
    try {
      await kube.core.createNamespacedPersistentVolumeClaim({ namespace, body: claim });
      return true;
    } catch (error) {
      if (isConflict(error)) return true;
      if (apiStatus(error) !== 403) throw error;
      const reason = ((error as { body?: unknown }).body && typeof (error as { body?: unknown }).body === "string" ? (JSON.parse((error as { body: string }).body) as { message?: string }).message : undefined) ?? describeError(error);
      log(`datavolume stand-in: the claim of ${namespace}/${name} was refused: ${reason}`);
      // As CDI reports it: the claim is refused (exceeded quota) and the DataVolume stays Pending.
      await patchStatus(namespace, name, {
        status: {
          phase: "Pending",
          progress: "N/A",
          conditions: [{ type: "Bound", status: "False", reason: "ErrExceededQuota", message: describeError(error).slice(0, 300), lastHeartbeatTime: kubeTimeNow(), lastTransitionTime: kubeTimeNow() }],
        },
      }).catch(() => {});
      return false;
    }
  }

  /** Fills an import or clone DataVolume (once per DataVolume at a time), then marks it Succeeded — or, after the last attempt, Failed. */
  function startTransfer(dv: DataVolume): void {
    const uid = dv.metadata!.uid!;
    if (transfers.has(uid)) return;
    const controller = new AbortController();
    transfers.set(uid, controller);
    const { namespace, name } = dv.metadata as { namespace: string; name: string };
    const attempt = (dv.status?.restartCount ?? 0) + 1;
    const progress = (percent: number) => void patchStatus(namespace, name, { status: { progress: `${percent.toFixed(2)}%` } }).catch(() => {});
    void fillDataVolume(kube, storageDir, dv, progress, controller.signal)
      .then(async (bytes) => {
        log(`datavolume stand-in: filled ${namespace}/${name} with ${bytes} bytes`);
        const { metadata: _rv, ...done } = dataVolumePhasePatch(dv, "Succeeded") as { metadata: unknown };
        await patchStatus(namespace, name, done);
      })
      .catch(async (error: unknown) => {
        if (controller.signal.aborted) return;
        const message = error instanceof Error ? error.message : String(error);
        log(`datavolume stand-in: filling ${namespace}/${name} failed (attempt ${attempt}): ${message}`);
        const failed = attempt >= maxAttempts;
        await patchStatus(namespace, name, {
          status: {
            ...(failed ? { phase: "Failed" } : {}),
            restartCount: attempt,
            conditions: [
              { type: "Running", status: "False", reason: "Error", message: message.slice(0, 300), lastHeartbeatTime: kubeTimeNow(), lastTransitionTime: kubeTimeNow() },
              { type: "Ready", status: "False", reason: failed ? "Failed" : "TransferRunning", message: "", lastHeartbeatTime: kubeTimeNow(), lastTransitionTime: kubeTimeNow() },
            ],
          },
        }).catch(() => {});
        if (!failed) setTimeout(() => queue.add(objectKey(namespace, name)), retryDelayMs);
      })
      .finally(() => {
        if (transfers.get(uid) === controller) transfers.delete(uid);
      });
  }

  return {
    stop: async () => {
      queue.stop();
      for (const controller of transfers.values()) controller.abort();
      await dataVolumes.stop();
    },
  };
}

interface ClaimSpec {
  accessModes?: string[];
  resources?: { requests?: { storage?: string } };
  storageClassName?: string;
  volumeMode?: string;
}

/** The phase after the current one, or undefined when the DataVolume rests (UploadReady, Succeeded, Failed). */
function nextPhase(dv: DataVolume): DataVolumePhase | undefined {
  const current = dv.status?.phase;
  if (!current) return "Pending";
  const steps = dataVolumePhasesAfterPending[dataVolumeFlow(dv)];
  if (current === "Pending") return steps[0];
  const index = steps.indexOf(current);
  if (index < 0 || current === "UploadReady") return undefined;
  return steps[index + 1];
}
