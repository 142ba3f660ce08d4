// Every Kubernetes call goes through `kube()`: it bounds the wait and turns what the
// cluster answered (401/403/404/409/422/429/5xx, timeouts, unreachable, bad TLS) into the
// panel's error vocabulary, with a message that names the cluster and what was attempted.
import { ApiException } from "@kubernetes/client-node";
import { ADDRESS_REFUSED } from "@/lib/clusters/server-address";
import { AppError, ConflictError, ForbiddenError, NotFoundError, UnavailableError, ValidationError } from "@/lib/errors";
import { withCallSignal } from "@/lib/kube/call-deadline";
import { moduleLogger } from "@/lib/observe/log";
import { metrics, secondsSince } from "@/lib/observe/metrics";

const logger = moduleLogger("kube");

/**
 * The cluster may or may not have done what was asked: the request timed out (and was
 * cancelled), the connection broke after it was sent, or the server failed (5xx). A create
 * that ends like this is "unknown", not "failed": the reconciler finds out.
 */
export class OutcomeUnknownError extends UnavailableError {}

// Failures that prove the request never reached the server: nothing can have happened.
const NEVER_SENT = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/** Which cluster a call goes to, for messages. */
export interface ClusterRef {
  id: string;
  name: string;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/** The HTTP status Kubernetes answered with, when `error` (or what it wraps) came from the API. */
export function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  if (error instanceof Error && error.cause !== undefined && error.cause !== error) return httpStatusOf(error.cause);
  return undefined;
}

/**
 * The `message` of a Kubernetes Status body, if the answer is one (printable, at most 300
 * characters). Anything else a server answered (an HTML page, another JSON shape) is never
 * passed on: it is the peer's text, not Kubernetes' explanation.
 */
function statusMessage(error: ApiException<unknown>): string | undefined {
  let body: unknown = error.body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const status = body as { kind?: unknown; message?: unknown } | undefined;
  if (status?.kind !== "Status" || typeof status.message !== "string") return undefined;
  const message = status.message.replace(/[^\x20-\x7e\u00a0-\uffff]+/g, " ").trim();
  return message ? (message.length > 300 ? `${message.slice(0, 300)}…` : message) : undefined;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed",
  ETIMEDOUT: "connection timed out",
  EPIPE: "connection closed",
  DEPTH_ZERO_SELF_SIGNED_CERT: "its TLS certificate is self-signed and not trusted",
  SELF_SIGNED_CERT_IN_CHAIN: "its TLS certificate chain is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its TLS certificate is not trusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "its TLS certificate is not trusted",
  CERT_HAS_EXPIRED: "its TLS certificate has expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "its TLS certificate does not match the address",
  // lib/clusters/server-address.ts `guardedLookup`
  [ADDRESS_REFUSED]: "its host name now resolves to an address the panel does not connect to (link-local or metadata, loopback, or the panel's own)",
};

/** The plain-words reason for a network or TLS failure somewhere in `error`'s cause chain ("connection refused"), or undefined. */
export function networkReason(error: unknown): string | undefined {
  const code = networkCode(error);
  return code ? NETWORK_REASONS[code] : undefined;
}

/** Whether a network failure is about the server's TLS certificate. */
export function isTlsFailure(error: unknown): boolean {
  const code = networkCode(error);
  return code !== undefined && /CERT|SIGNATURE|ALTNAME/.test(code);
}

/** The system error code (ECONNREFUSED, …) somewhere in `error`'s cause chain. */
function networkCode(error: unknown, depth = 0): string | undefined {
  if (!error || typeof error !== "object" || depth > 5) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code in NETWORK_REASONS) return code;
  const errors = (error as { errors?: unknown }).errors; // AggregateError (happy eyeballs)
  if (Array.isArray(errors)) for (const inner of errors) {
    const found = networkCode(inner, depth + 1);
    if (found) return found;
  }
  return networkCode((error as { cause?: unknown }).cause, depth + 1);
}

