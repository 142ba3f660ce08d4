// The request a piece of work belongs to, so its log lines and its Kubernetes calls carry the
// same id. server.ts opens the context for every HTTP request and websocket upgrade; code run
// from it (pages, server actions, route handlers, the gateway) reads it from async-local
// storage. One storage per process on globalThis: Next.js bundles its own copy of this module.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

export interface RequestContext {
  requestId: string;
}

const holder = globalThis as { __minicloudRequestContext?: AsyncLocalStorage<RequestContext> };
const storage = (holder.__minicloudRequestContext ??= new AsyncLocalStorage<RequestContext>());

// An id a proxy in front already gave the request is kept when it is plain (so logs join up
// across hops); anything else is replaced, never echoed.
const FORWARDED_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** The request id for an incoming `x-request-id` header value: kept when plain, else new. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && FORWARDED_ID.test(value) ? value : randomUUID();
}

/** Runs `work` as part of the request `requestId`. */
export function runInRequest<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}

/**
 * Runs `work` outside any request: for long-lived work a request merely started (a shared watch),
 * whose log lines and Kubernetes calls belong to no one request.
 */
export function outsideRequest<T>(work: () => T): T {
  return storage.exit(work);
}

/** The id of the request the current code runs for, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
