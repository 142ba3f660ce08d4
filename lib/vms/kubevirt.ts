// KubeVirt's objects as the panel reads them: API coordinates, the few fields used, and named
// selectors for deep fields (never long optional chains in pages). `vmRuntime` turns a VM and
// its VMI into what the list and the VM page show. Pure.
import type { KubernetesObject } from "@kubernetes/client-node";
import type { VmConditionView, VmRuntime } from "@/lib/vms/types";

/** `kubevirt.io/v1`: VirtualMachine and VirtualMachineInstance. */
export const KUBEVIRT = { group: "kubevirt.io", version: "v1", vms: "virtualmachines", vmis: "virtualmachineinstances" } as const;
/** `instancetype.kubevirt.io/v1beta1`: sizes, cluster-wide and namespaced. */
export const INSTANCETYPES = { group: "instancetype.kubevirt.io", version: "v1beta1", cluster: "virtualmachineclusterinstancetypes", namespaced: "virtualmachineinstancetypes" } as const;

interface KubevirtCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** A VirtualMachine, the fields the panel reads. */
export interface VirtualMachine extends KubernetesObject {
  spec?: { runStrategy?: string; running?: boolean; template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> } };
  status?: { printableStatus?: string; ready?: boolean; created?: boolean; conditions?: KubevirtCondition[] };
}

/** A VirtualMachineInstance, the fields the panel reads. */
export interface VirtualMachineInstance extends KubernetesObject {
  status?: {
    phase?: string;
    nodeName?: string;
    interfaces?: { ipAddress?: string; name?: string }[];
    conditions?: KubevirtCondition[];
    phaseTransitionTimestamps?: { phase?: string; phaseTransitionTimestamp?: string }[];
  };
}

/** An instancetype: its guest CPUs and memory. */
export interface Instancetype extends KubernetesObject {
  spec?: { cpu?: { guest?: number }; memory?: { guest?: string } };
}

/** A list answer of the custom objects API. */
export interface ObjectList<T> {
  items: T[];
}

export const printableStatusOf = (vm: VirtualMachine | undefined): string => (vm ? (vm.status?.printableStatus ?? "Provisioning") : "Missing");
export const runStrategyOf = (vm: VirtualMachine | undefined): string | null => vm?.spec?.runStrategy ?? (vm?.spec?.running === undefined ? null : vm.spec.running ? "Always" : "Halted");
export const vmiPhaseOf = (vmi: VirtualMachineInstance | undefined): string | null => vmi?.status?.phase ?? null;
export const vmiIpOf = (vmi: VirtualMachineInstance | undefined): string | null => vmi?.status?.interfaces?.find((i) => i.ipAddress)?.ipAddress ?? null;
export const vmiNodeOf = (vmi: VirtualMachineInstance | undefined): string | null => vmi?.status?.nodeName ?? null;
export const vmiStartedAtOf = (vmi: VirtualMachineInstance | undefined): string | null => {
  const running = vmi?.status?.phaseTransitionTimestamps?.find((t) => t.phase === "Running")?.phaseTransitionTimestamp;
  return running ? new Date(running).toISOString() : null;
};

/** Pending → Running of the VMI, in milliseconds (null until it ran). */
export const vmiBootMsOf = (vmi: VirtualMachineInstance | undefined): number | null => {
  const at = (phase: string) => vmi?.status?.phaseTransitionTimestamps?.find((t) => t.phase === phase)?.phaseTransitionTimestamp;
  const pending = at("Pending") ?? (vmi?.metadata?.creationTimestamp as string | Date | undefined);
  const running = at("Running");
  if (!pending || !running) return null;
  const ms = new Date(running).getTime() - new Date(pending).getTime();
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
};

const MISSING: VmRuntime = { printableStatus: "Missing", phase: null, ready: false, ip: null, node: null, reason: "The VM does not exist in the cluster.", startedAt: null, bootMs: null, runStrategy: null };

// The first condition that explains trouble: a False Ready with a reason, or a failure condition that is True.
function troubleOf(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined): string | null {
  const all = [...(vm.status?.conditions ?? []), ...(vmi?.status?.conditions ?? [])];
  const bad = all.find((c) => (c.type === "Failure" && c.status === "True") || (c.type === "Ready" && c.status === "False" && c.reason && c.reason !== "VMINotExists") || (c.type === "PodScheduled" && c.status === "False"));
  if (!bad) return null;
  return [bad.reason, bad.message].filter(Boolean).join(": ") || null;
}

/** What the VM (and its VMI, if any) is doing; an absent VM is Missing. */
export function vmRuntime(vm: VirtualMachine | undefined, vmi: VirtualMachineInstance | undefined): VmRuntime {
  if (!vm) return MISSING;
  const printableStatus = vm.metadata?.deletionTimestamp ? "Terminating" : printableStatusOf(vm);
  return {
    printableStatus,
    phase: vmiPhaseOf(vmi),
    ready: vm.status?.ready === true,
    ip: vmiIpOf(vmi),
    node: vmiNodeOf(vmi),
    reason: printableStatus === "Running" || printableStatus === "Stopped" ? null : troubleOf(vm, vmi),
    startedAt: vmiStartedAtOf(vmi),
    bootMs: vmiBootMsOf(vmi),
    runStrategy: runStrategyOf(vm),
  };
}

/** The conditions of the VM and its VMI, as the VM page lists them. */
export function vmConditions(vm: VirtualMachine | undefined, vmi: VirtualMachineInstance | undefined): VmConditionView[] {
  const view = (object: "VM" | "VMI") => (c: KubevirtCondition): VmConditionView => ({
    object,
    type: c.type,
    status: c.status,
    reason: c.reason ?? null,
    message: c.message ?? null,
    lastTransitionTime: c.lastTransitionTime ? new Date(c.lastTransitionTime).toISOString() : null,
  });
  return [...(vm?.status?.conditions ?? []).map(view("VM")), ...(vmi?.status?.conditions ?? []).map(view("VMI"))];
}
