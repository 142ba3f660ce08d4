// The built-in cluster's start, streamed to the browser (Server-Sent Events): one `data:` line
// with the whole status on connect and on every change. Each message is a full snapshot, so a
// slow connection keeps only the newest one instead of a queue. Platform admins only.
import { authenticateSession } from "@/lib/live/session-auth";
import { localClusterControl } from "@/lib/local-cluster/control";
import { idleStatus, type LocalClusterStatus } from "@/lib/local-cluster/progress";

const encoder = new TextEncoder();
const HEARTBEAT_MS = 15_000;

/** GET /api/local-cluster/events. */
export async function streamLocalClusterStatus(request: Request): Promise<Response> {
  const auth = await authenticateSession(request);
  if (!auth) return Response.json({ error: "Please sign in." }, { status: 401 });
  // Not an administrator: the stream does not exist for them.
  if (!auth.principal.isPlatformAdmin) return Response.json({ error: "Not found." }, { status: 404 });
  const control = localClusterControl();

  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let newest: string | null = null;
  let closed = false;
  let unsubscribe = () => {};
  let heartbeat: NodeJS.Timeout | undefined;
  const drain = () => {
    if (newest !== null && (controller.desiredSize ?? 0) > 0) {
      controller.enqueue(encoder.encode(newest));
      newest = null;
    }
  };
  const send = (status: LocalClusterStatus) => {
    if (closed) return;
    newest = `data: ${JSON.stringify(status)}\n\n`;
    drain();
  };
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
    request.signal.removeEventListener("abort", close);
    try {
      controller.close();
    } catch {
      // already closed by the client
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
    new CountQueuingStrategy({ highWaterMark: 4 }),
  );
  controller.enqueue(encoder.encode("retry: 2000\n: connected\n\n"));
  send(control?.status() ?? idleStatus());
  if (control) unsubscribe = control.subscribe(send);
  heartbeat = setInterval(() => {
    if (!closed && newest === null && (controller.desiredSize ?? 0) > 0) controller.enqueue(encoder.encode(": heartbeat\n\n"));
  }, HEARTBEAT_MS);
  heartbeat.unref?.();
  if (request.signal.aborted) close();
  else request.signal.addEventListener("abort", close);
  return new Response(stream, {
    headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform", Connection: "keep-alive", "X-Accel-Buffering": "no" },
  });
}