/** Maps a failed call to an AppError (the original stays as `cause`); AppErrors pass through. */
export function toClusterError(cluster: ClusterRef, what: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const where = `cluster “${cluster.name}”`;
  let mapped: AppError;
  if (error instanceof ApiException) {
    const detail = statusMessage(error);
    const suffix = detail ? `: ${detail}` : ".";
    switch (error.code) {
      case 401:
        mapped = new UnavailableError(`The ${where} rejected the panel's credentials while trying to ${what} (401)${suffix}`);
        break;
      case 403:
        mapped = new ForbiddenError(`The ${where} does not allow the panel to ${what}${suffix}`);
        break;
      case 404:
        mapped = new NotFoundError(`Could not ${what}: not found in ${where}${detail ? ` (${detail})` : ""}.`);
        break;
      case 409:
        mapped = new ConflictError(`Could not ${what} in ${where}${suffix}`);
        break;
      case 400:
      case 422:
        mapped = new ValidationError(`The ${where} refused to ${what}${suffix}`);
        break;
      case 429:
        mapped = new UnavailableError(`The ${where} is too busy to ${what} right now (429); try again shortly.`);
        break;
      default:
        mapped =
          error.code >= 500
            ? new OutcomeUnknownError(`The ${where} failed to ${what} (HTTP ${error.code})${suffix}`)
            : new UnavailableError(`The ${where} failed to ${what} (HTTP ${error.code})${suffix}`);
    }
  } else {
    const code = networkCode(error);
    const Unreachable = code && NEVER_SENT.has(code) ? UnavailableError : OutcomeUnknownError;
    mapped = code
      ? new Unreachable(`The ${where} is unreachable: ${NETWORK_REASONS[code]} (while trying to ${what}).`)
      : // Not the error's own text: a parse error quotes what the server sent.
        error instanceof SyntaxError
        ? new OutcomeUnknownError(`Could not ${what} in ${where}: its answer was not one a Kubernetes API server gives.`)
        : new OutcomeUnknownError(`Could not ${what} in ${where}: the request failed (${error instanceof Error ? error.name : "unknown error"}).`);
  }
  mapped.cause = error;
  return mapped;
}

/**
 * Runs one Kubernetes call for `what` (a verb phrase: "create pod web-1"). At `timeoutMs` the
 * request is cancelled (its client config carries the deadline, lib/kube/call-deadline.ts) and
 * the call fails with an OutcomeUnknownError: the server may have acted before the cancel.
 */
export async function kube<T>(cluster: ClusterRef, what: string, call: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      deadline.abort();
      reject(new OutcomeUnknownError(`The cluster “${cluster.name}” did not answer within ${Math.round(timeoutMs / 1000)} s (while trying to ${what}).`));
    }, timeoutMs);
  });
  const started = process.hrtime.bigint();
  // The verb alone labels the metric ("create pod web-1" → create): names would make a series each.
  const verb = what.split(" ", 1)[0] ?? "call";
  try {
    const result = await Promise.race([withCallSignal(deadline.signal, call), timeout]);
    observeCall(cluster, verb, "ok", started, what);
    return result;
  } catch (error) {
    const mapped = toClusterError(cluster, what, error);
    observeCall(cluster, verb, outcomeOf(mapped), started, what);
    throw mapped;
  } finally {
    clearTimeout(timer);
  }
}

/** The outcome label of a failed call: the kind of answer, never its text. */
function outcomeOf(error: AppError): string {
  if (error instanceof OutcomeUnknownError) return "unknown";
  if (error instanceof ForbiddenError) return "forbidden";
  if (error instanceof NotFoundError) return "not-found";
  if (error instanceof ConflictError) return "conflict";
  if (error instanceof ValidationError) return "invalid";
  if (error instanceof UnavailableError) return "unavailable";
  return "error";
}

function observeCall(cluster: ClusterRef, verb: string, outcome: string, started: bigint, what: string): void {
  const seconds = secondsSince(started);
  metrics().kubeCallDuration.observe({ cluster: cluster.id, verb, outcome }, seconds);
  logger.debug({ cluster: cluster.id, call: what, outcome, ms: Math.round(seconds * 1000) }, "kubernetes call");
}

/** Like `kube()`, but a 404 answers null (reads of things that may be gone). */
export async function kubeOrNull<T>(cluster: ClusterRef, what: string, call: () => Promise<T>, options?: { timeoutMs?: number }): Promise<T | null> {
  try {
    return await kube(cluster, what, call, options);
  } catch (error) {
    if (httpStatusOf(error) === 404) return null;
    throw error;
  }
}

/** Deletes, treating "already gone" (404) as done. */
export async function kubeDelete(cluster: ClusterRef, what: string, call: () => Promise<unknown>, options?: { timeoutMs?: number }): Promise<void> {
  await kubeOrNull(cluster, what, call, options);
}

/**
 * Creates an object, or finds it when it exists already (409: an earlier attempt made it, as
 * deterministic names intend): resolves with the object as the cluster holds it.
 */
export async function kubeCreateOrFind<T>(cluster: ClusterRef, what: string, create: () => Promise<T>, read: () => Promise<T | null>): Promise<T> {
  try {
    return await kube(cluster, `create ${what}`, create);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const found = await kubeOrNull(cluster, `read ${what}`, read);
    if (!found) throw error;
    return found;
  }
}
