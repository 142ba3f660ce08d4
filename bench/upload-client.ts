// The sending side of bench/vm-upload.ts, in its own process as a browser would be: on each IPC
// message `{ url, ca?, headers, bytes }` it POSTs a generated disk image of `bytes` and answers
// `{ status, seconds }` (or `{ error }`).
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { pipeline } from "node:stream/promises";
import { bootableDiskStream } from "../test/support/disk-images";

interface Job {
  url: string;
  ca?: string;
  headers: Record<string, string>;
  bytes: number;
}

function send(job: Job): Promise<{ status: number; seconds: number }> {
  const started = process.hrtime.bigint();
  const request = job.url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(job.url, { method: "POST", headers: job.headers, ...(job.ca ? { ca: job.ca } : {}) }, (res: IncomingMessage) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, seconds: Number(process.hrtime.bigint() - started) / 1e9 }));
    });
    req.on("error", reject);
    pipeline(bootableDiskStream(job.bytes), req).catch(reject);
  });
}

process.on("message", (job: Job) => {
  send(job).then(
    (result) => process.send?.(result),
    (error: unknown) => process.send?.({ error: String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));
