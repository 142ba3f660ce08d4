// Streams a disk image to CDI's upload proxy (pump.ts does the streaming) and says how it
// ended in the panel's own sentences: resolves once the proxy has answered 200 — CDI has the
// whole image — and throws a sentence for every other outcome; the proxy's body is never echoed.
import type { Readable } from "node:stream";
import { AppError, ConflictError, UnavailableError, ValidationError } from "@/lib/errors";
import { pumpToUploadProxy, type UploadOutcome, type UploadTarget } from "@/lib/vms/disks/upload/pump";

export { readableOf, type UploadOutcome, type UploadTarget } from "@/lib/vms/disks/upload/pump";

/** The upload was cut off (connection broken on either side); a retry is safe. */
export class UploadInterruptedError extends UnavailableError {}

/** Said when the browser's connection ended before the whole file arrived. */
export const BROWSER_CUT = "The upload was interrupted: the connection from the browser ended before the whole file arrived. Nothing was kept; try again.";

/** The panel's sentence for a proxy answer that is not 200. */
export function uploadRefusal(status: number, body: string): AppError {
  if (status === 401 || status === 403) return new ConflictError("The upload proxy refused the upload token (it expired or is not valid for this disk). Try again: a new token is asked for each attempt.");
  if (status === 404) return new ConflictError("The upload proxy does not know this disk any more (it was deleted or cancelled). Try again to make it anew.");
  if (status === 409) return new ConflictError("Another upload into this disk is in progress. Wait for it to end, or cancel it, then try again.");
  if (status === 503 || status === 502 || status === 504) return new UnavailableError("CDI is not ready to receive this disk yet (its upload server is still starting). Try again in a moment.");
  if (status === 400 || status === 413 || status === 422) {
    if (/larger than|too large|exceeds|size/i.test(body)) return new ValidationError("CDI refused the image: its virtual size is larger than the disk. Create the VM with a larger disk, or upload a smaller image.");
    return new ValidationError("CDI could not read the image: it is not a disk image in a format CDI takes, or it is damaged.");
  }
  return new UnavailableError(`The upload proxy answered with an unexpected status (${status}). Try again; if it keeps failing, ask an admin to check CDI.`);
}

function networkFailure(code: string): AppError {
  if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new UnavailableError("CDI's upload proxy cannot be reached (nothing answers at its address yet). Try again in a moment, or ask an admin to check CDI.");
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) return new UnavailableError("CDI's upload proxy did not present a certificate signed by CDI's published CA; the panel does not send the image there. Ask an admin to check CDI.");
  return new UploadInterruptedError("The upload was cut off: the connection to CDI's upload proxy broke before it confirmed the image. Try again.");
}

/** The sentence for an upload that did not end with CDI holding the whole image; null when it did. */
export function uploadFailure(outcome: UploadOutcome): AppError | null {
  if (outcome.ok) return null;
  if ("refused" in outcome) return uploadRefusal(outcome.refused.status, outcome.refused.body);
  if ("source" in outcome) {
    if (outcome.source === "more") return new ValidationError("The browser sent more bytes than it announced.");
    if (outcome.source === "fewer") return new ValidationError("The upload ended before the whole file arrived.");
    return new UploadInterruptedError(BROWSER_CUT);
  }
  if ("relayStopped" in outcome) return new UploadInterruptedError("The upload was cut off: the panel's upload process stopped before CDI confirmed the image. Nothing was kept; try again.");
  return networkFailure(outcome.network);
}

/** Streams `length` bytes from `source` to the proxy in this process (see pump.ts); throws the sentence for any other end than CDI holding them all. */
export async function streamToUploadProxy(target: UploadTarget, source: Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>, length: number, signal?: AbortSignal): Promise<void> {
  const failure = uploadFailure(await pumpToUploadProxy(target, source, length, signal));
  if (failure) throw failure;
}
