// CDI upload proxy stand-in: `POST /v1beta1/upload` (and `/v1beta1/upload-async`) with
// `Authorization: Bearer <token from an UploadTokenRequest>` and the raw disk image as body.
// The bytes are stored under the run directory and the DataVolume is marked Succeeded, as
// cdi-uploadproxy + the upload server pod + cdi-deployment would together.
import { execFile } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { cdiGroup, cdiVersion, dataVolumePhase, dataVolumePlural, type DataVolume } from "./cdi";
import { dataVolumePhasePatch } from "./datavolume-status";
import { ApiError } from "./http-replies";
import { mergePatch, orNotFound, type Kube } from "./kube";
import type { ServingCertificate } from "./tls";
import type { UploadGrant, UploadTokenSigner } from "./upload-token";
import { quantityBytes } from "./vm-guests";

const run = promisify(execFile);

const uploadPaths = new Set(["/v1beta1/upload", "/v1beta1/upload-async", "/v1alpha1/upload", "/v1alpha1/upload-async"]);

export interface UploadProxyDeps {
  kube: Kube;
  certificate: ServingCertificate;
  uploadTokens: UploadTokenSigner;
  /** Where uploaded images are stored, as `<namespace>/<pvc>.img`. */
  storageDir: string;
  log: (line: string) => void;
}

/** A listening upload proxy. */
export interface UploadProxy {
  /** `https://127.0.0.1:<port>`, what CDIConfig's status.uploadProxyURL names. */
  url: string;
  close(): Promise<void>;
}

/** Starts the upload proxy on a free loopback port. */
export async function startUploadProxy(deps: UploadProxyDeps): Promise<UploadProxy> {
  const inFlight = new Set<string>();
  const server: Server = createServer({ cert: deps.certificate.certPem, key: deps.certificate.keyPem }, (req, res) => {
    handle(deps, inFlight, req, res).catch((error: unknown) => {
      const apiError = error instanceof ApiError ? error : new ApiError(500, String(error));
      if (apiError.code === 500) deps.log(`upload proxy stand-in: ${req.method} ${req.url}: ${String(error)}`);
      if (!res.headersSent) res.writeHead(apiError.code, { "Content-Type": "text/plain", ...corsHeaders }).end(apiError.message);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// The real proxy allows browser uploads straight from another origin.
const corsHeaders = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Content-Type, Content-Length",
};

async function handle(deps: UploadProxyDeps, inFlight: Set<string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "https://standin.invalid").pathname;
  if (req.method === "OPTIONS") return void res.writeHead(200, corsHeaders).end();
  if (req.method === "GET" && path === "/healthz") return void res.writeHead(200, corsHeaders).end("OK");
  if (!uploadPaths.has(path)) throw new ApiError(404, "Not Found");
  if (req.method !== "POST") throw new ApiError(405, "Method Not Allowed");

  const grant = authorize(deps, req);
  const key = `${grant.namespace}/${grant.pvcName}`;
  const dv = await readDataVolume(deps.kube, grant);
  if (dataVolumePhase(dv) !== "UploadReady") throw new ApiError(503, `${key} is not ready for upload (phase ${dataVolumePhase(dv) ?? "none"})`);
  if (inFlight.has(key)) throw new ApiError(409, `an upload into ${key} is already in progress`);

  inFlight.add(key);
  try {
    const bytes = await store(deps.storageDir, grant, req, requestedBytes(dv));
    deps.log(`upload proxy stand-in: stored ${bytes} bytes for ${key}`);
    await markSucceeded(deps.kube, grant);
  } finally {
    inFlight.delete(key);
  }
  res.writeHead(200, corsHeaders).end();
}

function authorize(deps: UploadProxyDeps, req: IncomingMessage): UploadGrant {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  const grant = match ? deps.uploadTokens.verify(match[1]!) : undefined;
  if (!grant) throw new ApiError(401, "Unauthorized: missing, invalid or expired upload token");
  return grant;
}

async function readDataVolume(kube: Kube, grant: UploadGrant): Promise<DataVolume> {
  const dv = (await orNotFound(
    kube.custom.getNamespacedCustomObject({
      group: cdiGroup,
      version: cdiVersion,
      namespace: grant.namespace,
      plural: dataVolumePlural,
      name: grant.pvcName,
    }),
  )) as DataVolume | undefined;
  if (!dv) throw new ApiError(404, `no DataVolume ${grant.namespace}/${grant.pvcName} to upload into`);
  return dv;
}

/** The DataVolume's requested size in bytes, if it names one. */
function requestedBytes(dv: DataVolume): number | undefined {
  const spec = dv.spec as { storage?: { resources?: { requests?: { storage?: string } } }; pvc?: { resources?: { requests?: { storage?: string } } } } | undefined;
  return quantityBytes(spec?.storage?.resources?.requests?.storage ?? spec?.pvc?.resources?.requests?.storage ?? "");
}

/**
 * Checks the stored image as CDI's upload server does before it converts it: a qcow2 must be
 * self-contained (no backing file) and whole, and the image's virtual size must fit the claim.
 */
async function validateImage(file: string, available: number | undefined): Promise<void> {
  let info: { format?: string; "virtual-size"?: number; "backing-filename"?: string };
  try {
    info = JSON.parse((await run("qemu-img", ["info", "--output=json", "-U", file])).stdout);
  } catch {
    throw new ApiError(400, "Saving stream failed: Unable to process data: invalid image header");
  }
  if (info["backing-filename"]) throw new ApiError(400, "Saving stream failed: Unable to process data: image has a backing file");
  const size = info["virtual-size"] ?? 0;
  if (available !== undefined && size > available) {
    throw new ApiError(400, `Saving stream failed: Virtual image size ${size} is larger than the reported available storage ${available}. A larger PVC is required.`);
  }
}

/** Streams the body to `<storageDir>/<namespace>/<pvc>.img` (via a temp file), checks it, and returns its size. */
async function store(storageDir: string, grant: UploadGrant, req: IncomingMessage, available: number | undefined): Promise<number> {
  const dir = join(storageDir, grant.namespace);
  await mkdir(dir, { recursive: true });
  const target = join(dir, `${grant.pvcName}.img`);
  const partial = `${target}.part`;
  let bytes = 0;
  req.on("data", (chunk: Buffer) => (bytes += chunk.length));
  try {
    await pipeline(req, createWriteStream(partial));
  } catch (error) {
    await rm(partial, { force: true });
    throw new ApiError(400, `upload interrupted: ${String(error)}`);
  }
  try {
    await validateImage(partial, available);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  await rename(partial, target);
  return bytes;
}

/** Re-reads the DataVolume and moves it to Succeeded (retrying on a resourceVersion conflict). */
async function markSucceeded(kube: Kube, grant: UploadGrant): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const dv = await readDataVolume(kube, grant);
    try {
      await kube.custom.patchNamespacedCustomObjectStatus(
        {
          group: cdiGroup,
          version: cdiVersion,
          namespace: grant.namespace,
          plural: dataVolumePlural,
          name: grant.pvcName,
          body: dataVolumePhasePatch(dv, "Succeeded"),
        },
        mergePatch,
      );
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}
