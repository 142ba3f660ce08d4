// Waiting for cluster state by watching (list, then watch from the list's resourceVersion, the
// way informers do) rather than sleeping and re-reading; bounded. The panel waits through
// `waitForCluster`, which fails in the panel's vocabulary; the local control-plane harness
// (dev/cluster/watch.ts) runs the same `watchUntil` with messages of its own.
import { Watch, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { UnavailableError } from "@/lib/errors";
import { kube, type ClusterRef } from "@/lib/kube/transport";

/** What to watch: a collection path (`/api/v1/namespaces/x/resourcequotas`), how to list it, and until when. */
export interface WatchedCollection<T extends KubernetesObject> {
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  satisfied: (objects: T[]) => boolean;
}

/** How long a wait may take, and the errors it ends with otherwise, in the caller's words. */
export interface WaitLimits<T extends KubernetesObject> {
  timeoutMs: number;
  /** The timeout passed; `seen` is the collection as last listed and watched. */
  timedOut: (seen: T[]) => Error;
  /** The watch was answered with an HTTP error (other than 410 Gone, which starts over). */
  refused: (status: number) => Error;
}

/**
 * Resolves with the objects once `satisfied` holds (checked after the list and after every
 * event); a `satisfied` that throws, a failed list, a timeout or a refused watch reject.
 */
export function watchUntil<T extends KubernetesObject>(kc: KubeConfig, collection: WatchedCollection<T>, limits: WaitLimits<T>): Promise<T[]> {
  const objects = new Map<string, T>();
  const current = () => [...objects.values()];
  const watch = new Watch(kc);

  return new Promise<T[]>((resolve, reject) => {
    let finished = false;
    let abort: AbortController | undefined;
    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      abort?.abort();
      if (error) reject(error);
      else resolve(current());
    };
    const timer = setTimeout(() => finish(limits.timedOut(current())), limits.timeoutMs);
    const check = () => {
      try {
        if (collection.satisfied(current())) finish();
      } catch (error) {
        finish(error as Error);
      }
    };

    // (Re)establishes the view: list, check, then watch from the list's resourceVersion.
    // A watch that ends early (server timeout, expired resourceVersion) starts over.
    const listAndWatch = async (): Promise<void> => {
      const list = await collection.list();
      if (finished) return;
      objects.clear();
      for (const item of list.items) objects.set(keyOf(item), item);
      check();
      if (finished) return;
      abort = await watch.watch(
        collection.path,
        { fieldSelector: collection.fieldSelector, labelSelector: collection.labelSelector, resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
        (type: string, object: T) => {
          if (type === "ADDED" || type === "MODIFIED") objects.set(keyOf(object), object);
          else if (type === "DELETED") objects.delete(keyOf(object));
          else return; // BOOKMARK, ERROR: nothing changed for the caller.
          check();
        },
        (error: unknown) => {
          if (finished) return;
          // A refused watch (403, 404) will not get better by retrying; an ended or expired one starts over.
          const status = (error as { statusCode?: number } | null)?.statusCode;
          if (status && status !== 410) finish(limits.refused(status));
          else listAndWatch().catch((cause: Error) => finish(cause));
        },
      );
      // Satisfied (or timed out) while the watch was connecting: close it now.
      if (finished) abort.abort();
    };
    listAndWatch().catch((error: Error) => finish(error));
  });
}

function keyOf(object: KubernetesObject): string {
  return object.metadata?.uid ?? `${object.metadata?.namespace}/${object.metadata?.name}`;
}

/** What the panel waits for: a collection, a verb phrase for messages, and a bound (default 20 s). */
export interface WatchSpec<T extends KubernetesObject> extends WatchedCollection<T> {
  /** A verb phrase for messages: "see the quota of mc-acme-web counted". */
  what: string;
  timeoutMs?: number;
}

/** `watchUntil` for the panel: the list goes through `kube()`, and a timeout or refusal is an UnavailableError naming the cluster. */
export function waitForCluster<T extends KubernetesObject>(cluster: ClusterRef, kc: KubeConfig, spec: WatchSpec<T>): Promise<T[]> {
  const timeoutMs = spec.timeoutMs ?? 20_000;
  return watchUntil(
    kc,
    { ...spec, list: () => kube(cluster, spec.what, spec.list) },
    {
      timeoutMs,
      timedOut: () => new UnavailableError(`The cluster “${cluster.name}” did not reach the expected state within ${Math.round(timeoutMs / 1000)} s (while waiting to ${spec.what}).`),
      refused: (status) => new UnavailableError(`The cluster “${cluster.name}” refused to let the panel ${spec.what} (watch answered HTTP ${status}).`),
    },
  );
}
