// `POST /api/vm-disk-uploads/<vm>`: the browser streams a VM's disk image (the raw file as the
// body, with its Content-Length) and the panel streams it on to CDI's upload proxy; the answer
// comes once CDI confirmed the whole image (JSON `{ bytes, format }`), or is the panel's
// sentence for what went wrong. `DELETE` cancels: the disk's DataVolume is deleted.
// A session may only send it from the panel's own pages (Origin checked); a personal token works
// from anywhere, as for every REST route.
// server.ts answers these itself, before Next.js (as /metrics), and once an upload may go ahead
// the connection itself goes to the upload relay process with the body unread
// (lib/vms/disks/upload/relay.ts): neither Next.js's web streams nor this process's heap ever
// hold the image's bytes. The relay reports how the upload ended and writes the answer decided here.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Caller } from "@/lib/access/deny";
import { callerFromNodeRequest } from "@/lib/api/request-caller";
import { errorAnswer } from "@/lib/api/responses";
import { allowedOriginsFor } from "@/lib/console/gateway/upgrade-auth";
import type { Db } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { observeAnsweredElsewhere } from "@/lib/observe/http";
import { cancelVmDiskUpload, uploadVmDisk } from "@/lib/vms/disks/upload/service";
import { handOffUpload, type RelayedUpload } from "@/lib/vms/disks/upload/relay";

/** The path and methods served here (the OpenAPI document lists them; test/unit/openapi.test.ts checks both). */
export const VM_DISK_UPLOAD_ROUTE = { path: "/api/vm-disk-uploads/{workloadId}", methods: ["DELETE", "POST"] } as const;

const PATH = /^\/api\/vm-disk-uploads\/([^/?#]+)(?:\?.*)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether server.ts answers this request URL here (anything else goes on to Next.js). */
export function isVmDiskUploadUrl(url: string | undefined): boolean {
  return url !== undefined && PATH.test(url);
}

/**
 * The caller. A request without a token is judged by its cookie, so a browser page of another
 * Origin must not get that far: it is refused first, whatever its cookie holds (the same origins
 * the websocket gateway admits: the public address, and its loopback twin).
 */
async function uploader(req: IncomingMessage, db: Db): Promise<Caller> {
  const origin = req.headers.origin;
  if (req.headers.authorization === undefined && origin !== undefined && !allowedOriginsFor(getEnv().publicUrl).has(origin)) {
    throw new ForbiddenError("Uploads are accepted only from the panel's own pages.");
  }
  return callerFromNodeRequest(req, db);
}

function workloadIdOf(url: string | undefined): string {
  let raw = "";
  try {
    raw = decodeURIComponent(PATH.exec(url ?? "")?.[1] ?? "");
  } catch {
    // not even a valid escape: no such VM
  }
  if (!UUID.test(raw)) throw new NotFoundError("No such VM.");
  return raw.toLowerCase();
}

/** Where the answer goes: this process's response, or the relay that now holds the connection. */
interface Answerer {
  relayed: RelayedUpload | null;
}

function writeJson(res: ServerResponse, to: Answerer, status: number, body: unknown, headers: Record<string, string> = { "Cache-Control": "no-store" }): void {
  const text = JSON.stringify(body);
  if (to.relayed) {
    const kept = Object.fromEntries(Object.entries(res.getHeaders()).map(([name, value]) => [name, String(value)]));
    to.relayed.answer(status, { ...kept, ...headers, "Content-Type": "application/json" }, text);
    observeAnsweredElsewhere(res, status);
    return;
  }
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(text)) }).end(text);
}

function writeError(res: ServerResponse, to: Answerer, error: unknown): void {
  const { status, headers, body } = errorAnswer(error);
  writeJson(res, to, status, body, headers);
}

/**
 * Answers POST (upload) and DELETE (cancel) on `/api/vm-disk-uploads/<vm>`; other methods get 405.
 * Never rejects: every failure is an answer in lib/api/responses.ts's shapes.
 */
export async function serveVmDiskUpload(req: IncomingMessage, res: ServerResponse, db: Db): Promise<void> {
  // A broken browser connection is read from the request's state where it matters
  // (lib/vms/disks/upload/service.ts); an 'error' with no listener would end the process.
  req.on("error", () => {});
  const to: Answerer = { relayed: null };
  try {
    if (req.method === "POST") {
      const workloadId = workloadIdOf(req.url);
      const caller = await uploader(req, db);
      const declared = req.headers["content-length"];
      const length = declared !== undefined && /^\d{1,16}$/.test(declared) ? Number(declared) : null;
      const uploaded = await uploadVmDisk(db, caller, {
        workloadId,
        body: req,
        length,
        // The connection goes to the upload relay with the body; it sees the browser go away.
        send: async (target, _body, size) => (to.relayed = await handOffUpload(req, target, size)).outcome,
      });
      writeJson(res, to, 200, uploaded);
    } else if (req.method === "DELETE") {
      const workloadId = workloadIdOf(req.url);
      await cancelVmDiskUpload(db, await uploader(req, db), { workloadId });
      writeJson(res, to, 200, { cancelled: true });
    } else {
      if (!res.headersSent) res.writeHead(405, { Allow: VM_DISK_UPLOAD_ROUTE.methods.join(", ") }).end();
    }
  } catch (error) {
    writeError(res, to, error);
  } finally {
    // Stopped early (a refusal, a broken proxy connection): the rest of the body is read and
    // dropped (by the relay, when it holds the connection). Destroying it instead would reset the
    // browser's connection, and the browser would see a network error instead of the answer saying why.
    if (!to.relayed && !req.readableEnded && !req.destroyed) req.resume();
  }
}
