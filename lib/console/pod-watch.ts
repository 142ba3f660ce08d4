// Notices when the pod behind a terminal goes away (deleted, being deleted, or replaced by a
// new pod of the same name), so the session can end with a message instead of hanging: an
// exec or port-forward stream does not always close when its pod is deleted (a stuck
// kubelet, or a process that outlives the container's PTY).
//
// client-node's Watch aborts a watch after 30 s without events, so each round asks the server
// to end the watch sooner (timeoutSeconds) and starts the next round from a fresh read.
import { CoreV1Api, Watch, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { httpStatusOf } from "@/lib/kube/transport";

const WATCH_ROUND_SECONDS = 25;

/** Why the pod is considered gone, as a sentence for the user. */
function goneReason(pod: V1Pod | null, uid: string): string | null {
  if (!pod) return "The pod was deleted; the session has ended.";
  if (pod.metadata?.uid !== uid) return "The pod was replaced; the session has ended.";
  if (pod.metadata?.deletionTimestamp) return "The pod is being deleted; the session has ended.";
  return null;
}

/**
 * Calls `onGone(message)` once when pod `namespace/name` (with this uid) is gone. Returns a
 * function that stops watching. Transient API errors retry with backoff; they never count
 * as "gone".
 */
export function watchPodGone(kc: KubeConfig, pod: V1Pod, onGone: (message: string) => void): () => void {
  const namespace = pod.metadata!.namespace!;
  const name = pod.metadata!.name!;
  const uid = pod.metadata!.uid!;
  const core = kc.makeApiClient(CoreV1Api);
  // Retry delays after failures: 1 s doubling to 15 s, back to 1 s after a healthy round.
  let failures = 0;
  const backoff = { next: () => Math.min(15_000, 1000 * 2 ** failures++), reset: () => void (failures = 0) };
  let stopped = false;
  let abort: AbortController | null = null;
  let timer: NodeJS.Timeout | null = null;

  const gone = (message: string) => {
    if (stopped) return;
    stop();
    onGone(message);
  };

  const round = async () => {
    if (stopped) return;
    let current: V1Pod | null;
    try {
      current = await core.readNamespacedPod({ namespace, name });
    } catch (error) {
      if (httpStatusOf(error) === 404) return gone(goneReason(null, uid)!);
      return later(backoff.next());
    }
    const reason = goneReason(current, uid);
    if (reason) return gone(reason);
    const startedAt = Date.now();
    try {
      abort = await new Watch(kc).watch(
        `/api/v1/namespaces/${namespace}/pods`,
        { fieldSelector: `metadata.name=${name}`, resourceVersion: current.metadata?.resourceVersion, timeoutSeconds: WATCH_ROUND_SECONDS },
        (type: string, object: V1Pod) => {
          if (type === "DELETED") gone(goneReason(null, uid)!);
          else if (type === "ADDED" || type === "MODIFIED") {
            const why = goneReason(object, uid);
            if (why) gone(why);
          }
        },
        (error: unknown) => {
          abort = null;
          if (stopped) return;
          // A round that ran its course is healthy; an early failure backs off.
          if (!error && Date.now() - startedAt > 1000) {
            backoff.reset();
            later(0);
          } else later(backoff.next());
        },
      );
      if (stopped) abort.abort();
    } catch {
      later(backoff.next());
    }
  };

  const later = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void round(), ms);
    timer.unref();
  };

  const stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    abort?.abort();
  };

  void round();
  return stop;
}
