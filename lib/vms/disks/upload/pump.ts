// Pumps a disk image to CDI's upload proxy: one POST to `/v1beta1/upload` with the token and the
// bytes as they come (the source piped through a byte counter into the proxy request with Node
// streams, so the sender is only read as fast as the proxy takes the bytes: nothing is held in
// memory or written to disk). It says what happened as plain data — the panel turns that into its
// sentence (stream.ts) — because it also runs in the upload relay process
// (relay-process.ts), which loads nothing of the panel: Node's own modules only.
import { request as httpsRequest } from "node:https";
import type { IncomingMessage } from "node:http";
import { finished, Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** What one upload needs. */
export interface UploadTarget {
  /** The proxy's base URL (https://host:port). */
  url: string;
  caPem: string;
  token: string;
}

/**
 * How an upload ended: CDI confirmed the whole image; the proxy answered something else (its
 * status, and the start of its body to classify it — never to show it); the source failed (sent
 * more or fewer bytes than announced, or its connection was cut); the connection to the proxy
 * failed (the error's code); or the upload relay process ended while it carried the upload.
 */
export type UploadOutcome =
  | { ok: true }
  | { ok: false; refused: { status: number; body: string } }
  | { ok: false; source: "more" | "fewer" | "cut" }
  | { ok: false; network: string }
  | { ok: false; relayStopped: true };

/** Text of an answer, read to at most 4 KiB. */
async function readSmall(res: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of res) {
    if (text.length < 4096) text += (chunk as Buffer).toString("utf8");
  }
  return text.slice(0, 4096);
}

/** A Node stream of the source (a Node stream already is one). */
export function readableOf(source: Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Readable {
  return source instanceof Readable ? source : Readable.from(source, { objectMode: false, highWaterMark: 64 * 1024 });
}

type SourceFailure = { ok: false; source: "more" | "fewer" | "cut" };
const SOURCE_MORE: SourceFailure = { ok: false, source: "more" };
const SOURCE_FEWER: SourceFailure = { ok: false, source: "fewer" };
const SOURCE_CUT: SourceFailure = { ok: false, source: "cut" };

/**
 * POSTs `length` bytes from `source` to the proxy: more or fewer bytes than that is a failure of
 * the source. `signal` aborts it (the sender went away); then the proxy sees the connection end
 * and keeps nothing. The source is piped, never destroyed here: when the upload stops early (a
 * refusal, a broken proxy connection), whatever is left of it stays unread for the caller to
 * drain — a browser whose connection were reset would see a network error instead of the answer
 * saying why.
 */
export async function pumpToUploadProxy(target: UploadTarget, source: Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>, length: number, signal?: AbortSignal): Promise<UploadOutcome> {
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
  // A failure of the source (its connection ended, fewer or more bytes than announced) is told
  // apart from one of the proxy's connection: whichever happens first is the cause.
  let sourceFailed: SourceFailure | undefined;
  let sent = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sent += chunk.length;
      if (sent > length) done(new Error((sourceFailed ??= SOURCE_MORE).source));
      else done(null, chunk);
    },
    flush(done) {
      done(sent < length ? new Error((sourceFailed ??= SOURCE_FEWER).source) : null);
    },
  });
  const body = readableOf(source);
  const stopWatching = finished(body, { writable: false }, (error) => {
    if (!error) return;
    sourceFailed ??= SOURCE_CUT;
    counted.destroy(error);
  });
  if (body.errored || (body.destroyed && !body.readableEnded)) {
    // It failed before it was piped (while CDI got ready): the sender went away meanwhile.
    sourceFailed ??= SOURCE_CUT;
    counted.destroy(new Error("the source ended early"));
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
  const failed = (error: unknown): UploadOutcome => sourceFailed ?? (signal?.aborted ? SOURCE_CUT : { ok: false, network: (error as { code?: string })?.code ?? "" });
  let res: IncomingMessage;
  try {
    res = await answered;
  } catch (error) {
    stop();
    return failed(error);
  }
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) {
    res.resume();
    const sendError = await sending;
    stopWatching();
    return sendError ? failed(sendError) : { ok: true };
  }
  stop();
  return { ok: false, refused: { status, body: await readSmall(res).catch(() => "") } };
}
