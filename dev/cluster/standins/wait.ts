// Waits for one object to satisfy a condition by watching it (no polling loops).
import { Watch, type KubeConfig } from "@kubernetes/client-node";

export interface WaitOptions<T> {
  /** Collection path to watch, e.g. `/apis/apiextensions.k8s.io/v1/customresourcedefinitions`. */
  path: string;
  name: string;
  predicate: (obj: T) => boolean;
  timeoutMs: number;
  /** What is being waited for, for the timeout message. */
  what: string;
}

/**
 * Resolves with the object once `predicate` holds. A watch started without a resourceVersion
 * first replays the current object as ADDED, so no separate GET is needed; the watch is
 * re-opened when the server or client-node's inactivity timer closes it.
 */
export function waitForObject<T>(config: KubeConfig, options: WaitOptions<T>): Promise<T> {
  const watch = new Watch(config);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let abort: AbortController | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      abort?.abort();
      fn();
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`))),
      options.timeoutMs,
    );
    const open = () => {
      if (settled) return;
      watch
        .watch(
          options.path,
          { fieldSelector: `metadata.name=${options.name}` },
          (type, obj: T) => {
            if ((type === "ADDED" || type === "MODIFIED") && options.predicate(obj)) finish(() => resolve(obj));
          },
          () => setTimeout(open, 200),
        )
        .then((controller) => {
          abort = controller;
          if (settled) controller.abort();
        })
        .catch(() => setTimeout(open, 500));
    };
    open();
  });
}

/** True when `status.conditions` holds a condition of `type` with status "True". */
export function hasTrueCondition(obj: { status?: { conditions?: { type?: string; status?: string }[] } }, type: string): boolean {
  return obj.status?.conditions?.some((c) => c.type === type && c.status === "True") ?? false;
}
