// Session recording as asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/), gzip
// compressed. Only the terminal's OUTPUT is recorded, never its input: keystrokes include
// passwords typed at no-echo prompts (`sudo`, `read -s`), which never appear in the output
// because the PTY does not echo them. Resizes are recorded as "r" events so replay keeps the
// layout.
//
// Off the hot path: `output()` only formats one line and hands it to a gzip stream that
// compresses on libuv's thread pool and writes to a spool file asynchronously (the session
// moves the finished file into the database: session-store.ts). If the disk cannot
// keep up (more than MAX_PENDING_BYTES waiting), events are dropped and the loss is noted in
// the file — the terminal never waits for the recorder. Past the size cap (uncompressed),
// recording stops with a marker event saying so. The gzip stream is flushed (Z_SYNC_FLUSH) at
// most once a second while output arrives, so a replica that dies mid-session leaves a spool
// whose complete lines up to the last second can be salvaged (`salvageSpool`).
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { constants as zlib, createGzip, gunzipSync, gzipSync } from "node:zlib";
import type { TerminalSize } from "@/lib/console/protocol";

/** Default cap on a recording's uncompressed size. */
export const DEFAULT_RECORDING_CAP_BYTES = 8 * 1024 * 1024;
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** How much output a crash may cost a recording at most. */
export const RECORDING_FLUSH_MS = 1000;

/** "8 MiB", "4 KiB": a cap as people read it. */
const sizeLabel = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`);

/** What a finished recording amounts to. */
export interface RecordingResult {
  path: string;
  /** Size of the compressed file on disk. */
  bytes: number;
  /** Whether the cap (or a slow disk) cut it short. */
  truncated: boolean;
}

/** The spool file a session's recording is written to while the session runs. */
export function recordingPath(dir: string, sessionId: string): string {
  return path.join(dir, `${sessionId}.cast.gz`);
}

/** Writes one session's output as a gzip-compressed asciicast v2 file. */
export class CastRecorder {
  private readonly gzip = createGzip();
  private readonly out: WriteStream;
  private readonly capBytes: number;
  private readonly decoder = new StringDecoder("utf8");
  private readonly started = process.hrtime.bigint();
  private written = 0;
  private stopped = false;
  private truncated = false;
  private dropped = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly done: Promise<void>;

  constructor(
    readonly filePath: string,
    size: TerminalSize,
    meta: { startedAt: Date; title?: string; capBytes?: number },
  ) {
    this.capBytes = meta.capBytes ?? DEFAULT_RECORDING_CAP_BYTES;
    mkdirSync(path.dirname(filePath), { recursive: true, mode: 0o700 });
    this.out = createWriteStream(filePath, { mode: 0o600 });
    this.gzip.pipe(this.out);
    this.done = new Promise((resolve) => {
      this.out.once("close", resolve);
      this.out.once("error", () => resolve());
      this.gzip.once("error", () => resolve());
    });
    const header = {
      version: 2,
      width: size.cols,
      height: size.rows,
      timestamp: Math.floor(meta.startedAt.getTime() / 1000),
      env: { TERM: "xterm-256color" },
      ...(meta.title ? { title: meta.title } : {}),
    };
    this.line(JSON.stringify(header));
  }

  private elapsed(): number {
    return Math.round(Number(process.hrtime.bigint() - this.started) / 1000) / 1e6;
  }

  private line(text: string) {
    this.written += Buffer.byteLength(text) + 1;
    this.gzip.write(`${text}\n`);
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      if (!this.gzip.writableEnded) this.gzip.flush(zlib.Z_SYNC_FLUSH);
    }, RECORDING_FLUSH_MS);
    this.flushTimer.unref(); // never what keeps a stopping process alive
  }

  private event(type: "o" | "r" | "m", data: string) {
    if (this.stopped) return;
    if (this.gzip.writableLength > MAX_PENDING_BYTES) {
      if (!this.dropped) {
        this.dropped = true;
        this.truncated = true;
      }
      return;
    }
    if (this.dropped) {
      this.dropped = false;
      this.line(JSON.stringify([this.elapsed(), "m", "some output was not recorded (the disk was too slow)"]));
    }
    const entry = JSON.stringify([this.elapsed(), type, data]);
    if (this.written + Buffer.byteLength(entry) + 1 > this.capBytes) {
      this.line(JSON.stringify([this.elapsed(), "m", `recording stopped: it reached the ${sizeLabel(this.capBytes)} limit`]));
      this.stopped = true;
      this.truncated = true;
      return;
    }
    this.line(entry);
  }

  /** Records terminal output (bytes as they went to the browser; split characters are rejoined). */
  output(chunk: Buffer): void {
    if (this.stopped) return;
    const text = this.decoder.write(chunk);
    if (text) this.event("o", text);
  }

  /** Records a terminal resize. */
  resize(size: TerminalSize): void {
    this.event("r", `${size.cols}x${size.rows}`);
  }

  /** Finishes the file; resolves once it is on disk. */
  async close(): Promise<RecordingResult> {
    const rest = this.decoder.end();
    if (rest) this.event("o", rest);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.gzip.end();
    await this.done;
    return { path: this.filePath, bytes: this.out.bytesWritten, truncated: this.truncated };
  }
}

/** A recording's asciicast text (decompressed). */
export async function readCastFile(file: string): Promise<string> {
  return gunzipSync(await readFile(file)).toString("utf8");
}

/**
 * What can be recovered from the spool of a session whose replica died: the complete lines the
 * recorder had flushed, with a marker event saying the rest was lost, as a finished gzip file;
 * null when not even the header made it to disk.
 */
export async function salvageSpool(file: string): Promise<Buffer | null> {
  const raw = await readFile(file).catch(() => null);
  if (!raw) return null;
  let text: string;
  try {
    // A spool cut off mid-stream has no gzip trailer: decompress what is there.
    text = gunzipSync(raw, { finishFlush: zlib.Z_SYNC_FLUSH }).toString("utf8");
  } catch {
    return null;
  }
  const lines = text.slice(0, text.lastIndexOf("\n") + 1).split("\n").filter((line) => line.length > 0);
  if (lines.length === 0) return null;
  const last = lines.length > 1 ? (JSON.parse(lines.at(-1)!) as [number])[0] : 0;
  lines.push(JSON.stringify([last, "m", "recording cut short: the panel server holding the session stopped"]));
  return gzipSync(`${lines.join("\n")}\n`);
}

/** Parses asciicast v2 text into its header and events (for replay and tests). */
export function parseCast(text: string): { header: Record<string, unknown>; events: [number, string, string][] } {
  const [first, ...rest] = text.split("\n").filter((line) => line.length > 0);
  return { header: JSON.parse(first ?? "{}") as Record<string, unknown>, events: rest.map((line) => JSON.parse(line) as [number, string, string]) };
}
