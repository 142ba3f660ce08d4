// The harness (and the cluster tests) wait for cluster state by watching it, through the
// panel's own list-then-watch loop (lib/kube/wait-for.ts); here objects are named by
// apiVersion and kind, and failures are plain errors that say what was seen.
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { watchUntil } from "@/lib/kube/wait-for";

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
 * The loop is the panel's own (`watchUntil`); this finds the kind's path and says what failed.
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
  const list = async () => {
    const found = await objectApi.list(target.apiVersion, target.kind, target.namespace, undefined, undefined, undefined, target.fieldSelector, target.labelSelector);
    return { items: found.items as T[], metadata: found.metadata };
  };
  return watchUntil<T>(
    kc,
    { path, labelSelector: target.labelSelector, fieldSelector: target.fieldSelector, list, satisfied },
    {
      timeoutMs,
      timedOut: (seen) => new Error(`timed out after ${timeoutMs} ms waiting for ${description} (seen: ${seen.map(nameOf).join(", ") || "none"})`),
      refused: (status) => new Error(`watch on ${path} failed: HTTP ${status}`),
    },
  );
}

function nameOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata?.name}`;
}
