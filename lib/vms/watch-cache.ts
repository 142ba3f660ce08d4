// One in-memory cache per cluster of the VirtualMachines and VirtualMachineInstances minicloud
// manages (label app.kubernetes.io/managed-by=minicloud, all namespaces): two list+watch loops
// (lib/kube/reflector.ts) per cluster, shared by every page, REST call and live-events viewer —
// never one watch per viewer. Indexed by workload and by team, so the team's VM list reads
// memory instead of two API calls per namespace, and the live stream (lib/live/hub.ts) hears
// each change once. The registry lives on globalThis, like the pod cache's, so Next.js
// dev-mode reloads do not start a second pair of watches per cluster.
import type { Db } from "@/lib/db";
import { UnavailableError } from "@/lib/errors";
import type { ClusterConnection } from "@/lib/kube/clients";
import { customObjectListWatch } from "@/lib/kube/custom-object-list-watch";
import { perCluster } from "@/lib/kube/per-cluster";
import { MANAGED_SELECTOR, WORKLOAD_LABEL } from "@/lib/kube/labels";
import { labelOf, preferred, TeamWorkloadIndex, uidOf } from "@/lib/kube/team-workload-index";
import { Reflector, type ChangeType, type ListWatch, type ReflectorOptions, type ReflectorStats, type StoreChange } from "@/lib/kube/reflector";
import { toClusterError, type ClusterRef } from "@/lib/kube/transport";
import { moduleLogger } from "@/lib/observe/log";
import { KUBEVIRT, type VirtualMachine, type VirtualMachineInstance } from "@/lib/vms/kubevirt";
import { trimVm, trimVmi } from "@/lib/vms/trim";

/** A VM and its instance (absent when not running), as the cluster holds them. */
export interface VmObjects {
  vm?: VirtualMachine;
  vmi?: VirtualMachineInstance;
}

/** One change to a cached VM or VMI, as subscribers receive it. */
export type VmChange = { type: ChangeType } & ({ resource: "vm"; object: VirtualMachine } | { resource: "vmi"; object: VirtualMachineInstance });

export type VmChangeListener = (change: VmChange) => void;

/** The watch cache of one cluster's minicloud VMs and VMIs. */
export interface VmWatchCache {
  readonly clusterId: string;
  /** Resolves once both first lists are in; rejects with an UnavailableError naming the cluster's problem after `timeoutMs` (default 10 s). */
  ready(timeoutMs?: number): Promise<void>;
  readonly synced: boolean;
  /** The VM and VMI of one workload (by `minicloud.io/workload`). */
  objectsOf(workloadId: string): VmObjects;
  /** The VMs labelled with team `teamId`, each with its VMI, keyed by workload id. */
  vmsOfTeam(teamId: string): Map<string, VmObjects>;
  /** Calls `listener` for every change after the first lists; returns the unsubscribe. */
  subscribe(listener: VmChangeListener): () => void;
  stats(): { vms: ReflectorStats; vmis: ReflectorStats };
  /** Calls `listener` once when the cache is stopped; returns the unsubscribe. */
  onStop(listener: () => void): () => void;
  stop(): void;
  readonly stopped: boolean;
}

export interface VmWatchCacheOptions extends Pick<ReflectorOptions<VirtualMachine>, "backoff" | "minHealthyWatchMs" | "resetBackoffAfterMs"> {
  log?: (line: string) => void;
}

const logger = moduleLogger("vm-watch-cache");

/**
 * Whether `vmi` is `vm`'s instance: KubeVirt names it like the VM, in the VM's namespace. A VMI
 * elsewhere that merely carries the same workload label is not this VM's.
 */
const isInstanceOf = (vm: VirtualMachine) => (vmi: VirtualMachineInstance) => vmi.metadata?.namespace === vm.metadata?.namespace && vmi.metadata?.name === vm.metadata?.name;

/** One reflector with a workload index and, optionally, a team index. */
class IndexedStore<T extends VirtualMachine | VirtualMachineInstance> {
  readonly reflector: Reflector<T>;
  private readonly index = new TeamWorkloadIndex();

  constructor(resource: string, listWatch: ListWatch<T>, options: VmWatchCacheOptions, onChange: (change: StoreChange<T>) => void, onError: (error: unknown) => void) {
    this.reflector = new Reflector<T>({
      listWatch,
      resource,
      keyOf: uidOf,
      backoff: options.backoff,
      minHealthyWatchMs: options.minHealthyWatchMs,
      resetBackoffAfterMs: options.resetBackoffAfterMs,
      onError,
      onChange: (change) => {
        this.index.follow(change);
        onChange(change);
      },
    });
  }

  /** The object standing for the workload now, among those `accept` allows. */
  ofWorkload(workloadId: string, accept: (object: T) => boolean = () => true): T | undefined {
    let best: T | undefined;
    for (const uid of this.index.ofWorkload(workloadId)) {
      const object = this.reflector.get(uid);
      if (object && accept(object)) best = best ? preferred(best, object) : object;
    }
    return best;
  }

  workloadsOfTeam(teamId: string): Set<string> {
    const out = new Set<string>();
    for (const uid of this.index.ofTeam(teamId)) {
      const workloadId = labelOf(this.reflector.get(uid) ?? {}, WORKLOAD_LABEL);
      if (workloadId) out.add(workloadId);
    }
    return out;
  }
}

