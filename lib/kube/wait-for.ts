// Waiting for cluster state by watching (list, then watch from the list's resourceVersion)
// rather than sleeping and re-reading; bounded, and failing in the panel's vocabulary.
import { Watch, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { UnavailableError } from "@/lib/errors";
import { kube, type ClusterRef } from "@/lib/kube/transport";

/** What to watch: a collection path (`/api/v1/namespaces/x/resourcequotas`) and how to list it. */
export interface WatchSpec<T extends KubernetesObject> {
  /** A verb phrase for messages: "wait for the quota of mc-acme-web to be counted". */
  what: string;
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  satisfied: (objects: T[]) => boolean;
  timeoutMs?: number;
}

/** Resolves with the objects once `satisfied` holds (checked after the list and after every event); UnavailableError on timeout. */
export function waitForCluster<T extends KubernetesObject>(cluster: ClusterRef, kc: KubeConfig, spec: WatchSpec<T>): Promise<T[]> {
  const timeoutMs = spec.timeoutMs ?? 20_000;
  const objects = new Map<string, T>();
  const current = () => [...objects.values()];
  const key = (o: T) => o.metadata?.uid ?? `${o.metadata?.namespace}/${o.metadata?.name}`;
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
    const timer = setTimeout(
      () => finish(new UnavailableError(`The cluster “${cluster.name}” did not get there within ${Math.round(timeoutMs / 1000)} s (while waiting to ${spec.what}).`)),
      timeoutMs,
    );
    const check = () => {
      if (spec.satisfied(current())) finish();
    };
    const listAndWatch = async (): Promise<void> => {
      const list = await kube(cluster, spec.what, spec.list);
      if (finished) return;
      objects.clear();
      for (const item of list.items) objects.set(key(item), item);
      check();
      if (finished) return;
      abort = await watch.watch(
        spec.path,
        { fieldSelector: spec.fieldSelector, labelSelector: spec.labelSelector, resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
        (type: string, object: T) => {
          if (type === "ADDED" || type === "MODIFIED") objects.set(key(object), object);
          else if (type === "DELETED") objects.delete(key(object));
          else return;
          check();
        },
        (error: unknown) => {
          if (finished) return;
          // A refused watch will not get better by retrying; an ended or expired one starts over.
          const status = (error as { statusCode?: number } | null)?.statusCode;
          if (status && status !== 410) finish(new UnavailableError(`The cluster “${cluster.name}” refused to let the panel ${spec.what} (watch answered HTTP ${status}).`));
          else listAndWatch().catch((cause: Error) => finish(cause));
        },
      );
      if (finished) abort.abort();
    };
    listAndWatch().catch((error: Error) => finish(error));
  });
}
