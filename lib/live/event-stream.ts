// The live-events response (Server-Sent Events) for one browser: subscribes the signed-in
// principal to the hub and writes each message as a `data:` line. Memory per connection is
// bounded: messages wait in a queue of at most `maxQueue`; a client too slow to drain it has
// the queue replaced by one `resync` (it refetches, which is all those messages would have
// led to anyway). A comment line every 15 s keeps proxies from closing an idle stream, and
// `retry:` tells EventSource how soon to reconnect.
import type { Principal } from "@/lib/auth/policy";
import type { LiveHub } from "@/lib/live/hub";
import type { LiveMessage } from "@/lib/live/messages";

/** Who is connecting, and how to re-check them later. */
export interface StreamAuth {
  principal: Principal;
  /** The principal as of now; null once the session is no longer valid. */
  refresh(): Promise<Principal | null>;
}

/** Finds the request's session; null when signed out (answered with 401). */
export type AuthenticateRequest = (request: Request) => Promise<StreamAuth | null>;

export interface EventStreamOptions {
  heartbeatMs?: number;
  /** The reconnect delay EventSource should use. */
  retryMs?: number;
  /** Messages a connection may have waiting before it is resynced instead. */
  maxQueue?: number;
}

const encoder = new TextEncoder();
const frame = (message: LiveMessage) => `data: ${JSON.stringify(message)}\n\n`;
const RESYNC = frame({ type: "resync" });

/** A route handler for GET /api/events over `hub`, authenticating with `authenticate`. */
export function createEventStream(getHub: () => Promise<LiveHub>, authenticate: AuthenticateRequest, options: EventStreamOptions = {}) {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const retryMs = options.retryMs ?? 3_000;
  const maxQueue = options.maxQueue ?? 256;

  return async function handle(request: Request): Promise<Response> {
    const auth = await authenticate(request);
    if (!auth) return Response.json({ error: "Please sign in." }, { status: 401 });
    const hub = await getHub();

    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let pending: string[] = [];
    let closed = false;
    let unsubscribe = () => {};
    let heartbeat: NodeJS.Timeout | undefined;

    const drain = () => {
      while (pending.length > 0 && (controller.desiredSize ?? 0) > 0) controller.enqueue(encoder.encode(pending.shift()!));
    };
    const push = (text: string) => {
      if (closed) return;
      if (pending.length === 0 && (controller.desiredSize ?? 0) > 0) return controller.enqueue(encoder.encode(text));
      if (pending.length >= maxQueue) pending = [RESYNC];
      else pending.push(text);
    };
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      pending = [];
      request.signal.removeEventListener("abort", close);
      try {
        controller.close();
      } catch {
        // the reader already went away
      }
    };

    const stream = new ReadableStream<Uint8Array>(
      {
        start(c) {
          controller = c;
        },
        pull: () => drain(),
        cancel: () => close(),
      },
      // Counted in chunks: the stream itself holds a few; the rest waits in `pending`.
      new CountQueuingStrategy({ highWaterMark: 8 }),
    );

    push(`retry: ${retryMs}\n: connected\n\n`);
    unsubscribe = hub.subscribe({
      principal: auth.principal,
      send: (message) => push(frame(message)),
      refresh: () => auth.refresh(),
      close,
    });
    heartbeat = setInterval(() => {
      if (pending.length === 0) push(": heartbeat\n\n");
    }, heartbeatMs);
    heartbeat.unref?.();
    if (request.signal.aborted) close();
    else request.signal.addEventListener("abort", close);

    return new Response(stream, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        Connection: "keep-alive",
        // Tells nginx-style proxies not to buffer the stream.
        "X-Accel-Buffering": "no",
      },
    });
  };
}
