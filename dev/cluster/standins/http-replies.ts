// Replies in the shapes Kubernetes clients expect from an API server: JSON bodies and metav1.Status errors.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { STATUS_CODES } from "node:http";

/** A metav1.Status failure, as every Kubernetes API (aggregated ones included) returns it. */
export interface FailureStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: object;
  status: "Failure";
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string };
  code: number;
}

const reasons: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  415: "UnsupportedMediaType",
  422: "Invalid",
  500: "InternalError",
  503: "ServiceUnavailable",
};

/** An API error carrying the Status to send. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details?: FailureStatus["details"],
  ) {
    super(message);
  }

  /** `virtualmachines.kubevirt.io "name" not found`, like the API server's NotFound. */
  static notFound(resource: string, group: string, name: string): ApiError {
    return new ApiError(404, `${resource}.${group} "${name}" not found`, { name, group, kind: resource });
  }

  /** `Operation cannot be fulfilled on virtualmachine.kubevirt.io "name": why`, like KubeVirt's Conflicts. */
  static conflict(resource: string, group: string, name: string, why: string): ApiError {
    return new ApiError(409, `Operation cannot be fulfilled on ${resource}.${group} "${name}": ${why}`, { name, group, kind: resource });
  }

  toStatus(): FailureStatus {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: reasons[this.code] ?? "Unknown",
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** Sends an error as a Status; anything that is not an ApiError becomes a 500. */
export function sendError(res: ServerResponse, error: unknown): void {
  const apiError = error instanceof ApiError ? error : new ApiError(500, error instanceof Error ? error.message : String(error));
  if (!res.headersSent) sendJson(res, apiError.code, apiError.toStatus());
  else res.destroy();
}

/** Refuses a websocket upgrade with a Status body (the socket is still plain HTTP at this point). */
export function refuseUpgrade(socket: Duplex, error: unknown): void {
  const apiError = error instanceof ApiError ? error : new ApiError(500, String(error));
  const body = JSON.stringify(apiError.toStatus());
  socket.end(
    `HTTP/1.1 ${apiError.code} ${STATUS_CODES[apiError.code] ?? ""}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Reads a JSON request body (bounded, since only small API objects are expected). */
export async function readJson(req: IncomingMessage, limitBytes = 1 << 20): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new ApiError(413, "request body too large");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "request body is not valid JSON");
  }
}
