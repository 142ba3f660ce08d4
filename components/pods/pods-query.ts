"use client";
// The team's pods list in React Query: key ["pods", teamId], data SshPodView[] from
// GET /api/teams/<team>/pods. The live-events provider patches rows by `id` and invalidates
// the key when pods appear or disappear; without it the list is refetched every 30 s.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { podsQueryKey } from "@/lib/live/query-keys";
import type { PodRuntime } from "@/lib/pods/runtime";
import type { SshPodView } from "@/lib/pods/types";

/** Fetches the team's pods list. */
export async function fetchTeamPods(teamId: string): Promise<SshPodView[]> {
  const response = await fetch(`/api/teams/${encodeURIComponent(teamId)}/pods`, { headers: { accept: "application/json" } });
  const body = (await response.json().catch(() => null)) as { pods?: SshPodView[]; error?: { message?: string } } | null;
  if (!response.ok || !body?.pods) throw new Error(body?.error?.message ?? `The pods list could not be loaded (HTTP ${response.status}).`);
  return body.pods;
}

/**
 * The team's pods, starting from what the server rendered. A newer server render (after a
 * create or delete redirects here) replaces older cached rows: React Query ignores
 * `initialData` once the key is cached, and a live refetch may have run just before the
 * database row went away.
 */
export function useTeamPods(teamId: string, initialPods: SshPodView[], renderedAt: number) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: podsQueryKey(teamId),
    queryFn: () => fetchTeamPods(teamId),
    initialData: initialPods,
    initialDataUpdatedAt: renderedAt,
    refetchInterval: 30_000,
    staleTime: 30_000,
  });
  useEffect(() => {
    const cached = queryClient.getQueryState(podsQueryKey(teamId));
    if (!cached || cached.dataUpdatedAt < renderedAt) queryClient.setQueryData(podsQueryKey(teamId), initialPods, { updatedAt: renderedAt });
  }, [queryClient, teamId, initialPods, renderedAt]);
  return query;
}

/**
 * One pod's runtime from the team's live list (the pod page's status): the server-rendered
 * value until the list arrives, then whatever the live stream patched in.
 */
export function useLivePodRuntime(teamId: string, podId: string, initial: PodRuntime): PodRuntime {
  const { data } = useQuery({ queryKey: podsQueryKey(teamId), queryFn: () => fetchTeamPods(teamId), refetchInterval: 30_000, staleTime: 30_000 });
  return data?.find((pod) => pod.id === podId)?.runtime ?? initial;
}
