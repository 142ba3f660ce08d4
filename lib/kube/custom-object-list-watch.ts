// The real list and watch calls for a watch cache of custom resources (KubeVirt's VMs and VMIs,
// later others): cluster-wide, narrowed by a label selector, paged, each object trimmed on
// arrival so full objects never stay in memory. The same loop parameters as the pod cache's
// (lib/kube/pod-list-watch.ts): random server-side watch timeouts, a 90 s inactivity limit.
import { CustomObjectsApi, Watch, type KubernetesObject } from "@kubernetes/client-node";
import type { ClusterConnection } from "@/lib/kube/clients";
import type { ListWatch } from "@/lib/kube/reflector";
import { kube } from "@/lib/kube/transport";

/** A custom resource's coordinates: `/apis/<group>/<version>/<plural>`. */
export interface CustomResource {
  group: string;
  version: string;
  plural: string;
}

export interface CustomObjectListWatchOptions<T> {
  labelSelector: string;
  /** The lean copy of an object the cache keeps. */
  trim: (object: T) => T;
  /** Items per list page (default 500). */
  pageSize?: number;
  /** Server-side watch timeout in seconds (default: random 5–10 min, so watches do not reconnect together). */
  watchTimeoutSeconds?: () => number;
  /** Silence after which the client drops a watch as dead (default 90 s, beyond the apiserver's bookmark cadence). */
  inactivityTimeoutMs?: number;
}

const randomWatchTimeout = () => 300 + Math.floor(Math.random() * 300);
const isChange = (type: string) => type === "ADDED" || type === "MODIFIED" || type === "DELETED";

/** List and watch of `resource` objects matching the selector in every namespace of `connection`'s cluster. */
export function customObjectListWatch<T extends KubernetesObject>(connection: ClusterConnection, resource: CustomResource, options: CustomObjectListWatchOptions<T>): ListWatch<T> {
  const custom = connection.kc.makeApiClient(CustomObjectsApi);
  const watcher = new Watch(connection.kc);
  // Private in the typings, a plain field at run time (see lib/kube/pod-list-watch.ts).
  (watcher as unknown as { requestTimeoutMs: number }).requestTimeoutMs = options.inactivityTimeoutMs ?? 90_000;
  const pageSize = options.pageSize ?? 500;
  const timeoutSeconds = options.watchTimeoutSeconds ?? randomWatchTimeout;
  const what = `${resource.plural}.${resource.group}`;

  return {
    async list() {
      const items: T[] = [];
      let next: string | undefined;
      let resourceVersion = "";
      do {
        const page = (await kube(connection, `list ${what}`, () =>
          custom.listClusterCustomObject({ group: resource.group, version: resource.version, plural: resource.plural, labelSelector: options.labelSelector, limit: pageSize, _continue: next }),
        )) as { items?: T[]; metadata?: { resourceVersion?: string; continue?: string } };
        for (const item of page.items ?? []) items.push(options.trim(item));
        resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
        next = page.metadata?.continue || undefined;
      } while (next);
      return { items, resourceVersion };
    },

    async watch(resourceVersion, onEvent, onClose) {
      return watcher.watch(
        `/apis/${resource.group}/${resource.version}/${resource.plural}`,
        { labelSelector: options.labelSelector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: timeoutSeconds() },
        (type: string, object: unknown) => onEvent(type, isChange(type) ? options.trim(object as T) : object),
        (error: unknown) => {
          // Silence beyond the inactivity limit is a dead connection: resume like a normal close.
          if ((error as { name?: unknown } | null)?.name === "TimeoutError") onClose(null);
          else onClose(error ?? null);
        },
      );
    },
  };
}
