// Deadlines that cancel Kubernetes requests, not just stop waiting for them. A request whose
// caller gave up must not land later (a Pod appearing seconds after the user was told the
// create failed). `kube()` runs each call with an AbortSignal in async-local storage; every
// client config the panel builds is a `CancellableKubeConfig`, which hands that signal to the
// request it is authenticating — so every call through `kube()` is cancelled at its deadline
// without each call site passing options.
import { AsyncLocalStorage } from "node:async_hooks";
import type https from "node:https";
import type { LookupFunction } from "node:net";
import { KubeConfig, type Cluster, type DispatcherOptions, type RequestContext } from "@kubernetes/client-node";
import type WebSocket from "ws";
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
  /**
   * How connections resolve the server's host name: set for registered clusters, where it
   * refuses addresses the panel never connects to at every connection (lib/clusters/server-address.ts
   * `guardedLookup`, set in lib/kube/clients.ts). Both ways client-node connects take it.
   */
  connectLookup?: LookupFunction;

  /** API calls (undici): the lookup joins the connection options. */
  override createDispatcherOptions(cluster: Cluster | null, agentOptions: https.AgentOptions): DispatcherOptions {
    const options = super.createDispatcherOptions(cluster, agentOptions);
    if (!this.connectLookup) return options;
    if (options.type === "agent") return { ...options, connect: { ...options.connect, lookup: this.connectLookup } };
    // No TLS options to carry (a plain http:// server with a token): an agent with just the lookup.
    if (options.type === "none") return { type: "agent", connect: { lookup: this.connectLookup, keepAlive: true, keepAliveInitialDelay: 30_000 } };
    return options; // a proxy: stored kubeconfigs never name one (lib/kube/kubeconfig.ts)
  }

  /** Watches, exec, port-forward and other websockets (node:https): the lookup joins the request options. */
  override async applyToHTTPSOptions(opts: https.RequestOptions | WebSocket.ClientOptions): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    if (this.connectLookup) (opts as https.RequestOptions).lookup = this.connectLookup; // ws hands its options to https.request
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const signal = callSignal.getStore();
    if (signal) context.setSignal(signal);
    const requestId = currentRequestId();
    if (requestId) context.setHeaderParam("X-Request-Id", requestId);
  }
}
