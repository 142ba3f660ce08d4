// Deadlines that cancel Kubernetes requests, not just stop waiting for them. A request whose
// caller gave up must not land later (a Pod appearing seconds after the user was told the
// create failed). `kube()` runs each call with an AbortSignal in async-local storage; every
// client config the panel builds is a `CancellableKubeConfig`, which hands that signal to the
// request it is authenticating — so every call through `kube()` is cancelled at its deadline
// without each call site passing options.
import { AsyncLocalStorage } from "node:async_hooks";
import { KubeConfig, type RequestContext } from "@kubernetes/client-node";
import { currentRequestId } from "@/lib/observe/request-context";

const callSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `call` so that the Kubernetes requests it makes are aborted with `signal`. */
export function withCallSignal<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  return callSignal.run(signal, call);
}

/**
 * A client config whose requests carry the deadline of the `kube()` call that made them, and
 * the panel request's id (X-Request-Id, which the API server's audit log can show beside ours).
 */
export class CancellableKubeConfig extends KubeConfig {
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const signal = callSignal.getStore();
    if (signal) context.setSignal(signal);
    const requestId = currentRequestId();
    if (requestId) context.setHeaderParam("X-Request-Id", requestId);
  }
}
