// `POST /api/vm-disk-uploads/<vm>`: the browser streams a VM's disk image (the raw file as the
// body, with its Content-Length) and the panel streams it on to CDI's upload proxy; the answer
// comes once CDI confirmed the whole image (JSON `{ bytes, format }`), or is the panel's
// sentence for what went wrong. `DELETE` cancels: the disk's DataVolume is deleted.
// A session may only send it from the panel's own pages (Origin checked); a personal token works
// from anywhere, as for every REST route.
import type { Caller } from "@/lib/access/deny";
import { callerFromRequest } from "@/lib/api/request-caller";
import { errorResponse, jsonResponse } from "@/lib/api/responses";
import type { Db } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { cancelVmDiskUpload, uploadVmDisk } from "@/lib/vms/disks/upload";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The caller; a cookie-authenticated request from another Origin is refused. */
async function uploader(request: Request, db: Db): Promise<Caller> {
  const caller = await callerFromRequest(request, db);
  const origin = request.headers.get("origin");
  if (!request.headers.get("authorization") && origin !== null) {
    const pub = new URL(getEnv().publicUrl);
    const twins = [pub.origin, pub.origin.replace("//localhost", "//127.0.0.1"), pub.origin.replace("//127.0.0.1", "//localhost")];
    if (!twins.includes(origin)) throw new ForbiddenError("Uploads are accepted only from the panel's own pages.");
  }
  return caller;
}

/** The body's chunks, read one at a time as they are asked for (so the sender waits while the proxy is slower). */
async function* chunksOf(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    // Stopped early (a refusal, a broken proxy connection): the rest of the body is read and
    // dropped in the background. Cancelling it would reset the browser's connection, and the
    // browser would see a network error instead of the answer saying why.
    if (!finished) void drain(reader);
  }
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    while (!(await reader.read()).done);
  } catch {
    // the browser went away
  }
}

function workloadIdOf(raw: string): string {
  if (!UUID.test(raw)) throw new NotFoundError("No such VM.");
  return raw.toLowerCase();
}

/** Answers an upload (see the top of this file). */
export async function vmDiskUploadResponse(request: Request, rawWorkloadId: string, db: Db): Promise<Response> {
  try {
    const workloadId = workloadIdOf(rawWorkloadId);
    const caller = await uploader(request, db);
    const declared = request.headers.get("content-length");
    const length = declared !== null && /^\d{1,16}$/.test(declared) ? Number(declared) : null;
    const body = chunksOf(request.body);
    const result = await uploadVmDisk(db, caller, { workloadId, body, length, signal: request.signal });
    return jsonResponse(result);
  } catch (error) {
    return errorResponse(error);
  }
}

/** Answers a cancel: the disk's DataVolume is deleted. */
export async function cancelVmDiskUploadResponse(request: Request, rawWorkloadId: string, db: Db): Promise<Response> {
  try {
    const workloadId = workloadIdOf(rawWorkloadId);
    await cancelVmDiskUpload(db, await uploader(request, db), { workloadId });
    return jsonResponse({ cancelled: true });
  } catch (error) {
    return errorResponse(error);
  }
}
