"use client";
// One live-events connection per tab (EventSource on /api/events), applied to React Query:
// a pod's new runtime patches its row in the team's pods list in place; pods appearing or
// disappearing invalidate that list; after a reconnect or a `resync` every pods list is
// refetched, since messages may have been missed meanwhile. VMs alike: a VM's new runtime and
// conditions patch its row in the team's VMs list and its page's data; VMs appearing or
// disappearing invalidate everything of the team's VMs. The connection state is shared
// with <LiveIndicator>.
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { parseLiveMessage, type LiveMessage } from "@/lib/live/messages";
import { allPodsQueryKey, allVmsQueryKey, podsQueryKey, teamVmsQueryKey, vmQueryKey, vmsQueryKey } from "@/lib/live/query-keys";
import type { PodRuntime } from "@/lib/pods/runtime";
import type { VmConditionView, VmRuntime } from "@/lib/vms/types";

export type LiveState = "connecting" | "connected" | "reconnecting";

const LiveStateContext = createContext<LiveState>("connecting");

/** The live connection's state, for indicators. */
export function useLiveState(): LiveState {
  return useContext(LiveStateContext);
}

/** The part of a pods-list row a `pod` message updates. */
interface LiveRow {
  id: string;
  runtime: PodRuntime;
}

/** The part of a VMs-list row, or of a VM page's data, a `vm` message updates. */
interface LiveVmRow {
  id: string;
  runtime: VmRuntime;
  conditions?: VmConditionView[];
}

/** Applies one message to the query cache. */
export function applyLiveMessage(queryClient: QueryClient, message: LiveMessage): void {
  switch (message.type) {
    case "pod": {
      const key = podsQueryKey(message.teamId);
      const rows = queryClient.getQueryData<LiveRow[]>(key);
      if (!rows) return; // nobody shows this team's pods right now
      if (!rows.some((row) => row.id === message.workloadId)) {
        void queryClient.invalidateQueries({ queryKey: key });
        return;
      }
      queryClient.setQueryData<LiveRow[]>(key, (current) => current?.map((row) => (row.id === message.workloadId ? { ...row, runtime: message.runtime } : row)));
      return;
    }
    case "pods-changed":
      void queryClient.invalidateQueries({ queryKey: podsQueryKey(message.teamId) });
      return;
    case "vm": {
      const listKey = vmsQueryKey(message.teamId);
      const rows = queryClient.getQueryData<LiveVmRow[]>(listKey);
      if (rows && !rows.some((row) => row.id === message.workloadId)) void queryClient.invalidateQueries({ queryKey: listKey });
      else if (rows) queryClient.setQueryData<LiveVmRow[]>(listKey, (current) => current?.map((row) => (row.id === message.workloadId ? { ...row, runtime: message.runtime } : row)));
      // The VM's page, when open: its runtime and conditions.
      const pageKey = vmQueryKey(message.teamId, message.workloadId);
      if (queryClient.getQueryData<LiveVmRow>(pageKey)) queryClient.setQueryData<LiveVmRow>(pageKey, (current) => current && { ...current, runtime: message.runtime, conditions: message.conditions });
      return;
    }
    case "vms-changed":
      void queryClient.invalidateQueries({ queryKey: teamVmsQueryKey(message.teamId) });
      return;
    case "resync":
      void queryClient.invalidateQueries({ queryKey: allPodsQueryKey });
      void queryClient.invalidateQueries({ queryKey: allVmsQueryKey });
      return;
  }
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
/** A connection that stayed up this long resets the backoff. */
const HEALTHY_MS = 60_000;

/** Opens the stream while mounted and keeps it open, reconnecting with backoff. */
export function LiveEvents({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>("connecting");

  useEffect(() => {
    let source: EventSource | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let openedAt = 0;
    let stopped = false;

    const connect = () => {
      source = new EventSource("/api/events");
      source.onopen = () => {
        openedAt = Date.now();
        setState("connected");
        // Anything that changed while there was no connection was not pushed: fetch again.
        void queryClient.invalidateQueries({ queryKey: allPodsQueryKey });
        void queryClient.invalidateQueries({ queryKey: allVmsQueryKey });
      };
      source.onmessage = (event: MessageEvent<string>) => {
        const message = parseLiveMessage(event.data);
        if (message) applyLiveMessage(queryClient, message);
      };
      source.onerror = () => {
        // EventSource retries by itself only sometimes (not after an HTTP error such as 401);
        // always take over, so the delay is ours and grows.
        source?.close();
        source = undefined;
        if (stopped) return;
        if (openedAt && Date.now() - openedAt >= HEALTHY_MS) attempt = 0;
        openedAt = 0;
        const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
        attempt += 1;
        setState("reconnecting");
        retryTimer = setTimeout(connect, Math.round(base * (0.8 + Math.random() * 0.4)));
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      source?.close();
    };
  }, [queryClient]);

  return <LiveStateContext.Provider value={state}>{children}</LiveStateContext.Provider>;
}
