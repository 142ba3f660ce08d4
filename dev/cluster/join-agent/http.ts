// The join agent's HTTPS client: one request to an apiserver reached at a resolved address,
// checking its certificate against `ca` by the name the join command used (or not at all for
// kubeadm's first, untrusted discovery request), with a bearer token or a client certificate.
import https from "node:https";
import { checkServerIdentity as tlsCheck } from "node:tls";

export interface Endpoint {
  /** Where to connect (an address the name resolves to). */
  host: string;
  port: number;
  /** The name the serving certificate must carry. */
  serverName: string;
}

export interface Credentials {
  ca?: string;
  /** Skip verifying the serving certificate (only discovery's first request does). */
  insecure?: boolean;
  token?: string;
  cert?: string;
  key?: string;
}

export interface Answer {
  status: number;
  body: string;
  json<T>(): T;
}

export class RequestFailed extends Error {}

export function apiRequest(endpoint: Endpoint, credentials: Credentials, method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const contentType = method === "PATCH" ? "application/merge-patch+json" : "application/json";
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: endpoint.host,
        port: endpoint.port,
        servername: endpoint.serverName,
        method,
        path,
        timeout: timeoutMs,
        ca: credentials.ca,
        cert: credentials.cert,
        key: credentials.key,
        rejectUnauthorized: !credentials.insecure,
        // The certificate is checked against the name the join used, not the address dialled.
        checkServerIdentity: (_host, cert) => (credentials.insecure ? undefined : tlsCheck(endpoint.serverName, cert)),
        agent: false,
        headers: {
          Accept: "application/json",
          ...(credentials.token && { Authorization: `Bearer ${credentials.token}` }),
          ...(payload !== undefined && { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: response.statusCode ?? 0, body: text, json: <T>() => JSON.parse(text) as T });
        });
        response.on("error", (error) => reject(new RequestFailed(error.message)));
      },
    );
    request.on("timeout", () => request.destroy(new RequestFailed(`Get "https://${endpoint.serverName}:${endpoint.port}${path}": context deadline exceeded`)));
    request.on("error", (error) => reject(error instanceof RequestFailed ? error : new RequestFailed(`Get "https://${endpoint.serverName}:${endpoint.port}${path}": ${error.message}`)));
    request.end(payload);
  });
}

/** The apiserver's message in a failed answer (its Status `message`), or the body. */
export function statusMessage(answer: Answer): string {
  try {
    return answer.json<{ message?: string }>().message ?? answer.body;
  } catch {
    return answer.body.trim() || `HTTP ${answer.status}`;
  }
}
