// A pod's volumes as local files, as a kubelet would mount them: Secret and ConfigMap keys
// written as files (all keys, or the listed items at their paths), emptyDir as a fresh
// directory, a claim as the hostPath directory of the volume it is bound to (the storage
// stand-in's), anything else (projected tokens, downward API) as an empty directory.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import type { V1ConfigMap, V1KeyToPath, V1Pod, V1Secret, V1Volume } from "@kubernetes/client-node";
import type { Kube } from "../standins/kube";
import type { ResolvedMount } from "./invocation";

// A key or item path becomes a file only inside its volume's directory.
function safeRelative(path: string): string | null {
  const clean = normalize(path);
  return clean.startsWith("..") || clean.startsWith("/") ? null : clean;
}

function writeKeys(dir: string, data: Record<string, Buffer>, items: V1KeyToPath[] | undefined): void {
  mkdirSync(dir, { recursive: true });
  const entries = items?.length ? items.filter((i) => i.key in data).map((i) => [i.path, data[i.key]!] as const) : Object.entries(data);
  for (const [path, content] of entries) {
    const relative = safeRelative(path);
    if (!relative) continue;
    const file = join(dir, relative);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content, { mode: 0o600 });
  }
}

async function readWithRetry<T>(read: () => Promise<T>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what} was not found within ${timeoutMs / 1000} s: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function materialize(kube: Kube, namespace: string, volume: V1Volume, dir: string): Promise<string> {
  if (volume.secret) {
    const secret: V1Secret = await readWithRetry(() => kube.core.readNamespacedSecret({ name: volume.secret!.secretName!, namespace }), `secret ${namespace}/${volume.secret.secretName}`);
    const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64")]));
    writeKeys(dir, data, volume.secret.items);
    return dir;
  }
  if (volume.configMap) {
    const map: V1ConfigMap = await readWithRetry(() => kube.core.readNamespacedConfigMap({ name: volume.configMap!.name!, namespace }), `config map ${namespace}/${volume.configMap.name}`);
    const data = {
      ...Object.fromEntries(Object.entries(map.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "utf8")])),
      ...Object.fromEntries(Object.entries(map.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64")])),
    };
    writeKeys(dir, data, volume.configMap.items);
    return dir;
  }
  if (volume.persistentVolumeClaim) {
    const claimName = volume.persistentVolumeClaim.claimName;
    const claim = await readWithRetry(() => kube.core.readNamespacedPersistentVolumeClaim({ name: claimName, namespace }), `claim ${namespace}/${claimName}`);
    const volumeName = claim.spec?.volumeName;
    const pv = volumeName ? await kube.core.readPersistentVolume({ name: volumeName }) : undefined;
    const hostPath = pv?.spec?.hostPath?.path ?? pv?.spec?.local?.path;
    if (hostPath) {
      mkdirSync(hostPath, { recursive: true });
      return hostPath;
    }
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes every volume of the pod under `root` and resolves each container's mounts to local paths. */
export async function materializeVolumes(kube: Kube, pod: V1Pod, root: string): Promise<Map<string, ResolvedMount[]>> {
  const namespace = pod.metadata!.namespace!;
  const localByVolume = new Map<string, string>();
  for (const volume of pod.spec?.volumes ?? []) {
    localByVolume.set(volume.name, await materialize(kube, namespace, volume, join(root, "volumes", volume.name)));
  }
  const byContainer = new Map<string, ResolvedMount[]>();
  for (const container of pod.spec?.containers ?? []) {
    const mounts: ResolvedMount[] = [];
    for (const mount of container.volumeMounts ?? []) {
      const local = localByVolume.get(mount.name);
      if (!local) continue;
      const sub = mount.subPath ? safeRelative(mount.subPath) : "";
      if (sub === null) continue;
      mounts.push({ mountPath: mount.mountPath, localPath: sub ? join(local, sub) : local });
    }
    byContainer.set(container.name, mounts);
  }
  return byContainer;
}
