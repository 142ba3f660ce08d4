// The VM watch cache over fake list/watches: VMs and VMIs indexed by workload and team, the
// instance that stands for a VM during a restart (the new one, not the one going), a VMI that
// is not the VM's (another namespace) ignored, what subscribers hear (changes after the first
// lists only), the lean stored shapes, and ready() waiting for both lists.
import { afterEach, describe, expect, it } from "vitest";
import { TEAM_LABEL, WORKLOAD_LABEL } from "@/lib/kube/labels";
import type { ListResult, ListWatch, WatchHandle } from "@/lib/kube/reflector";
import type { VirtualMachine, VirtualMachineInstance } from "@/lib/vms/kubevirt";
import { trimVm, trimVmi } from "@/lib/vms/trim";
import { createVmWatchCache, type VmChange, type VmWatchCache } from "@/lib/vms/watch-cache";

const cluster = { id: "c1", name: "lab" };
const labels = (team: string, workload: string) => ({ [TEAM_LABEL]: team, [WORKLOAD_LABEL]: workload });

function vm(name: string, rv: string, team: string, workload: string, status = "Stopped", namespace = "ns"): VirtualMachine {
  return { metadata: { name, namespace, uid: `vm-${name}`, resourceVersion: rv, labels: labels(team, workload) }, spec: { runStrategy: "Always" }, status: { printableStatus: status } };
}

function vmi(name: string, uid: string, rv: string, team: string, workload: string, extra: { created?: string; deleting?: boolean; namespace?: string } = {}): VirtualMachineInstance {
  return {
    metadata: {
      name,
      namespace: extra.namespace ?? "ns",
      uid,
      resourceVersion: rv,
      labels: labels(team, workload),
      creationTimestamp: extra.created ?? "2026-01-01T00:00:00Z",
      ...(extra.deleting ? { deletionTimestamp: "2026-01-01T00:01:00Z" } : {}),
    } as unknown as VirtualMachineInstance["metadata"],
    status: { phase: "Running", nodeName: "n1", interfaces: [{ ipAddress: "10.200.0.1" }] },
  };
}

/** A fake API whose list answer waits until `release()`, with the watch's event sink exposed. */
function fakeApi<T>(items: T[]) {
  let release!: () => void;
  const listed = new Promise<void>((resolve) => (release = resolve));
  const api = {
    release,
    send: undefined as undefined | ((type: string, object: unknown) => void),
    listWatch: {
      list: async (): Promise<ListResult<T>> => {
        await listed;
        return { items, resourceVersion: "10" };
      },
      async watch(_rv: string, onEvent: (type: string, object: unknown) => void): Promise<WatchHandle> {
        api.send = onEvent;
        return { abort() {} };
      },
    } satisfies ListWatch<T>,
  };
  return api;
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

let cache: VmWatchCache | undefined;
afterEach(() => cache?.stop());

describe("VM watch cache", () => {
  it("waits for both lists, indexes by workload and team, and tells subscribers what changes after them", async () => {
    const vms = fakeApi([vm("a", "1", "t1", "w1", "Running"), vm("b", "1", "t2", "w2")]);
    const vmis = fakeApi([vmi("a", "i-a", "1", "t1", "w1")]);
    cache = createVmWatchCache(cluster, { vms: vms.listWatch, vmis: vmis.listWatch });
    const heard: VmChange[] = [];
    cache.subscribe((change) => heard.push(change));
    vms.release();
    await expect(cache.ready(50)).rejects.toThrow("did not answer within 0 s (while trying to list VMs)");
    vmis.release();
    await cache.ready();
    expect(heard).toEqual([]);
    expect(cache.objectsOf("w1")).toMatchObject({ vm: { metadata: { name: "a" } }, vmi: { metadata: { uid: "i-a" } } });
    expect(cache.objectsOf("w2")).toEqual({ vm: expect.objectContaining({ metadata: expect.objectContaining({ name: "b" }) }) });
    expect([...cache.vmsOfTeam("t2").keys()]).toEqual(["w2"]);
    expect(cache.vmsOfTeam("t3").size).toBe(0);

    await until(() => vms.send !== undefined && vmis.send !== undefined);
    vms.send!("MODIFIED", vm("b", "2", "t2", "w2", "Starting"));
    vmis.send!("ADDED", vmi("b", "i-b", "2", "t2", "w2"));
    expect(heard.map((c) => `${c.type} ${c.resource} ${c.object.metadata?.name}`)).toEqual(["MODIFIED vm b", "ADDED vmi b"]);
    expect(cache.objectsOf("w2").vmi?.metadata?.uid).toBe("i-b");

    // A VM moved to another team's label leaves the old team's index.
    vms.send!("MODIFIED", vm("b", "3", "t3", "w2", "Running"));
    expect(cache.vmsOfTeam("t2").size).toBe(0);
    expect([...cache.vmsOfTeam("t3").keys()]).toEqual(["w2"]);
    vms.send!("DELETED", vm("a", "4", "t1", "w1"));
    expect(cache.objectsOf("w1")).toEqual({}); // the VMI alone does not make a VM
  });

  it("during a restart the new instance stands for the VM; a VMI elsewhere with the same labels does not", async () => {
    const vms = fakeApi([vm("web", "1", "t1", "w1", "Running")]);
    const vmis = fakeApi([
      vmi("web", "old", "1", "t1", "w1", { created: "2026-01-01T00:00:00Z", deleting: true }),
      vmi("web", "new", "2", "t1", "w1", { created: "2026-01-01T00:00:30Z" }),
      vmi("web", "spoof", "3", "t1", "w1", { created: "2026-01-01T00:05:00Z", namespace: "other" }),
    ]);
    vms.release();
    vmis.release();
    cache = createVmWatchCache(cluster, { vms: vms.listWatch, vmis: vmis.listWatch });
    await cache.ready();
    // The spoof is the newest and not deleting, but in another namespace: it is not the VM's.
    expect(cache.objectsOf("w1").vmi?.metadata?.uid).toBe("new");
    await until(() => vmis.send !== undefined);
    vmis.send!("DELETED", vmi("web", "new", "4", "t1", "w1"));
    expect(cache.objectsOf("w1").vmi?.metadata?.uid).toBe("old");
    expect(cache.vmsOfTeam("t1").get("w1")?.vmi?.metadata?.uid).toBe("old");
  });

  it("keeps only what the panel reads", () => {
    const full = {
      ...vm("a", "1", "t1", "w1", "Running"),
      metadata: { ...vm("a", "1", "t1", "w1").metadata, annotations: { "kubectl.kubernetes.io/last-applied-configuration": "x".repeat(5000) }, managedFields: [{ manager: "kubectl" }] },
      spec: { runStrategy: "Always", template: { spec: { domain: { devices: {} } } } },
    } as VirtualMachine;
    const trimmed = trimVm(full);
    expect(trimmed.metadata).not.toHaveProperty("managedFields");
    expect(trimmed.metadata?.annotations).toBeUndefined();
    expect(trimmed.spec).toEqual({ runStrategy: "Always", running: undefined });
    const instance = trimVmi({ ...vmi("a", "i", "1", "t1", "w1"), spec: { domain: {} } } as VirtualMachineInstance);
    expect(instance).not.toHaveProperty("spec");
    expect(instance.status).toMatchObject({ phase: "Running", nodeName: "n1", interfaces: [{ ipAddress: "10.200.0.1" }] });
  });
});
