// The worker pool, live: the view is sent again whenever the nested cluster's Nodes or the
// host's worker VMs and their instances change (watches, not polling), and every 10 s besides so
// that time-based failures (a VM that never runs, a join that never registers) appear on time.
import { Watch } from "@kubernetes/client-node";
import type { Db } from "@/lib/db/client";
import { getClusterConnection } from "@/lib/kube/clients";
import { nestedAdminConfig } from "@/lib/nested/lifecycle-driver";
import { requireNestedRow } from "@/lib/nested/rows";
import { loadPki } from "@/lib/nested/store";
import { workerSelector } from "@/lib/nested/workers/manifests";
import { getWorkerPool } from "@/lib/nested/workers/pool";
import { KUBEVIRT } from "@/lib/vms/kubevirt";

const REFRESH_MS = 10_000;
const DEBOUNCE_MS = 200;

/** The SSE body of nested cluster `clusterId`'s pool, until `signal` aborts. */
export function workerPoolStream(db: Db, clusterId: string, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    async start(controller) {
      const send = (message: unknown) => {
        if (!signal.aborted) controller.enqueue(encoder.encode(`data: ${JSON.stringify(message)}\n\n`));
      };
      let last = "";
      let timer: NodeJS.Timeout | null = null;
      let running = false;
      let again = false;
      const refresh = async () => {
        if (running) {
          again = true;
          return;
        }
        running = true;
        try {
          const pool = await getWorkerPool(db, clusterId);
          const text = JSON.stringify(pool);
          if (text !== last) {
            last = text;
            send({ type: "pool", pool });
          }
        } catch (error) {
          send({ type: "error", error: (error as Error).message });
        } finally {
          running = false;
          if (again) {
            again = false;
            schedule();
          }
        }
      };
      const schedule = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => void refresh(), DEBOUNCE_MS);
      };
      const aborts: (() => void)[] = [];
      try {
        const row = await requireNestedRow(db, clusterId);
        const pki = await loadPki(db, row.id);
        const host = await getClusterConnection(db, row.clusterId);
        const watches: [Watch, string, Record<string, string>][] = [
          [new Watch(host.kc), `/apis/${KUBEVIRT.group}/${KUBEVIRT.version}/namespaces/${row.namespace}/${KUBEVIRT.vms}`, { labelSelector: workerSelector }],
          [new Watch(host.kc), `/apis/${KUBEVIRT.group}/${KUBEVIRT.version}/namespaces/${row.namespace}/${KUBEVIRT.vmis}`, { labelSelector: workerSelector }],
        ];
        if (pki) {
          const { kc } = await nestedAdminConfig(db, row, pki);
          watches.push([new Watch(kc), "/api/v1/nodes", {}]);
        }
        const open = async ([watch, path, query]: (typeof watches)[number]) => {
          if (signal.aborted) return;
          const request = await watch
            .watch(path, { ...query, allowWatchBookmarks: "false" }, () => schedule(), () => {
              // A watch that ends (server timeout, a restart) is opened again.
              if (!signal.aborted) setTimeout(() => void open([watch, path, query]), 1000);
            })
            .catch(() => {
              if (!signal.aborted) setTimeout(() => void open([watch, path, query]), 2000);
              return null;
            });
          if (request) aborts.push(() => request.abort());
        };
        await Promise.all(watches.map(open));
        await refresh();
        const tick = setInterval(() => void refresh(), REFRESH_MS);
        aborts.push(() => clearInterval(tick));
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      } catch (error) {
        send({ type: "error", error: (error as Error).message });
      }
      for (const abort of aborts) abort();
      if (timer) clearTimeout(timer);
      try {
        controller.close();
      } catch {
        // already closed
      }
    },
  });
}
