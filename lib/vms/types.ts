// What the panel stores and shows about VMs: plain, JSON-safe shapes shared by the server
// (pages, actions) and the browser.
import type { RunStrategy } from "@/lib/vms/choices";
import type { VmDisk } from "@/lib/vms/disks/types";
import type { WorkloadView } from "@/lib/workloads/view";

/** An instancetype a VM takes its size from (KubeVirt `instancetype.kubevirt.io`). */
export interface InstancetypeRef {
  kind: "VirtualMachineClusterInstancetype" | "VirtualMachineInstancetype";
  name: string;
}

/** The request a VM was created from, as stored in `workloads.spec`. */
export interface VmSpec {
  /** What the user typed as the name. */
  displayName: string;
  /** What it boots from, as shown: the container-disk image (from the cluster's VM disk catalog), or a description of its disk. */
  image: string;
  /** The disk CDI made for it (imported, uploaded or cloned); null or absent when it boots the container disk. */
  disk?: VmDisk | null;
  /** Set when a delete was asked to keep the disk (written with the `deleting` state, so the reconciler keeps it too). */
  keepDisk?: boolean;
  runStrategy: RunStrategy;
  /** Its size: explicit, or what the instancetype said when it was created (for the quota). */
  cpuCores: number;
  memoryMib: number;
  /** Set when the size comes from an instancetype (then the VM names it instead of a size). */
  instancetype: InstancetypeRef | null;
  /** Whether the service-mesh sidecar is injected (annotation on the VMI template). */
  meshSidecar: boolean;
  /** The user's own #cloud-config (vetted), or null; merged with the injected keys at each (re)make of the Secret. */
  cloudConfig: string | null;
  ownerEmail: string;
  /** Names of the objects made for it (the VM carries the workload's name, also its host name). */
  vmName: string;
  secretName: string;
  serviceName: string;
}

/** What KubeVirt says a VM is doing. */
export interface VmRuntime {
  /** The VM's `status.printableStatus` (Stopped, Starting, Running, Paused, Stopping, …); Missing when the VM object is gone. */
  printableStatus: string;
  /** The VMI's phase (Pending, Scheduling, Scheduled, Running, Succeeded, Failed), null without a VMI. */
  phase: string | null;
  ready: boolean;
  ip: string | null;
  node: string | null;
  /** Why, when the status alone does not say (a failing condition's reason and message). */
  reason: string | null;
  /** RFC 3339, when the VMI reached Running. */
  startedAt: string | null;
  /** How long the instance took from Pending to Running (its boot as KubeVirt saw it; KubeVirt records the phases to the second), null until it ran. */
  bootMs: number | null;
  /** The run strategy as the cluster holds it now (start/stop rewrite it). */
  runStrategy: string | null;
}

/** One row of the VMs list (the name is the VM's Kubernetes name, also its host name). */
export interface VmView extends WorkloadView {
  image: string;
  cpuCores: number;
  memoryMib: number;
  instancetype: InstancetypeRef | null;
  runtime: VmRuntime;
}

/** A condition of the VM or its VMI, as KubeVirt reports it. */
export interface VmConditionView {
  object: "VM" | "VMI";
  type: string;
  status: string;
  reason: string | null;
  message: string | null;
  lastTransitionTime: string | null;
}

/** The VM page's data. */
export interface VmDetail extends VmView {
  meshSidecar: boolean;
  hasCloudConfig: boolean;
  service: { name: string; clusterIP: string | null } | null;
  conditions: VmConditionView[];
}
