// The slice of the KubeVirt API the stand-ins read and write, with named selectors for deep fields.
import type { KubernetesObject } from "@kubernetes/client-node";

export const kubevirtGroup = "kubevirt.io";
export const kubevirtVersion = "v1";
export const vmPlural = "virtualmachines";
export const vmiPlural = "virtualmachineinstances";

export type RunStrategy = "Always" | "RerunOnFailure" | "Once" | "Manual" | "Halted";

export type VmiPhase = "Pending" | "Scheduling" | "Scheduled" | "Running" | "Succeeded" | "Failed" | "Unknown";

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
  lastHeartbeatTime?: string;
}

/** A pending start/stop request on a VM (how virt-api asks virt-controller to act). */
export interface StateChangeRequest {
  action: "Start" | "Stop";
  uid?: string;
}

export interface VirtualMachine extends KubernetesObject {
  spec?: {
    runStrategy?: RunStrategy;
    /** Deprecated upstream; still honoured when runStrategy is absent. */
    running?: boolean;
    template?: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: Record<string, unknown> & { nodeSelector?: Record<string, string> };
    };
  };
  status?: {
    printableStatus?: string;
    ready?: boolean;
    created?: boolean;
    conditions?: Condition[];
    stateChangeRequests?: StateChangeRequest[];
    observedGeneration?: number;
  };
}

export interface VmiInterface {
  name: string;
  interfaceName: string;
  ipAddress: string;
  ipAddresses: string[];
  mac: string;
  infoSource: string;
}

export interface VirtualMachineInstance extends KubernetesObject {
  spec?: Record<string, unknown> & { nodeSelector?: Record<string, string> };
  status?: {
    phase?: VmiPhase;
    nodeName?: string;
    interfaces?: VmiInterface[];
    conditions?: Condition[];
    phaseTransitionTimestamps?: { phase: VmiPhase; phaseTransitionTimestamp: string }[];
  };
}

/** The effective run strategy, mapping the deprecated `spec.running` the way KubeVirt does. */
export function runStrategyOf(vm: VirtualMachine): RunStrategy {
  if (vm.spec?.runStrategy) return vm.spec.runStrategy;
  if (vm.spec?.running !== undefined) return vm.spec.running ? "Always" : "Halted";
  return "Halted";
}

export const vmiPhase = (vmi: VirtualMachineInstance | undefined): VmiPhase | undefined => vmi?.status?.phase;

/** A VMI that has finished (its guest shut down or crashed). */
export const isVmiFinal = (vmi: VirtualMachineInstance): boolean =>
  vmiPhase(vmi) === "Succeeded" || vmiPhase(vmi) === "Failed";

/** A VMI that exists, is not being deleted and has not finished. */
export const isVmiActive = (vmi: VirtualMachineInstance | undefined): boolean =>
  vmi !== undefined && !vmi.metadata?.deletionTimestamp && !isVmiFinal(vmi);

export const isVmiReady = (vmi: VirtualMachineInstance | undefined): boolean =>
  vmiPhase(vmi) === "Running" && (vmi?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false);

export const stateChangeRequestsOf = (vm: VirtualMachine): StateChangeRequest[] => vm.status?.stateChangeRequests ?? [];

/** The VirtualMachine that controls this VMI, if any. */
export const controllingVmUid = (vmi: VirtualMachineInstance): string | undefined =>
  vmi.metadata?.ownerReferences?.find((ref) => ref.kind === "VirtualMachine" && ref.controller)?.uid;

/** Now, in Kubernetes' metav1.Time wire format (RFC 3339, whole seconds, UTC). */
export const kubeTimeNow = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
