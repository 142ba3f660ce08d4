// How live VM messages change React Query's cache: a VM's runtime patches its row in the team's
// VMs list and, when its page is open, the page's runtime and conditions; an unknown row
// invalidates the list; vms-changed invalidates the team's list and VM pages only; resync all.
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { applyLiveMessage } from "@/components/live/live-events";
import { parseLiveMessage, type VmMessage } from "@/lib/live/messages";
import { vmQueryKey, vmsQueryKey } from "@/lib/live/query-keys";
import { vmRuntime } from "@/lib/vms/kubevirt";
import type { VmRuntime } from "@/lib/vms/types";

const running: VmRuntime = { printableStatus: "Running", phase: "Running", ready: true, ip: "10.200.0.7", node: "mc-worker-1", reason: null, startedAt: "2026-01-01T00:00:00.000Z", bootMs: 5200, runStrategy: "Always" };
const conditions: VmMessage["conditions"] = [{ object: "VMI", type: "Ready", status: "True", reason: null, message: null, lastTransitionTime: null }];

function client() {
  const queryClient = new QueryClient();
  const rowB = { id: "v2", name: "db", runtime: vmRuntime(undefined, undefined) };
  queryClient.setQueryData(vmsQueryKey("ta"), [{ id: "v1", name: "web", runtime: vmRuntime(undefined, undefined) }, rowB]);
  queryClient.setQueryData(vmQueryKey("ta", "v1"), { id: "v1", name: "web", runtime: vmRuntime(undefined, undefined), conditions: [] });
  queryClient.setQueryData(vmsQueryKey("tb"), [{ id: "v9", name: "other", runtime: vmRuntime(undefined, undefined) }]);
  return { queryClient, rowB };
}

const invalidated = (queryClient: QueryClient, key: readonly unknown[]) => queryClient.getQueryState(key)?.isInvalidated;

describe("applyLiveMessage for VMs", () => {
  it("patches the VM's list row and its open page, leaving the rest as they were", () => {
    const { queryClient, rowB } = client();
    applyLiveMessage(queryClient, { type: "vm", teamId: "ta", workloadId: "v1", runtime: running, conditions });
    const rows = queryClient.getQueryData<Array<{ id: string; runtime: VmRuntime }>>(vmsQueryKey("ta"))!;
    expect(rows[0]).toEqual({ id: "v1", name: "web", runtime: running });
    expect(rows[1]).toBe(rowB);
    expect(queryClient.getQueryData(vmQueryKey("ta", "v1"))).toEqual({ id: "v1", name: "web", runtime: running, conditions });
    expect(invalidated(queryClient, vmsQueryKey("ta"))).toBe(false);
  });

  it("invalidates the list when the row is not there yet, and creates no page data nobody asked for", () => {
    const { queryClient } = client();
    applyLiveMessage(queryClient, { type: "vm", teamId: "ta", workloadId: "new", runtime: running, conditions });
    expect(invalidated(queryClient, vmsQueryKey("ta"))).toBe(true);
    expect(queryClient.getQueryData(vmQueryKey("ta", "new"))).toBeUndefined();
    expect(invalidated(queryClient, vmsQueryKey("tb"))).toBe(false);
  });

  it("vms-changed invalidates that team's list and VM pages; resync invalidates every team's", () => {
    const { queryClient } = client();
    applyLiveMessage(queryClient, { type: "vms-changed", teamId: "ta" });
    expect([invalidated(queryClient, vmsQueryKey("ta")), invalidated(queryClient, vmQueryKey("ta", "v1")), invalidated(queryClient, vmsQueryKey("tb"))]).toEqual([true, true, false]);
    applyLiveMessage(queryClient, { type: "resync" });
    expect(invalidated(queryClient, vmsQueryKey("tb"))).toBe(true);
  });

  it("parses vm and vms-changed messages and refuses malformed ones", () => {
    const message = { type: "vm", teamId: "ta", workloadId: "v1", runtime: running, conditions };
    expect(parseLiveMessage(JSON.stringify(message))).toEqual(message);
    expect(parseLiveMessage(JSON.stringify({ type: "vms-changed", teamId: "ta", extra: 1 }))).toEqual({ type: "vms-changed", teamId: "ta" });
    expect(parseLiveMessage(JSON.stringify({ ...message, conditions: "none" }))).toBeNull();
    expect(parseLiveMessage(JSON.stringify({ type: "vm", teamId: "", workloadId: "v1", runtime: running, conditions }))).toBeNull();
  });
});
