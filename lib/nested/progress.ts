// What a nested cluster's page follows live: its state and steps (sent when they change, looked
// up every 500 ms while it is being created or deleted) and, once ready, its health every 5 s.
// After a rollback the row is gone: the stream says why (the audit row's reason) and ends.
import type { Db } from "@/lib/db/client";
import { toUserError } from "@/lib/errors";
import { getNestedCluster, lastCreateError, nestedClusterHealth } from "@/lib/nested/service";

const STEP_POLL_MS = 500;
const HEALTH_EVERY_MS = 5000;

/** One message of the stream. */
export type ProgressMessage =
  | { type: "state"; state: string; stateReason: string | null; steps: unknown[]; registered: boolean }
  | { type: "health"; health: unknown }
  | { type: "gone"; error: string | null };

/** The SSE body for nested cluster `id`, until `signal` aborts or the cluster is gone. */
export function nestedProgressStream(db: Db, id: string, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    async start(controller) {
      const send = (message: ProgressMessage) => controller.enqueue(encoder.encode(`data: ${JSON.stringify(message)}\n\n`));
      let last = "";
      let lastHealth = 0;
      try {
        while (!signal.aborted) {
          const view = await getNestedCluster(db, id);
          if (!view) {
            send({ type: "gone", error: await lastCreateError(db, id) });
            break;
          }
          const state = JSON.stringify([view.state, view.stateReason, view.steps, view.registered]);
          if (state !== last) {
            last = state;
            send({ type: "state", state: view.state, stateReason: view.stateReason, steps: view.steps, registered: view.registered });
          }
          if (view.state === "ready" && Date.now() - lastHealth >= HEALTH_EVERY_MS) {
            lastHealth = Date.now();
            send({ type: "health", health: await nestedClusterHealth(db, id).catch((error: unknown) => ({ error: toUserError(error).message })) });
          }
          await new Promise((r) => setTimeout(r, view.state === "ready" ? 1000 : STEP_POLL_MS));
        }
      } catch {
        // The client went away, or the database did: the page reconnects.
      }
      controller.close();
    },
  });
}
