// Streams a disk image to CDI's upload proxy: one POST to `/v1beta1/upload` with the token and
// the bytes as they come (the source — the browser's request itself — piped through a byte
// counter into the proxy request with Node streams, so the sender is only read as fast as the
// proxy takes the bytes: nothing is held in memory or written to disk). Resolves
// once the proxy has answered 200 — CDI has the whole image — and throws the panel's own
// sentence for every other outcome; the proxy's body is never echoed.
import { request as httpsRequest } from "node:https";
import type { IncomingMessage } from "node:http";
import { finished, Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError, ConflictError, UnavailableError, ValidationError } from "@/lib/errors";

/** The upload was cut off (connection broken on either side); a retry is safe. */
export class UploadInterruptedError extends UnavailableError {}

/** What one upload needs. */
export interface UploadTarget {
  /** The proxy's base URL (https://host:port). */
  url: string;
  caPem: string;
  token: string;
}

/** Text of an answer, read to at most 4 KiB (to classify it, never to show it). */
async function readSmall(res: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of res) {
    if (text.length < 4096) text += (chunk as Buffer).toString("utf8");
  }
  return text.slice(0, 4096);
}

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

/** A Node stream of the source (a Node stream already is one). */
export function readableOf(source: Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Readable {
  return source instanceof Readable ? source : Readable.from(source, { objectMode: false, highWaterMark: 64 * 1024 });
}

/**
 * POSTs `length` bytes from `source` to the proxy: more or fewer bytes than that is an error.
 * `signal` aborts it (the browser went away); then the proxy sees the connection end and keeps
 * nothing. The source is piped, never destroyed here: when the upload stops early (a refusal, a
 * broken proxy connection), whatever is left of it stays unread for the caller to drain — a
 * browser whose connection were reset would see a network error instead of the answer saying why.
 */
export async function streamToUploadProxy(target: UploadTarget, source: Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>, length: number, signal?: AbortSignal): Promise<void> {
  const req = httpsRequest(`${target.url}/v1beta1/upload`, {
    method: "POST",
    ca: target.caPem,
    headers: { Authorization: `Bearer ${target.token}`, "Content-Type": "application/octet-stream", "Content-Length": String(length) },
    signal,
  });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    req.once("response", resolve);
    req.once("error", reject);
  });
  // A failure of the source (the browser's connection ended, fewer or more bytes than announced)
  // is told apart from one of the proxy's connection: whichever happens first is the cause.
  let sourceError: unknown;
  let sent = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sent += chunk.length;
      if (sent > length) done((sourceError ??= new ValidationError("The browser sent more bytes than it announced.")) as Error);
      else done(null, chunk);
    },
    flush(done) {
      done(sent < length ? ((sourceError ??= new ValidationError("The upload ended before the whole file arrived.")) as Error) : null);
    },
  });
  const body = readableOf(source);
  const stopWatching = finished(body, { writable: false }, (error) => {
    if (!error) return;
    sourceError ??= error;
    counted.destroy(error);
  });
  if (body.errored || (body.destroyed && !body.readableEnded)) {
    // It failed before it was piped (while CDI got ready): the browser went away meanwhile.
    sourceError ??= body.errored ?? new Error("the source ended early");
    counted.destroy(sourceError as Error);
  }
  body.pipe(counted);
  const sending = pipeline(counted, req).then(
    () => null,
    (error: unknown) => error,
  );
  const stop = () => {
    stopWatching();
    body.unpipe(counted);
    counted.destroy();
  };
  let res: IncomingMessage;
  try {
    res = await answered;
  } catch (error) {
    stop();
    throw sourceFailure(sourceError, signal) ?? networkFailure(error);
  }
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) {
    res.resume();
    const sendError = await sending;
    stopWatching();
    if (sendError) throw sourceFailure(sourceError, signal) ?? networkFailure(sendError);
    return;
  }
  stop();
  throw uploadRefusal(status, await readSmall(res).catch(() => ""));
}

function sourceFailure(error: unknown, signal: AbortSignal | undefined): AppError | null {
  if (error instanceof AppError) return error;
  if (error !== undefined || signal?.aborted) return new UploadInterruptedError("The upload was interrupted: the connection from the browser ended before the whole file arrived. Nothing was kept; try again.");
  return null;
}

function networkFailure(error: unknown): AppError {
  const code = (error as { code?: string })?.code ?? "";
  if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new UnavailableError("CDI's upload proxy cannot be reached (nothing answers at its address yet). Try again in a moment, or ask an admin to check CDI.");
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) return new UnavailableError("CDI's upload proxy did not present a certificate signed by CDI's published CA; the panel does not send the image there. Ask an admin to check CDI.");
  return new UploadInterruptedError("The upload was cut off: the connection to CDI's upload proxy broke before it confirmed the image. Try again.");
}
