// The VM disk upload handler (lib/api/vm-disk-upload.ts) behind a loopback HTTP server, as
// server.ts serves it, and a client that sends exactly the given headers and body and answers
// with a web Response (to read its status and JSON).
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serveVmDiskUpload } from "@/lib/api/vm-disk-upload";
import type { Db } from "@/lib/db/client";

export interface UploadServer {
  /** Sends one request to `path` (with its query) and answers with the response. */
  send(method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<Response>;
  close(): Promise<void>;
}

export async function startUploadServer(db: () => Db): Promise<UploadServer> {
  const server: Server = createServer((req, res) => void serveVmDiskUpload(req, res, db()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    send: (method, path, headers, body) =>
      new Promise<Response>((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, method, path, headers: { ...headers, connection: "close" } }, (res) => {
          const parts: Buffer[] = [];
          res.on("data", (chunk: Buffer) => parts.push(chunk));
          res.on("end", () => resolve(new Response(res.statusCode === 405 ? null : Buffer.concat(parts), { status: res.statusCode, headers: res.headers as Record<string, string> })));
          res.on("error", reject);
        });
        req.on("error", reject);
        req.end(body);
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
