"use client";
// The cluster a new workload goes to, among those assigned to the team, and the team's quota
// there in one sentence: shared by the SSH pod and VM forms.
import { useFieldError } from "@/components/ui/action-form";
import type { TeamQuota } from "@/lib/clusters/assignments";
import { formatCores as cores, formatMib as mib } from "@/lib/kube/quantity";

/** "Team quota in <cluster>: 4 cores CPU, 8 GiB memory, 10 pods, 3 VMs (shared by the team's workloads).", or null without limits. */
export function quotaHint(target: { clusterName: string; quota: TeamQuota } | undefined): string | null {
  if (!target) return null;
  const parts = [
    target.quota.cpuMillicores !== null && `${cores(target.quota.cpuMillicores)} CPU`,
    target.quota.memoryMib !== null && `${mib(target.quota.memoryMib)} memory`,
    target.quota.maxPods !== null && `${target.quota.maxPods} pods`,
    target.quota.maxVms !== null && `${target.quota.maxVms} ${target.quota.maxVms === 1 ? "VM" : "VMs"}`,
    target.quota.storageGib !== null && `${target.quota.storageGib} GiB storage`,
  ].filter(Boolean);
  return parts.length > 0 ? `Team quota in ${target.clusterName}: ${parts.join(", ")} (shared by the team's workloads).` : null;
}

/** The cluster select (field `clusterId`); `idPrefix` names its element and test id (`<prefix>-cluster`). */
export function ClusterSelect({
  idPrefix,
  targets,
  value,
  onChange,
}: {
  idPrefix: string;
  targets: { clusterId: string; clusterName: string }[];
  value: string;
  onChange: (id: string) => void;
}) {
  const error = useFieldError("clusterId");
  const id = `${idPrefix}-cluster`;
  return (
    <div className="field">
      <label htmlFor={id}>Cluster</label>
      <select id={id} name="clusterId" data-testid={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined}>
        {targets.map((t) => (
          <option key={t.clusterId} value={t.clusterId}>
            {t.clusterName}
          </option>
        ))}
      </select>
      {error && (
        <span id={`${id}-error`} className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
