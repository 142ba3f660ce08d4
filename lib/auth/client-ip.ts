// The client's address as seen by server.ts. App Router handlers cannot read the socket,
// so the one process stamps this header on every request after removing any incoming copy.
import type { IncomingMessage } from "node:http";

export const CLIENT_IP_HEADER = "x-minicloud-client-ip";

/** Replaces any client-supplied CLIENT_IP_HEADER with the real peer (or the proxy's X-Forwarded-For when trusted). */
export function stampClientIp(req: IncomingMessage, trustProxy: boolean): void {
  delete req.headers[CLIENT_IP_HEADER];
  const forwarded = req.headers["x-forwarded-for"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  const ip = (trustProxy && first) || req.socket.remoteAddress || "unknown";
  req.headers[CLIENT_IP_HEADER] = ip;
}
