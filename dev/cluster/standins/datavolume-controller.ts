// DataVolume stand-in: does what cdi-deployment does for a DataVolume's phases, with no PVC or importer pod.
// Uploads stop at UploadReady (the upload proxy stand-in finishes them); imports, clones and blanks
// walk on to Succeeded by themselves.
import type { KubernetesListObject } from "@kubernetes/client-node";
import { cdiGroup, cdiVersion, dataVolumeFlow, dataVolumePlural, type DataVolume, type DataVolumePhase } from "./cdi";
import { dataVolumePhasePatch, dataVolumePhasesAfterPending } from "./datavolume-status";
import { startInformer } from "./informer";
import { describeError, isConflict, isNotFound, mergePatch, type Kube } from "./kube";
import { PhaseClock } from "./phase-clock";
import { objectKey, splitKey, WorkQueue } from "./work-queue";

/** How long a stand-in DataVolume stays in each phase before the next. */
const phaseDelayMs = 400;

/** Starts the DataVolume stand-in; returns its stop function. */
export async function startDataVolumeLifecycle(kube: Kube, log: (line: string) => void): Promise<{ stop(): Promise<void> }> {
  const clock = new PhaseClock();
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
    onDelete: (dv) => clock.forget(dv.metadata?.uid ?? ""),
    log,
  });

  async function reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const dv = dataVolumes.cache.get(name, namespace);
    if (!dv || dv.metadata?.deletionTimestamp) return;
    const next = nextPhase(dv);
    if (!next) return;
    const waitMs = dv.status?.phase ? clock.remainingMs(dv.metadata!.uid!, dv.status.phase, phaseDelayMs) : 0;
    if (waitMs > 0) {
      queue.add(key, waitMs);
      return;
    }
    try {
      await kube.custom.patchNamespacedCustomObjectStatus(
        { group: cdiGroup, version: cdiVersion, namespace, plural: dataVolumePlural, name, body: dataVolumePhasePatch(dv, next) },
        mergePatch,
      );
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error; // changed meanwhile: its event re-queues it
    }
  }

  return {
    stop: async () => {
      queue.stop();
      await dataVolumes.stop();
    },
  };
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
