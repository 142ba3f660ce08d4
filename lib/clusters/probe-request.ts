// The requests of a cluster check, bounded in time and in response size, answered in our own
// words only. The check talks to whatever address a pasted kubeconfig names, so nothing the
// peer sends may reach the admin (no HTML page, no JSON `message`), nothing may grow without
// bound, and an answer that is not Kubernetes discovery is said to be so, not crashed on. The
// TLS settings and credentials come from the client library's config (built from a vetted
// kubeconfig); the request is ours because the library's generated clients read a whole body
// before anyone can look at its size.
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import tls from "node:tls";
import type { KubeConfig } from "@kubernetes/client-node";
import { ForbiddenError, UnavailableError } from "@/lib/errors";
import { isTlsFailure, networkReason, type ClusterRef } from "@/lib/kube/transport";

export const PROBE_TIMEOUT_MS = 10_000;
/** Discovery documents and reviews are small; a node list is the largest thing a check reads. */
export const PROBE_MAX_BYTES = 1024 * 1024;

/** A request of the check: what it is for (a verb phrase), and where. */
export interface ProbeCall {
  what: string;
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  maxBytes?: number;
  timeoutMs?: number;
}

/** What the server answered: its status and the JSON body (null when the body was not JSON). */
export interface ProbeAnswer {
  status: number;
  json: unknown;
}

class TooLarge extends Error {}
class TimedOut extends Error {}

/** The certificate the server presents, in our words: subject and SHA-256 fingerprint (verification off, nothing sent). */
export async function presentedCertificate(url: URL, servername: string | undefined, timeoutMs = 5000): Promise<string | null> {
  return new Promise((resolve) => {
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    // SNI takes host names only, never an IP address.
    const sni = servername ?? (isIP(host) ? undefined : host);
    const socket = tls.connect({ host, port: Number(url.port || 443), ...(sni && { servername: sni }), rejectUnauthorized: false });
    const done = (value: string | null) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.once("error", () => done(null));
    socket.once("secureConnect", () => {
      const cert = socket.getPeerX509Certificate();
      if (!cert) return done(null);
      // The subject is the peer's text: one line, printable, bounded.
      const subject = cert.subject.replace(/\n/g, ", ").replace(/[^\x20-\x7e]/g, "?").slice(0, 200);
      done(`subject “${subject}”, SHA-256 fingerprint ${cert.fingerprint256}`);
    });
  });
}

async function send(kc: KubeConfig, call: ProbeCall): Promise<ProbeAnswer> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("no cluster");
  const url = new URL(cluster.server.replace(/\/$/, "") + call.path);
  const payload = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
  const options: https.RequestOptions = {
    method: call.method,
    headers: { Accept: "application/json", ...(payload && { "Content-Type": "application/json", "Content-Length": payload.length }) },
  };
  await kc.applyToHTTPSOptions(options);
  const timeoutMs = call.timeoutMs ?? PROBE_TIMEOUT_MS;
  const maxBytes = call.maxBytes ?? PROBE_MAX_BYTES;
  return new Promise<ProbeAnswer>((resolve, reject) => {
    const request = (url.protocol === "http:" ? http : https).request(url, url.protocol === "http:" ? { ...options, agent: undefined } : options, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          request.destroy(new TooLarge());
          return;
        }
        chunks.push(chunk);
      });
      response.on("end", () => {
        let json: unknown = null;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          json = null;
        }
        resolve({ status: response.statusCode ?? 0, json });
      });
      response.on("error", reject);
    });
    // One deadline for the whole exchange, not per socket event: a server trickling bytes still ends.
    const timer = setTimeout(() => request.destroy(new TimedOut()), timeoutMs);
    request.on("close", () => clearTimeout(timer));
    request.on("error", reject);
    request.end(payload);
  });
}

/**
 * Sends one request of the check. Failures become UnavailableErrors in our words (refused,
 * timed out, TLS failure with the certificate's subject and fingerprint, too large); an
 * answer comes back whatever its status, for the caller to judge.
 */
export async function probeRequest(cluster: ClusterRef, kc: KubeConfig, call: ProbeCall): Promise<ProbeAnswer> {
  const where = `The cluster “${cluster.name}”`;
  try {
    return await send(kc, call);
  } catch (error) {
    if (error instanceof TimedOut) throw new UnavailableError(`${where} did not answer within ${Math.round((call.timeoutMs ?? PROBE_TIMEOUT_MS) / 1000)} s (while trying to ${call.what}).`);
    if (error instanceof TooLarge) throw notKubernetes(cluster, `its answer when asked to ${call.what} was larger than ${Math.round((call.maxBytes ?? PROBE_MAX_BYTES) / 1024)} KiB`);
    const reason = networkReason(error);
    if (reason && isTlsFailure(error)) {
      const server = kc.getCurrentCluster()!;
      const presented = await presentedCertificate(new URL(server.server), server.tlsServerName);
      throw new UnavailableError(`${where} failed the TLS check: ${reason}${presented ? `; it presented a certificate with ${presented}` : ""}.`);
    }
    if (reason) throw new UnavailableError(`${where} is unreachable: ${reason} (while trying to ${call.what}).`);
    throw new UnavailableError(`${where} could not be reached (while trying to ${call.what}).`);
  }
}

/** The refusal for a server that answers, but not as Kubernetes does. */
export function notKubernetes(cluster: ClusterRef, detail: string): UnavailableError {
  return new UnavailableError(`The server of “${cluster.name}” does not look like a Kubernetes API server: ${detail}.`);
}

/** Judges an answer's status in our words: 401 and 403 by name, anything else not 2xx as not Kubernetes-like. */
export function expectSuccess(cluster: ClusterRef, call: ProbeCall, answer: ProbeAnswer): unknown {
  if (answer.status >= 200 && answer.status < 300) return answer.json;
  if (answer.status === 401) throw new UnavailableError(`The cluster “${cluster.name}” rejected the panel's credentials (401 Unauthorized) while trying to ${call.what}.`);
  if (answer.status === 403) throw new ForbiddenError(`The cluster “${cluster.name}” does not allow the panel to ${call.what} (403 Forbidden).`);
  throw notKubernetes(cluster, `it answered HTTP ${answer.status} when asked to ${call.what}`);
}
