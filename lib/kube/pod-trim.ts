// What the watch cache keeps of a Pod. A full Pod from the API is several kilobytes
// (managedFields alone are often half of it, plus volumes, env, probes, tolerations,
// per-container image IDs); the cache holds one per minicloud pod in every cluster for the
// life of the process, so it keeps only what the panel reads: identity and labels for the
// indexes, what `podRuntime()` needs for the status column, and the containers' images and
// resources for the list. Dates are normalized to Date objects, because the list call
// deserializes them and raw watch events do not: both paths give one shape.
import type { V1ContainerState, V1Pod, V1PodCondition } from "@kubernetes/client-node";

/** Annotations kept: only the panel's own (others, like kubectl's last-applied-configuration, can be kilobytes). */
const KEPT_ANNOTATION_PREFIX = "minicloud.io/";

type DateLike = Date | string | undefined | null;

function toDate(value: DateLike): Date | undefined {
  if (value == null) return undefined;
  return value instanceof Date ? value : new Date(value);
}

function keptAnnotations(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!annotations) return undefined;
  let kept: Record<string, string> | undefined;
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith(KEPT_ANNOTATION_PREFIX)) (kept ??= {})[key] = value;
  }
  return kept;
}

function trimState(state: V1ContainerState | undefined): V1ContainerState | undefined {
  if (!state) return undefined;
  const { waiting, running, terminated } = state;
  return {
    ...(waiting ? { waiting: { reason: waiting.reason, message: waiting.message } } : {}),
    ...(running ? { running: { startedAt: toDate(running.startedAt as DateLike) } } : {}),
    ...(terminated
      ? { terminated: { exitCode: terminated.exitCode, reason: terminated.reason, message: terminated.message, startedAt: toDate(terminated.startedAt as DateLike), finishedAt: toDate(terminated.finishedAt as DateLike) } }
      : {}),
  };
}

function trimCondition(condition: V1PodCondition): V1PodCondition {
  return { type: condition.type, status: condition.status, reason: condition.reason, message: condition.message, lastTransitionTime: toDate(condition.lastTransitionTime as DateLike) };
}

/** The lean copy of `pod` the watch cache stores (see the file comment for what and why). */
export function trimPod(pod: V1Pod): V1Pod {
  const metadata = pod.metadata ?? {};
  const spec = pod.spec;
  const status = pod.status;
  return {
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      uid: metadata.uid,
      resourceVersion: metadata.resourceVersion,
      labels: metadata.labels,
      annotations: keptAnnotations(metadata.annotations),
      creationTimestamp: toDate(metadata.creationTimestamp as DateLike),
      deletionTimestamp: toDate(metadata.deletionTimestamp as DateLike),
    },
    spec: {
      nodeName: spec?.nodeName,
      containers: (spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image, resources: c.resources })),
    },
    status: status && {
      phase: status.phase,
      reason: status.reason,
      message: status.message,
      podIP: status.podIP,
      startTime: toDate(status.startTime as DateLike),
      conditions: status.conditions?.map(trimCondition),
      containerStatuses: status.containerStatuses?.map((c) => ({
        name: c.name,
        image: c.image,
        imageID: "",
        ready: c.ready,
        restartCount: c.restartCount,
        state: trimState(c.state),
        lastState: trimState(c.lastState),
      })),
    },
  };
}
