// The one interface between a terminal session and whatever it is connected to: a pod exec,
// an ssh shell, a VM serial console. The session owns the browser side (websocket, idle timer,
// byte counts, recording, audit); a bridge owns the target side, which it reaches through the
// target's locator (TargetLocator below), never through a Kubernetes object of its own choosing. Adding a
// target kind means writing its locator and bridges and registering them — the gateway and the
// session do not change.
//
// Backpressure is explicit in both directions, so a flood (`yes`) or a stalled browser never
// grows a buffer without bound:
// - output: the bridge calls `events.data()`; when the browser falls behind, the session calls
//   `pause()` and the bridge must stop reading from the target (which then blocks the target's
//   writes: the kubelet stops reading the PTY, or the SSH window closes) until `resume()`.
// - input: `write()` returns false when the bridge's outgoing buffer is full; the session then
//   stops reading the browser's socket until the bridge calls `events.drain()`.
import type { Duplex } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Db } from "@/lib/db/client";
import type { TerminalTarget } from "@/lib/console/targets";
import type { TerminalSize } from "@/lib/console/protocol";
import type { ClusterRef } from "@/lib/kube/transport";
import type { WorkloadKind } from "@/lib/workloads/kinds";

/** How a bridge ended by itself (the session handles the ends it causes). */
export interface BridgeEnd {
  /** `target-closed`: the target's side closed a console stream (the VM stopped, or KubeVirt handed the console to another client). */
  reason: "exited" | "pod-gone" | "vm-gone" | "target-closed" | "error";
  /** A sentence for the user. */
  message: string;
  exitCode?: number;
  /** `target-closed`: whether the cluster closed the stream cleanly (KubeVirt handing the console to another client) or it dropped. */
  clean?: boolean;
}

/** What a bridge reports to its session. */
export interface BridgeEvents {
  /** Output from the target (stdout and stderr merged, as on a terminal). */
  data(chunk: Buffer): void;
  /** After `write()` returned false: the target can take more input. */
  drain(): void;
  /** The target side ended (process exit, connection lost). Called at most once. */
  end(end: BridgeEnd): void;
  /** A note for the user that is not terminal output. */
  notice?(message: string): void;
}

/** A live connection to a terminal target. */
export interface TerminalBridge {
  /** Sends input; false means "buffer full, wait for `events.drain()`" (the data was still taken). */
  write(data: Buffer): boolean;
  resize(size: TerminalSize): void;
  /** Stops reading output from the target until `resume()`. */
  pause(): void;
  resume(): void;
  /** Tears the connection down; idempotent; does not call `events.end()`. */
  close(): void;
}

/** How a bridge reaches the object: which API resource carries its exec, console and port-forward. */
export type TargetReach =
  | {
      /** A pod's `exec` and `portforward` subresources, in `container` for exec. */
      resource: "pod";
      container: string | undefined;
    }
  | {
      /** A VMI's `console`, `vnc` and `portforward` subresources (`subresources.kubevirt.io`). */
      resource: "vmi";
    };

/** The running object behind a terminal target, as much as a bridge needs to connect to it. */
export interface TargetLocator {
  kind: WorkloadKind;
  namespace: string;
  /** The running object's name (it may differ from the workload's: a reset recreates it). */
  name: string;
  reach: TargetReach;
  /** Its address on the cluster's network (pod IP, the VMI's first interface), for dialing it directly; null when it has none yet. */
  address: string | null;
}

/** What a locator found: the locator, and how to learn that the object went away. */
export interface LocatedTarget {
  locator: TargetLocator;
  /**
   * Calls `onGone` once when the object is deleted (or starts being deleted). Resolves to the
   * function that stops watching; rejects when the cluster cannot be watched any more.
   */
  watchGone(onGone: (end: BridgeEnd) => void): Promise<() => void>;
}

/** Everything a locator may use; the target comes from the database, never from the client. */
export interface LocateContext {
  db: Db;
  target: TerminalTarget;
  cluster: ClusterRef;
  /** Client config for the team (impersonating when the cluster is set up for it). */
  kc: KubeConfig;
}

/**
 * Finds the running object of `target`; rejects with NotFoundError when it does not exist in
 * the cluster and with an AppError whose message can be shown when it cannot be used now.
 */
export type Locate = (ctx: LocateContext) => Promise<LocatedTarget>;

/** Everything an opener needs; the session resolves the cluster and locates the target first. */
export interface BridgeContext {
  db: Db;
  target: TerminalTarget;
  cluster: ClusterRef;
  /** Client config for the team (impersonating when the cluster is set up for it). */
  kc: KubeConfig;
  /** Where the target runs now and how to reach it. */
  locator: TargetLocator;
  size: TerminalSize;
  events: BridgeEvents;
  /** VNC: ask KubeVirt to refuse (not replace) while another viewer is connected (`preserveSession`). */
  preserveSession?: boolean;
  /** How often the session pings its client; console bridges ping their upstream stream as often. */
  keepaliveMs?: number;
  /** Set when the cluster's ssh route is direct: how to open a TCP connection to an address on its network. */
  dial?: DirectDial;
}

/** Opens a TCP connection to `host:port` (the panel's own network; injectable for tests). */
export type DirectDial = (host: string, port: number) => Promise<Duplex>;

/** Connects a bridge; rejects with an AppError whose message can be shown when it cannot. */
export type BridgeOpener = (ctx: BridgeContext) => Promise<TerminalBridge>;

/** Output above this many buffered bytes pauses the other side (per direction). */
export const HIGH_WATER_MARK = 256 * 1024;
/** …and below this resumes it. */
export const LOW_WATER_MARK = 64 * 1024;
