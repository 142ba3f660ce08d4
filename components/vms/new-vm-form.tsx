"use client";
// The VM create form: cluster (among those assigned to the team), a disk image from that
// cluster's VM catalog, how it runs, its size (an instancetype of the cluster, or CPUs and
// memory), the mesh sidecar option and optional cloud-init user data. The server checks
// everything again.
import { useState } from "react";
import { ActionForm } from "@/components/ui/action-form";
import { Field, Hidden } from "@/components/ui/field";
import { ClusterSelect, quotaHint } from "@/components/workloads/cluster-select";
import type { ActionResult } from "@/lib/actions/define-action";
import { formatMib as mib } from "@/lib/kube/quantity";
import { RUN_STRATEGIES, RUN_STRATEGY_LABELS } from "@/lib/vms/choices";
import type { VmTarget } from "@/lib/vms/queries";

type ServerAction = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

const CPU_CHOICES = [1, 2, 4, 8, 16];
const MEMORY_CHOICES = [512, 1024, 2048, 4096, 8192, 16384, 32768];

const CLOUD_CONFIG_PLACEHOLDER = "#cloud-config\npackages:\n  - git\nruncmd:\n  - echo hello > /etc/motd";

export function NewVmForm({ action, teamId, targets }: { action: ServerAction; teamId: string; targets: VmTarget[] }) {
  const [clusterId, setClusterId] = useState(targets[0]?.clusterId ?? "");
  const [size, setSize] = useState("");
  const target = targets.find((t) => t.clusterId === clusterId);
  const offer = target?.instancetypes;
  const sizes = [
    { value: "", label: "Choose CPUs and memory below" },
    ...(offer?.available ? offer.items.map((i) => ({ value: `${i.kind}/${i.name}`, label: `${i.name} — ${i.cpuCores} ${i.cpuCores === 1 ? "CPU" : "CPUs"}, ${mib(i.memoryMib)}${i.kind === "VirtualMachineInstancetype" ? " (this team)" : ""}` })) : []),
  ];
  return (
    <ActionForm action={action} submitLabel="Create VM" resetOnSuccess={false}>
      <Hidden name="teamId" value={teamId} />
      <Field name="name" label="Name" placeholder="build box" autoComplete="off" data-testid="vm-name" hint="Start with a letter; letters, digits, spaces and dashes, at most 57. It becomes the VM's host name, with a short suffix." />
      <ClusterSelect
        idPrefix="vm"
        targets={targets}
        value={clusterId}
        onChange={(id) => {
          setClusterId(id);
          setSize("");
        }}
      />
      <Field key={`image-${clusterId}`} name="image" label="Disk image" options={(target?.images ?? []).map((i) => ({ value: i.image, label: `${i.label} (${i.image})` }))} hint="A container disk from this cluster's catalog; it is fresh on every start." />
      <Field name="runStrategy" label="Runs" defaultValue="Always" options={RUN_STRATEGIES.map((s) => ({ value: s, label: RUN_STRATEGY_LABELS[s] }))} />
      <div className="field">
        <label htmlFor="vm-size">Size</label>
        <select id="vm-size" name="size" value={size} onChange={(e) => setSize(e.target.value)} data-testid="vm-size">
          {sizes.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
        <span className="hint">{offer && !offer.available ? offer.reason : offer?.items.length === 0 ? "This cluster offers no instancetypes; give CPUs and memory." : "An instancetype of the cluster, or your own CPUs and memory."}</span>
      </div>
      {size === "" && (
        <>
          <Field key={`cpu-${clusterId}`} name="cpuCores" label="CPUs" defaultValue="1" options={CPU_CHOICES.map((n) => ({ value: String(n), label: `${n} ${n === 1 ? "CPU" : "CPUs"}` }))} />
          <Field key={`memory-${clusterId}`} name="memoryMib" label="Memory" defaultValue="1024" options={MEMORY_CHOICES.map((m) => ({ value: String(m), label: mib(m) }))} hint={quotaHint(target) ?? undefined} />
        </>
      )}
      <Field
        name="cloudInit"
        label="cloud-init user data (optional)"
        multiline
        placeholder={CLOUD_CONFIG_PLACEHOLDER}
        hint="A #cloud-config document (at most 32 KiB): packages, runcmd, write_files, users… Your SSH keys, the panel's key and the host name are always set by the panel and cannot be replaced."
      />
      <label className="check">
        <input type="checkbox" name="meshSidecar" /> Service-mesh sidecar: ask the mesh (Istio) to inject its sidecar into the VM&apos;s pod
      </label>
    </ActionForm>
  );
}
