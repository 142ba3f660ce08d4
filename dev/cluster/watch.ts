// Waiting for cluster state by watching it (list, then watch from the list's
// resourceVersion, the way informers do) instead of sleeping and re-reading.
import { KubernetesObjectApi, Watch, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";

/** Which objects to watch: one kind, optionally narrowed to a namespace and selectors. */
export interface WatchTarget {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Says what is awaited, for the timeout error. */
  description?: string;
}

/** KubernetesObjectApi already knows how to turn apiVersion + kind into a URL path (via discovery). */
class ObjectPaths extends KubernetesObjectApi {
  listPath(target: WatchTarget): Promise<string> {
    return this.specUriPath({ apiVersion: target.apiVersion, kind: target.kind, metadata: { namespace: target.namespace } }, "list");
  }
}

/**
 * Resolves with the matching objects as soon as `satisfied(objects)` holds for the current
 * set (checked after the initial list and after every watch event); rejects on timeout.
 */
export async function waitForObjects<T extends KubernetesObject>(
  kc: KubeConfig,
  target: WatchTarget,
  satisfied: (objects: T[]) => boolean,
  options: WaitOptions = {},
): Promise<T[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const description = options.description ?? `${target.kind} objects to reach the expected state`;
  const objectApi = kc.makeApiClient(ObjectPaths);
  const path = await objectApi.listPath(target);
  const watch = new Watch(kc);
  const objects = new Map<string, T>();
  const current = () => [...objects.values()];
  const selectors = { labelSelector: target.labelSelector, fieldSelector: target.fieldSelector };

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
    const timer = setTimeout(() => {
      const seen = current().map((o) => `${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`);
      finish(new Error(`timed out after ${timeoutMs} ms waiting for ${description} (seen: ${seen.join(", ") || "none"})`));
    }, timeoutMs);
    const check = () => {
      try {
        if (satisfied(current())) finish();
      } catch (error) {
        finish(error as Error);
      }
    };

    // (Re)establishes the view: list, check, then watch from the list's resourceVersion.
    // A watch that ends early (server timeout, expired resourceVersion) starts over.
    const listAndWatch = async (): Promise<void> => {
      const list = await objectApi.list(target.apiVersion, target.kind, target.namespace, undefined, undefined, undefined, target.fieldSelector, target.labelSelector);
      if (finished) return;
      objects.clear();
      for (const item of list.items as T[]) objects.set(keyOf(item), item);
      check();
      if (finished) return;
      abort = await watch.watch(
        path,
        { ...selectors, resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
        (type: string, object: T) => {
          if (type === "ADDED" || type === "MODIFIED") objects.set(keyOf(object), object);
          else if (type === "DELETED") objects.delete(keyOf(object));
          else return; // BOOKMARK, ERROR: nothing changed for the caller.
          check();
        },
        (error: unknown) => {
          if (finished) return;
          // A refused watch (403, 404) will not get better by retrying; anything else reconnects.
          const status = (error as { statusCode?: number } | null)?.statusCode;
          if (status && status !== 410) finish(new Error(`watch on ${path} failed: HTTP ${status}`));
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
