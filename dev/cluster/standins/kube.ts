// The one Kubernetes transport the stand-ins share: API clients built from the run's admin kubeconfig.
import {
  ApiException,
  ApiextensionsV1Api,
  ApiregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
  setHeaderOptions,
} from "@kubernetes/client-node";

/** API clients for one control plane. */
export interface Kube {
  config: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  crds: ApiextensionsV1Api;
  apiServices: ApiregistrationV1Api;
  /** Generic client for any kind, used for server-side apply. */
  objects: KubernetesObjectApi;
}

/** Builds the clients from a kubeconfig file. */
export function connect(kubeconfigPath: string): Kube {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    crds: config.makeApiClient(ApiextensionsV1Api),
    apiServices: config.makeApiClient(ApiregistrationV1Api),
    objects: KubernetesObjectApi.makeApiClient(config),
  };
}

/** Request options that send a patch as a JSON merge patch (the generated client defaults to JSON patch). */
export const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** The HTTP status of a failed API call, or undefined when it was not an API error. */
export function apiStatus(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** True when the API answered 404. */
export const isNotFound = (error: unknown): boolean => apiStatus(error) === 404;

/** True when the API answered 409 (already exists, or a resourceVersion conflict). */
export const isConflict = (error: unknown): boolean => apiStatus(error) === 409;

/** Runs a call and maps a 404 to undefined. */
export async function orNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** A short, readable description of a failed call for the run log. */
export function describeError(error: unknown): string {
  if (error instanceof ApiException) {
    const body = typeof error.body === "string" ? error.body : JSON.stringify(error.body);
    return `HTTP ${error.code}: ${body?.slice(0, 300)}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The field manager the stand-ins write with. */
export const fieldManager = "minicloud-standins";

/** Creates or updates an object by server-side apply (idempotent across restarts on a reused etcd). */
export function applyObject<T extends KubernetesObject>(kube: Kube, obj: T): Promise<T> {
  return kube.objects.patch(obj, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
}

/** Label on every object the stand-ins create, so they can be found (and told apart from the panel's). */
export const standinLabels = { "app.kubernetes.io/managed-by": "minicloud-standins" };
export const standinLabelSelector = "app.kubernetes.io/managed-by=minicloud-standins";
