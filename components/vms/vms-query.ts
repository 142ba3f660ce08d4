"use client";
// The team's VMs in React Query: the list under vmsQueryKey (VmView[] from
// GET /api/teams/<team>/vms) and each VM page under vmQueryKey (VmDetail from
// GET /api/teams/<team>/vms/<vm>). The live-events provider patches both from `vm` messages
// and invalidates them when VMs appear or disappear; without it they refetch every 30 s.
import { useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useEffect } from "react";
import { vmQueryKey, vmsQueryKey } from "@/lib/live/query-keys";
import type { VmDetail, VmView } from "@/lib/vms/types";

async function fetchJson<T>(url: string, field: string, what: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  const body = (await response.json().catch(() => null)) as ({ error?: { message?: string } } & Record<string, unknown>) | null;
  if (!response.ok || !body?.[field]) throw new Error(body?.error?.message ?? `${what} could not be loaded (HTTP ${response.status}).`);
  return body[field] as T;
}

/** Fetches the team's VMs list. */
export const fetchTeamVms = (teamId: string) => fetchJson<VmView[]>(`/api/teams/${encodeURIComponent(teamId)}/vms`, "vms", "The VMs list");

/** Fetches one VM's page data. */
export const fetchVm = (teamId: string, vmId: string) => fetchJson<VmDetail>(`/api/teams/${encodeURIComponent(teamId)}/vms/${encodeURIComponent(vmId)}`, "vm", "The VM");

/**
 * Keeps `key` starting from what the server rendered: a newer server render (after an action
 * revalidated the page) replaces older cached data, since React Query ignores `initialData`
 * once the key is cached.
 */
function useServerRender<T>(key: QueryKey, initial: T, renderedAt: number): void {
  const queryClient = useQueryClient();
  // A new key array each render: depend on its contents.
  const keyText = JSON.stringify(key);
  useEffect(() => {
    const stableKey = JSON.parse(keyText) as QueryKey;
    const cached = queryClient.getQueryState(stableKey);
    if (!cached || cached.dataUpdatedAt < renderedAt) queryClient.setQueryData(stableKey, initial, { updatedAt: renderedAt });
  }, [queryClient, keyText, initial, renderedAt]);
}

/** The team's VMs, live. */
export function useTeamVms(teamId: string, initialVms: VmView[], renderedAt: number) {
  const query = useQuery({
    queryKey: vmsQueryKey(teamId),
    queryFn: () => fetchTeamVms(teamId),
    initialData: initialVms,
    initialDataUpdatedAt: renderedAt,
    refetchInterval: 30_000,
    staleTime: 30_000,
  });
  useServerRender(vmsQueryKey(teamId), initialVms, renderedAt);
  return query;
}

/** One VM's page data, live. */
export function useVm(teamId: string, initial: VmDetail, renderedAt: number) {
  const query = useQuery({
    queryKey: vmQueryKey(teamId, initial.id),
    queryFn: () => fetchVm(teamId, initial.id),
    initialData: initial,
    initialDataUpdatedAt: renderedAt,
    refetchInterval: 30_000,
    staleTime: 30_000,
  });
  useServerRender(vmQueryKey(teamId, initial.id), initial, renderedAt);
  return query;
}