/** A VM watch cache over the given list+watch pairs (the real ones, or fakes in tests); started at once. */
export function createVmWatchCache(cluster: ClusterRef, listWatch: { vms: ListWatch<VirtualMachine>; vmis: ListWatch<VirtualMachineInstance> }, options: VmWatchCacheOptions = {}): VmWatchCache {
  const listeners = new Set<VmChangeListener>();
  const stopListeners = new Set<() => void>();
  let stopped = false;
  const log = options.log ?? ((line: string) => logger.warn({ cluster: cluster.id }, line));
  const loggedErrors: Partial<Record<"vm" | "vmi", string>> = {};

  const notify = (change: VmChange) => {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        logger.error({ err: error }, "a VM change listener failed");
      }
    }
  };
  const onError = (resource: "vm" | "vmi") => (error: unknown) => {
    // One line per distinct problem, not one per retry.
    const message = toClusterError(cluster, resource === "vm" ? "watch VMs" : "watch VM instances", error).message;
    if (message !== loggedErrors[resource]) log(`VM watch cache: ${message}`);
    loggedErrors[resource] = message;
  };

  const vms = new IndexedStore<VirtualMachine>(KUBEVIRT.vms, listWatch.vms, options, (c) => !c.initial && notify({ type: c.type, resource: "vm", object: c.object }), onError("vm"));
  const vmis = new IndexedStore<VirtualMachineInstance>(KUBEVIRT.vmis, listWatch.vmis, options, (c) => !c.initial && notify({ type: c.type, resource: "vmi", object: c.object }), onError("vmi"));
  const startedAt = Date.now();
  vms.reflector.start();
  vmis.reflector.start();
  const synced = () => vms.reflector.hasSynced && vmis.reflector.hasSynced;
  const lastError = () => vms.reflector.lastError ?? vmis.reflector.lastError;

  return {
    clusterId: cluster.id,
    async ready(timeoutMs = 10_000) {
      if (synced()) return;
      if (stopped) throw new UnavailableError(`The VM watch on cluster “${cluster.name}” was stopped.`);
      // Failing for longer than the bound already: answer at once rather than making every reader wait again.
      if (lastError() !== undefined && Date.now() - startedAt >= timeoutMs) throw toClusterError(cluster, "list VMs", lastError());
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
      try {
        const result = await Promise.race([Promise.all([vms.reflector.whenSynced(), vmis.reflector.whenSynced()]), timedOut]);
        if (result !== "timeout" && synced()) return;
      } finally {
        clearTimeout(timer);
      }
      if (lastError() !== undefined) throw toClusterError(cluster, "list VMs", lastError());
      throw new UnavailableError(`The cluster “${cluster.name}” did not answer within ${Math.round(timeoutMs / 1000)} s (while trying to list VMs).`);
    },
    get synced() {
      return synced();
    },
    objectsOf(workloadId) {
      const vm = vms.ofWorkload(workloadId);
      const vmi = vm && vmis.ofWorkload(workloadId, isInstanceOf(vm));
      return { ...(vm && { vm }), ...(vmi && { vmi }) };
    },
    vmsOfTeam(teamId) {
      const out = new Map<string, VmObjects>();
      for (const workloadId of vms.workloadsOfTeam(teamId)) {
        const vm = vms.ofWorkload(workloadId)!;
        const vmi = vmis.ofWorkload(workloadId, isInstanceOf(vm));
        out.set(workloadId, vmi ? { vm, vmi } : { vm });
      }
      return out;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stats: () => ({ vms: vms.reflector.stats(), vmis: vmis.reflector.stats() }),
    onStop(listener) {
      if (stopped) {
        queueMicrotask(listener);
        return () => {};
      }
      stopListeners.add(listener);
      return () => stopListeners.delete(listener);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      listeners.clear();
      vms.reflector.stop();
      vmis.reflector.stop();
      const stopping = [...stopListeners];
      stopListeners.clear();
      for (const listener of stopping) {
        try {
          listener();
        } catch (error) {
          logger.error({ err: error }, "a VM watch cache stop listener failed");
        }
      }
    },
    get stopped() {
      return stopped;
    },
  };
}

/** The real list+watch pairs of a cluster: minicloud's VMs and VMIs in every namespace, trimmed. */
export function vmListWatches(connection: ClusterConnection): { vms: ListWatch<VirtualMachine>; vmis: ListWatch<VirtualMachineInstance> } {
  const at = (plural: string) => ({ group: KUBEVIRT.group, version: KUBEVIRT.version, plural });
  return {
    vms: customObjectListWatch<VirtualMachine>(connection, at(KUBEVIRT.vms), { labelSelector: MANAGED_SELECTOR, trim: trimVm }),
    vmis: customObjectListWatch<VirtualMachineInstance>(connection, at(KUBEVIRT.vmis), { labelSelector: MANAGED_SELECTOR, trim: trimVmi }),
  };
}

const caches = perCluster<VmWatchCache>("__minicloudVmWatchCaches");

/**
 * The VM watch cache of cluster `clusterId`, started on first use and reused; rebuilt when the
 * cluster's connection changes (new credentials). Call `ready()` before reading it.
 */
export function vmWatchCacheFor(db: Db, clusterId: string): Promise<VmWatchCache> {
  return caches.get(db, clusterId, (connection) => createVmWatchCache(connection, vmListWatches(connection)));
}

/** Stops and forgets the VM cache of `clusterId` (the cluster was removed). */
export function stopVmWatchCache(clusterId: string): void {
  caches.stop(clusterId);
}

/** Stops every VM watch cache (shutdown, tests). */
export function stopAllVmWatchCaches(): void {
  caches.stopAll();
}
