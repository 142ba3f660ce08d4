// How live messages change React Query's cache: a pod's runtime patches its row in place,
// an unknown row or pods appearing/disappearing invalidate that team's list only, and a
// resync invalidates every pods list.
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { applyLiveMessage } from "@/components/live/live-events";
import { parseLiveMessage } from "@/lib/live/messages";
import { podsQueryKey } from "@/lib/live/query-keys";
import { podRuntime, type PodRuntime } from "@/lib/pods/runtime";

const running: PodRuntime = { status: "Running", reason: null, node: "n1", ip: "10.0.0.9", ready: true, startedAt: "2026-01-01T00:00:00.000Z", podName: "web-x" };

function clientWithRows() {
  const client = new QueryClient();
  const rowA = { id: "w1", name: "web", runtime: podRuntime(undefined) };
  const rowB = { id: "w2", name: "db", runtime: podRuntime(undefined) };
  client.setQueryData(podsQueryKey("ta"), [rowA, rowB]);
  client.setQueryData(podsQueryKey("tb"), [{ id: "w9", name: "other", runtime: podRuntime(undefined) }]);
  return { client, rowB };
}

const invalidated = (client: QueryClient, teamId: string) => client.getQueryState(podsQueryKey(teamId))?.isInvalidated;

describe("applyLiveMessage", () => {
  it("patches the runtime of the row with the workload's id, leaving the rest as they were", () => {
    const { client, rowB } = clientWithRows();
    applyLiveMessage(client, { type: "pod", teamId: "ta", workloadId: "w1", runtime: running });
    const rows = client.getQueryData<Array<{ id: string; name: string; runtime: PodRuntime }>>(podsQueryKey("ta"))!;
    expect(rows[0]).toEqual({ id: "w1", name: "web", runtime: running });
    expect(rows[1]).toBe(rowB);
    expect(invalidated(client, "ta")).toBe(false);
  });

  it("invalidates the team's list when the row is not there yet, and creates no list nobody asked for", () => {
    const { client } = clientWithRows();
    applyLiveMessage(client, { type: "pod", teamId: "ta", workloadId: "new", runtime: running });
    expect(invalidated(client, "ta")).toBe(true);
    expect(invalidated(client, "tb")).toBe(false);
    applyLiveMessage(client, { type: "pod", teamId: "tz", workloadId: "w1", runtime: running });
    expect(client.getQueryData(podsQueryKey("tz"))).toBeUndefined();
  });

  it("pods-changed invalidates that team's list; resync invalidates them all", () => {
    const { client } = clientWithRows();
    applyLiveMessage(client, { type: "pods-changed", teamId: "tb" });
    expect([invalidated(client, "ta"), invalidated(client, "tb")]).toEqual([false, true]);
    applyLiveMessage(client, { type: "resync" });
    expect([invalidated(client, "ta"), invalidated(client, "tb")]).toEqual([true, true]);
  });
});

describe("parseLiveMessage", () => {
  it("accepts the three message types and ignores anything else", () => {
    expect(parseLiveMessage('{"type":"pods-changed","teamId":"t"}')).toEqual({ type: "pods-changed", teamId: "t" });
    expect(parseLiveMessage('{"type":"resync"}')).toEqual({ type: "resync" });
    expect(parseLiveMessage(JSON.stringify({ type: "pod", teamId: "t", workloadId: "w", runtime: running }))).toMatchObject({ type: "pod", workloadId: "w" });
    for (const bad of ["", "not json", "null", '{"type":"pod","teamId":"t"}', '{"type":"pods-changed"}', '{"type":"other","teamId":"t"}']) {
      expect(parseLiveMessage(bad)).toBeNull();
    }
  });
});
