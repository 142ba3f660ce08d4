// How a VM's size reads: "2 CPUs, 4 GiB" and, for an instancetype, its name.
import { formatMib } from "@/lib/kube/quantity";
import type { VmView } from "@/lib/vms/types";

/** "2 CPUs, 4 GiB (instancetype u1.medium)". */
export function describeVmSize(vm: Pick<VmView, "cpuCores" | "memoryMib" | "instancetype">): string {
  const size = `${vm.cpuCores} ${vm.cpuCores === 1 ? "CPU" : "CPUs"}, ${formatMib(vm.memoryMib)}`;
  return vm.instancetype ? `${size} (instancetype ${vm.instancetype.name})` : size;
}
