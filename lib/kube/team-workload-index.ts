// What the watch caches share (lib/kube/watch-cache.ts for pods, lib/vms/watch-cache.ts for VMs
// and their instances): an index of the cached objects by team and by workload — by uid, as the
// objects live once, in the reflector's store — kept up to date from each store change; and
// which of a workload's objects stands for it while an old one goes and a new one comes.
import { TEAM_LABEL, WORKLOAD_LABEL } from "@/lib/kube/labels";

interface Cached {
  metadata?: { uid?: string; namespace?: string; name?: string; labels?: Record<string, string>; deletionTimestamp?: Date | string; creationTimestamp?: Date | string };
}

/** A cached object's key in the store: its uid (namespace/name before it has one). */
export const uidOf = (object: Cached): string => object.metadata?.uid ?? `${object.metadata?.namespace}/${object.metadata?.name}`;

export const labelOf = (object: Cached, label: string): string | undefined => object.metadata?.labels?.[label];

const createdAt = (object: Cached) => (object.metadata?.creationTimestamp ? new Date(object.metadata.creationTimestamp).getTime() : 0);

/** Of two objects of one workload (a reset's or restart's old one going while the new one comes), the live and newest one. */
export function preferred<T extends Cached>(a: T, b: T): T {
  const aDeleting = Boolean(a.metadata?.deletionTimestamp);
  const bDeleting = Boolean(b.metadata?.deletionTimestamp);
  if (aDeleting !== bDeleting) return aDeleting ? b : a;
  return createdAt(b) > createdAt(a) ? b : a;
}

/** The uids of cached objects by their team and workload labels. */
export class TeamWorkloadIndex {
  readonly #byWorkload = new Map<string, Set<string>>();
  readonly #byTeam = new Map<string, Set<string>>();

  /** Follows one store change: the previous version leaves its keys, the object (unless deleted) joins its own. */
  follow(change: { type: string; object: Cached; previous?: Cached }): void {
    const uid = uidOf(change.object);
    if (change.previous) {
      remove(this.#byWorkload, labelOf(change.previous, WORKLOAD_LABEL), uid);
      remove(this.#byTeam, labelOf(change.previous, TEAM_LABEL), uid);
    }
    if (change.type !== "DELETED") {
      add(this.#byWorkload, labelOf(change.object, WORKLOAD_LABEL), uid);
      add(this.#byTeam, labelOf(change.object, TEAM_LABEL), uid);
    }
  }

  ofWorkload(workloadId: string): Iterable<string> {
    return this.#byWorkload.get(workloadId) ?? [];
  }

  ofTeam(teamId: string): Iterable<string> {
    return this.#byTeam.get(teamId) ?? [];
  }
}

function add(index: Map<string, Set<string>>, key: string | undefined, uid: string): void {
  if (!key) return;
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(uid);
}

function remove(index: Map<string, Set<string>>, key: string | undefined, uid: string): void {
  if (!key) return;
  const set = index.get(key);
  if (!set) return;
  set.delete(uid);
  if (set.size === 0) index.delete(key);
}
