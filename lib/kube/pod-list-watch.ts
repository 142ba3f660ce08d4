// The real list and watch calls for the pod watch cache: cluster-wide, narrowed by a label
// selector, each pod trimmed on arrival (lib/kube/pod-trim.ts) so full objects never stay.
import { CoreV1Api, Watch, type V1Pod } from "@kubernetes/client-node";
import type { ClusterConnection } from "@/lib/kube/clients";
import { trimPod } from "@/lib/kube/pod-trim";
import type { ListWatch } from "@/lib/kube/reflector";
import { kube } from "@/lib/kube/transport";

export interface PodListWatchOptions {
  labelSelector: string;
  /** Items per list page (default 500): bounds the size of each response. */
  pageSize?: number;
  /**
   * How long the server keeps one watch open before closing it normally (default: random
   * 5–10 min, like client-go, so many watches do not all reconnect together).
   */
  watchTimeoutSeconds?: () => number;
  /**
   * Silence after which the client drops a watch as dead (default 90 s). client-node's own
   * default is 30 s, shorter than the apiserver's ~1 min bookmark cadence, which would end
   * every quiet watch early.
   */
  inactivityTimeoutMs?: number;
}

const randomWatchTimeout = () => 300 + Math.floor(Math.random() * 300);

/** List and watch of the pods matching `labelSelector` in every namespace of `connection`'s cluster. */
export function podListWatch(connection: ClusterConnection, options: PodListWatchOptions): ListWatch<V1Pod> {
  const core = connection.kc.makeApiClient(CoreV1Api);
  const watcher = new Watch(connection.kc);
  // Private in the typings, a plain field at run time; see `inactivityTimeoutMs`.
  (watcher as unknown as { requestTimeoutMs: number }).requestTimeoutMs = options.inactivityTimeoutMs ?? 90_000;
  const pageSize = options.pageSize ?? 500;
  const timeoutSeconds = options.watchTimeoutSeconds ?? randomWatchTimeout;

  return {
    async list() {
      const items: V1Pod[] = [];
      let next: string | undefined;
      let resourceVersion = "";
      do {
        const page = await kube(connection, "list pods", () =>
          core.listPodForAllNamespaces({ labelSelector: options.labelSelector, limit: pageSize, _continue: next }),
        );
        for (const pod of page.items) items.push(trimPod(pod));
        resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
        next = page.metadata?._continue || undefined;
      } while (next);
      return { items, resourceVersion };
    },

    async watch(resourceVersion, onEvent, onClose) {
      return watcher.watch(
        "/api/v1/pods",
        { labelSelector: options.labelSelector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: timeoutSeconds() },
        (type: string, object: unknown) => {
          const isPod = type === "ADDED" || type === "MODIFIED" || type === "DELETED";
          onEvent(type, isPod ? trimPod(object as V1Pod) : object);
        },
        (error: unknown) => {
          // Silence for longer than the inactivity timeout is a dead connection, not a fault:
          // resume from the last resourceVersion like any normal close.
          if ((error as { name?: unknown } | null)?.name === "TimeoutError") onClose(null);
          else onClose(error ?? null);
        },
      );
    },
  };
}
