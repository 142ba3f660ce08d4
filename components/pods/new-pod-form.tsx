"use client";
// The create form: cluster (among those assigned to the team), an image from that cluster's
// catalog, size, optional home volume and time-to-live. The server checks everything again.
import { useState } from "react";
import { ActionForm } from "@/components/ui/action-form";
import { ClusterSelect, quotaHint } from "@/components/workloads/cluster-select";
import { Field, Hidden } from "@/components/ui/field";
import type { ActionResult } from "@/lib/actions/define-action";
import { formatCores as cores, formatMib as mib } from "@/lib/kube/quantity";
import type { PodTarget } from "@/lib/pods/queries";
import { TTL_CHOICES } from "@/lib/pods/choices";

type ServerAction = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

const CPU_CHOICES = [250, 500, 1000, 2000, 4000, 8000, 16000];
const MEMORY_CHOICES = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

// The largest choice not above `preferred` that fits the quota (null = unlimited); else the smallest.
function pick(choices: number[], preferred: number, limit: number | null): number {
  const fitting = choices.filter((c) => c <= preferred && (limit === null || c <= limit));
  return fitting.length > 0 ? fitting[fitting.length - 1]! : choices[0]!;
}

export function NewPodForm({ action, teamId, targets }: { action: ServerAction; teamId: string; targets: PodTarget[] }) {
  const [clusterId, setClusterId] = useState(targets[0]?.clusterId ?? "");
  const target = targets.find((t) => t.clusterId === clusterId);
  const hint = quotaHint(target);
  return (
    <ActionForm action={action} submitLabel="Create SSH pod" resetOnSuccess={false}>
      <Hidden name="teamId" value={teamId} />
      <Field name="name" label="Name" placeholder="dev box" autoComplete="off" data-testid="pod-name" hint="Start with a letter; letters, digits, spaces and dashes, at most 57. A short suffix is added in the cluster." />
      <ClusterSelect idPrefix="pod" targets={targets} value={clusterId} onChange={setClusterId} />
      <Field
        key={`image-${clusterId}`}
        name="image"
        label="Image"
        options={(target?.images ?? []).map((i) => ({ value: i.image, label: `${i.label} (${i.image})` }))}
      />
      <Field
        key={`cpu-${clusterId}`}
        name="cpuMillicores"
        label="CPU"
        defaultValue={String(pick(CPU_CHOICES, 500, target?.quota.cpuMillicores ?? null))}
        options={CPU_CHOICES.map((m) => ({ value: String(m), label: cores(m) }))}
      />
      <Field
        key={`memory-${clusterId}`}
        name="memoryMib"
        label="Memory"
        defaultValue={String(pick(MEMORY_CHOICES, 1024, target?.quota.memoryMib ?? null))}
        options={MEMORY_CHOICES.map((m) => ({ value: String(m), label: mib(m) }))}
        hint={hint ?? undefined}
      />
      <Field
        name="homeGib"
        label="Persistent home (GiB)"
        type="number"
        min={1}
        max={500}
        inputMode="numeric"
        placeholder="none"
        data-testid="pod-home"
        hint="Leave empty for a home directory that goes with the pod. A volume survives resets."
      />
      <Field name="ttlMinutes" label="Time-to-live" defaultValue="" options={TTL_CHOICES.map((c) => ({ value: c.value, label: c.label }))} hint="The pod is deleted automatically when it runs out." />
    </ActionForm>
  );
}
