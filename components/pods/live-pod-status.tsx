"use client";
// The pod page's status badge, kept current by the live stream (see useLivePodRuntime).
import { useLivePodRuntime } from "@/components/pods/pods-query";
import { PodStatus } from "@/components/pods/status-badge";
import type { PodRuntime } from "@/lib/pods/runtime";

/** The status of pod `podId` of team `teamId`, live. */
export function LivePodStatus({ teamId, podId, initial }: { teamId: string; podId: string; initial: PodRuntime }) {
  return <PodStatus runtime={useLivePodRuntime(teamId, podId, initial)} />;
}
