// The status view as Server-Sent Events: the nodes/pods/volumes summary whenever the watched
// objects change (at most every 300 ms), the control plane's health every 10 s.
import type { Db } from "@/lib/db/client";
import { controlPlaneStatus, holdStatusCache, statusSummaryOf } from "@/lib/status/service";

const COALESCE_MS = 300;
const CONTROL_PLANE_EVERY_MS = 10_000;

export function clusterStatusStream(db: Db, clusterId: string, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    async start(controller) {
      const send = (message: unknown) => {
        if (!signal.aborted) controller.enqueue(encoder.encode(`data: ${JSON.stringify(message)}\n\n`));
      };
      let release = () => {};
      const timers: NodeJS.Timeout[] = [];
      try {
        const held = await holdStatusCache(db, clusterId);
        release = held.release;
        await held.cache.ready;
        let pending: NodeJS.Timeout | null = null;
        const sendSummary = () => {
          pending = null;
          send({ type: "summary", summary: statusSummaryOf(held.cache) });
        };
        sendSummary();
        const unsubscribe = held.cache.subscribe(() => {
          pending ??= setTimeout(sendSummary, COALESCE_MS);
        });
        const sendControlPlane = () => controlPlaneStatus(db, clusterId).then((status) => send({ type: "control-plane", status }), (error: Error) => send({ type: "error", error: error.message }));
        void sendControlPlane();
        timers.push(setInterval(() => void sendControlPlane(), CONTROL_PLANE_EVERY_MS));
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        unsubscribe();
        if (pending) clearTimeout(pending);
      } catch (error) {
        send({ type: "error", error: (error as Error).message });
      }
      for (const timer of timers) clearInterval(timer);
      release();
      try {
        controller.close();
      } catch {
        // already closed
      }
    },
  });
}
