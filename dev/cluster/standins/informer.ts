// Long-lived informers for the stand-in controllers, restarted after errors until stopped.
import { makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from "@kubernetes/client-node";
import { apiStatus, describeError } from "./kube";

/** A running informer: its cache and a way to stop it. */
export interface RunningInformer<T extends KubernetesObject> {
  cache: ObjectCache<T>;
  stop(): Promise<void>;
}

export interface InformerOptions<T extends KubernetesObject> {
  /** Watch path, e.g. `/apis/kubevirt.io/v1/virtualmachines`. */
  path: string;
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  onChange: (obj: T) => void;
  onDelete: (obj: T) => void;
  log: (line: string) => void;
}

const restartDelayMs = 1_000;

/**
 * Starts an informer and resolves once its first list is in the cache.
 * client-node's informer stops on any error other than a watch timeout or 410, so it is restarted here.
 */
export async function startInformer<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  options: InformerOptions<T>,
): Promise<RunningInformer<T>> {
  const informer: Informer<T> & ObjectCache<T> = makeInformer<T>(kubeConfig, options.path, options.list as never);
  let stopped = false;
  let restartTimer: NodeJS.Timeout | undefined;
  informer.on("add", options.onChange);
  informer.on("update", options.onChange);
  informer.on("delete", options.onDelete);
  informer.on("error", (error: unknown) => {
    if (stopped) return;
    // 429 "storage is (re)initializing" is expected for a moment after a CRD becomes Established.
    if (apiStatus(error) !== 429) options.log(`informer ${options.path}: ${describeError(error)}; restarting`);
    restartTimer = setTimeout(() => {
      if (!stopped) informer.start().catch(() => undefined);
    }, restartDelayMs);
  });
  await informer.start();
  return {
    cache: informer,
    stop: async () => {
      stopped = true;
      clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}
