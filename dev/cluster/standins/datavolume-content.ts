// The bytes behind stand-in DataVolumes, as CDI's importer and clone pods would write them:
// an http(s) source is downloaded (progress reported as it goes), a pvc source is copied from
// the source claim's disk, into `<storageDir>/<namespace>/<name>.img` — the file the guests
// boot (vm-guests.ts) and the upload proxy writes for uploads. Deleting the DataVolume deletes
// its file, as deleting its claim would delete the volume.
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { DataVolume } from "./cdi";
import { orNotFound, type Kube } from "./kube";

/** Where a DataVolume's bytes live. */
export const dataVolumeFile = (storageDir: string, namespace: string, name: string): string => path.join(storageDir, namespace, `${name}.img`);

/** Whether the stand-in fills this DataVolume with bytes (an http(s) import or a pvc clone). */
export function hasContentSource(dv: DataVolume): boolean {
  const source = dv.spec?.source as { http?: { url?: string }; pvc?: { name?: string } } | undefined;
  return Boolean(source?.http?.url || source?.pvc?.name);
}

/** Copies the source into the DataVolume's file, calling `onProgress(percent)` as it goes. */
export async function fillDataVolume(kube: Kube, storageDir: string, dv: DataVolume, onProgress: (percent: number) => void, signal: AbortSignal): Promise<number> {
  const namespace = dv.metadata!.namespace!;
  const target = dataVolumeFile(storageDir, namespace, dv.metadata!.name!);
  const partial = `${target}.part`;
  await mkdir(path.dirname(target), { recursive: true });
  const source = dv.spec?.source as { http?: { url?: string }; pvc?: { namespace?: string; name?: string } };
  let input: NodeJS.ReadableStream;
  let total: number | undefined;
  if (source.http?.url) {
    const res = await fetchStream(source.http.url, signal);
    total = Number(res.headers["content-length"]) || undefined;
    input = res;
  } else {
    const file = await sourceClaimFile(kube, storageDir, source.pvc?.namespace ?? namespace, source.pvc!.name!);
    total = (await stat(file)).size;
    input = createReadStream(file);
  }
  let bytes = 0;
  let reported = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (total && Date.now() - reported > 250) {
        reported = Date.now();
        onProgress(Math.min(99.99, (bytes / total) * 100));
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(input, counter, createWriteStream(partial), { signal });
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  if (total && bytes !== total) {
    await rm(partial, { force: true });
    throw new Error(`transfer ended after ${bytes} of ${total} bytes`);
  }
  await rename(partial, target);
  return bytes;
}

/** Removes a DataVolume's file (its claim is gone). */
export async function removeDataVolumeFile(storageDir: string, namespace: string, name: string): Promise<void> {
  const file = dataVolumeFile(storageDir, namespace, name);
  await rm(file, { force: true });
  await rm(`${file}.part`, { force: true });
}

function fetchStream(url: string, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith("https:") ? httpsGet : httpGet;
    const req = get(url, { signal, timeout: 30_000 }, (res) => {
      if ((res.statusCode ?? 0) !== 200) {
        res.resume();
        reject(new Error(`Unable to connect to http data source: expected status code 200, got ${res.statusCode}. Status: ${res.statusMessage}`));
        return;
      }
      resolve(res);
    });
    req.on("timeout", () => req.destroy(new Error("Unable to connect to http data source: timed out")));
    req.on("error", (error) => reject(new Error(`Unable to connect to http data source: ${error.message}`)));
  });
}

/** The file holding a claim's disk: a DataVolume's stored file, else `disk.img` on the claim's hostPath volume. */
async function sourceClaimFile(kube: Kube, storageDir: string, namespace: string, claim: string): Promise<string> {
  const stored = dataVolumeFile(storageDir, namespace, claim);
  if (existsSync(stored)) return stored;
  const pvc = await orNotFound(kube.core.readNamespacedPersistentVolumeClaim({ namespace, name: claim }));
  if (!pvc) throw new Error(`source claim ${namespace}/${claim} does not exist`);
  const pv = pvc.spec?.volumeName ? await orNotFound(kube.core.readPersistentVolume({ name: pvc.spec.volumeName })) : undefined;
  const onVolume = pv?.spec?.hostPath?.path ? path.join(pv.spec.hostPath.path, "disk.img") : undefined;
  if (onVolume && existsSync(onVolume)) return onVolume;
  throw new Error(`source claim ${namespace}/${claim} holds no disk image`);
}
