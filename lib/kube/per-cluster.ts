// One long-lived thing per registered cluster (a watch cache): made on first use, reused while the
// cluster's connection is the same, made anew when it changes (new credentials), stopped when the
// cluster goes. The map lives on globalThis so Next.js dev-mode module reloads share it.
import type { Db } from "@/lib/db";
import { getClusterConnection, type ClusterConnection } from "@/lib/kube/clients";

/** What a registry holds: something that can be stopped, and says so. */
export interface Stoppable {
  readonly stopped: boolean;
  stop(): void;
}

export interface PerCluster<T extends Stoppable> {
  /** The running one of `clusterId`, made with `create` when there is none or its connection changed. */
  get(db: Db, clusterId: string, create: (connection: ClusterConnection) => T): Promise<T>;
  /** The running one of `clusterId`, if any (no database or network call). */
  running(clusterId: string): T | undefined;
  /** The clusters that have one. */
  clusterIds(): string[];
  /** Stops and forgets the one of `clusterId` (the cluster was removed). */
  stop(clusterId: string): void;
  /** Stops every one (shutdown, tests). */
  stopAll(): void;
}

/** The registry kept on globalThis under `globalKey`. */
export function perCluster<T extends Stoppable>(globalKey: string): PerCluster<T> {
  const store = globalThis as unknown as Record<string, Map<string, { connection: ClusterConnection; value: T }> | undefined>;
  const entries = (store[globalKey] ??= new Map());
  const stop = (clusterId: string) => {
    entries.get(clusterId)?.value.stop();
    entries.delete(clusterId);
  };
  return {
    async get(db, clusterId, create) {
      const connection = await getClusterConnection(db, clusterId);
      const existing = entries.get(clusterId);
      if (existing && existing.connection === connection && !existing.value.stopped) return existing.value;
      existing?.value.stop();
      const value = create(connection);
      entries.set(clusterId, { connection, value });
      return value;
    },
    running(clusterId) {
      const entry = entries.get(clusterId);
      return entry && !entry.value.stopped ? entry.value : undefined;
    },
    clusterIds: () => [...entries.keys()],
    stop,
    stopAll() {
      for (const clusterId of [...entries.keys()]) stop(clusterId);
    },
  };
}
