// What the live-events stream (/api/events) sends to the browser, one JSON object per SSE
// `data:` line. Shared by the server (lib/live/hub.ts, lib/live/event-stream.ts) and the
// client (components/live/live-events.tsx), so both sides agree on every field.
import type { PodRuntime } from "@/lib/pods/runtime";
import type { VmConditionView, VmRuntime } from "@/lib/vms/types";

/** A workload's pod changed: its new runtime state (status, node, IP, readiness, …). */
export interface PodMessage {
  type: "pod";
  teamId: string;
  /** The workload row id (the pods list's row id). */
  workloadId: string;
  runtime: PodRuntime;
}

/** Pods of a team appeared or disappeared: the team's pods list should be fetched again. */
export interface PodsChangedMessage {
  type: "pods-changed";
  teamId: string;
}

/** A VM or its instance changed: what KubeVirt now says (status, phase, IP, node, boot time) and the conditions of both. */
export interface VmMessage {
  type: "vm";
  teamId: string;
  /** The workload row id (the VMs list's row id). */
  workloadId: string;
  runtime: VmRuntime;
  conditions: VmConditionView[];
}

/** VMs of a team appeared or disappeared: the team's VMs list should be fetched again. */
export interface VmsChangedMessage {
  type: "vms-changed";
  teamId: string;
}

/** The server dropped messages (the connection fell behind): refetch everything live. */
export interface ResyncMessage {
  type: "resync";
}

export type LiveMessage = PodMessage | PodsChangedMessage | VmMessage | VmsChangedMessage | ResyncMessage;

const isString = (value: unknown): value is string => typeof value === "string" && value.length > 0;

/** Parses one `data:` payload; anything malformed or unknown is null (ignored by the client). */
export function parseLiveMessage(data: string): LiveMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!value || typeof value !== "object") return null;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case "pod":
      return isString(message.teamId) && isString(message.workloadId) && message.runtime && typeof message.runtime === "object"
        ? (message as unknown as PodMessage)
        : null;
    case "pods-changed":
      return isString(message.teamId) ? { type: "pods-changed", teamId: message.teamId } : null;
    case "vm":
      return isString(message.teamId) && isString(message.workloadId) && message.runtime && typeof message.runtime === "object" && Array.isArray(message.conditions)
        ? (message as unknown as VmMessage)
        : null;
    case "vms-changed":
      return isString(message.teamId) ? { type: "vms-changed", teamId: message.teamId } : null;
    case "resync":
      return { type: "resync" };
    default:
      return null;
  }
}
