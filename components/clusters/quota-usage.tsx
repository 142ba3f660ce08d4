// A team namespace's quota as Kubernetes counts it: for each limited resource, what is in
// use and the limit (from the ResourceQuota's status).
import type { QuotaUsage as Usage } from "@/lib/clusters/assignments";
import type { LiveRead } from "@/lib/clusters/read-live";
import { formatBytes, formatCpu, quantityValue, toMillicores } from "@/lib/kube/quantity";

const RESOURCES: { key: string; label: string; format: (q: string) => string }[] = [
  { key: "requests.cpu", label: "CPU", format: (q) => formatCpu(toMillicores(q)) },
  { key: "requests.memory", label: "Memory", format: (q) => formatBytes(quantityValue(q)) },
  { key: "pods", label: "Pods", format: (q) => String(quantityValue(q)) },
  { key: "count/virtualmachines.kubevirt.io", label: "VMs", format: (q) => String(quantityValue(q)) },
  { key: "requests.storage", label: "Storage", format: (q) => formatBytes(quantityValue(q)) },
];

/** "1.5 cores of 4 cores" per limited resource, or why the usage cannot be shown. */
export function QuotaUsage({ usage }: { usage: LiveRead<Usage | null> }) {
  if (!usage.ok) return <span className="muted small">Usage unavailable: {usage.error}</span>;
  if (!usage.value) return <span className="muted small">The quota object is missing in the cluster; assign again to restore it.</span>;
  const { hard, used } = usage.value;
  const limited = RESOURCES.filter((r) => hard[r.key] !== undefined);
  if (limited.length === 0) return <span className="muted small">No limits.</span>;
  return (
    <ul className="small" aria-label="Quota usage">
      {limited.map((r) => (
        <li key={r.key}>
          {r.label}: {r.format(used[r.key] ?? "0")} of {r.format(hard[r.key]!)}
        </li>
      ))}
    </ul>
  );
}

/** An assignment's quota in one line: "2 cores · 4 GiB · 10 pods · 1 VM · 20 GiB storage". */
export function QuotaText({ quota }: { quota: { cpuMillicores: number | null; memoryMib: number | null; maxPods: number | null; maxVms: number | null; storageGib: number | null } }) {
  const parts = [
    quota.cpuMillicores !== null && formatCpu(quota.cpuMillicores),
    quota.memoryMib !== null && `${formatBytes(quota.memoryMib * 2 ** 20)} memory`,
    quota.maxPods !== null && `${quota.maxPods} ${quota.maxPods === 1 ? "pod" : "pods"}`,
    quota.maxVms !== null && `${quota.maxVms} ${quota.maxVms === 1 ? "VM" : "VMs"}`,
    quota.storageGib !== null && `${quota.storageGib} GiB storage`,
  ].filter(Boolean);
  return <span>{parts.length ? parts.join(" · ") : "no limits"}</span>;
}
