"use client";
// The VM create form: cluster (among those assigned to the team), what it boots from (a container
// disk from that cluster's VM catalog, or a disk imported from a URL, uploaded, or cloned from a
// golden image: components/vms/boot-source-fields.tsx), how it runs, its size (an instancetype of
// the cluster, or CPUs and memory), the mesh sidecar option and optional cloud-init user data.
// The server checks everything again. For an upload, the form stays after the create and streams
// the file with a progress bar, then goes to the VM's page.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ActionForm } from "@/components/ui/action-form";
import { Field, Hidden } from "@/components/ui/field";
import { BootSourceFields, type BootSourceChoice } from "@/components/vms/boot-source-fields";
import { DiskUploader } from "@/components/vms/disk-upload";
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
  const [boot, setBoot] = useState<BootSourceChoice>({ source: "catalog", file: null, fileProblem: null });
  const [uploading, setUploading] = useState<{ id: string; name: string; file: File } | null>(null);
  const router = useRouter();
  const target = targets.find((t) => t.clusterId === clusterId);
  if (uploading) {
    return (
      <div className="stack" data-testid="vm-upload-after-create">
        <p>
          VM <strong className="mono">{uploading.name}</strong> was created; its disk image is being uploaded. It starts once CDI has the image.
        </p>
        <DiskUploader workloadId={uploading.id} file={uploading.file} onDone={() => router.push(`/t/${teamId}/vms/${uploading.id}`)} />
        <a href={`/t/${teamId}/vms/${uploading.id}`}>Go to the VM&apos;s page</a>
      </div>
    );
  }
  const offer = target?.instancetypes;
  const sizes = [
    { value: "", label: "Choose CPUs and memory below" },
    ...(offer?.available ? offer.items.map((i) => ({ value: `${i.kind}/${i.name}`, label: `${i.name} — ${i.cpuCores} ${i.cpuCores === 1 ? "CPU" : "CPUs"}, ${mib(i.memoryMib)}${i.kind === "VirtualMachineInstancetype" ? " (this team)" : ""}` })) : []),
  ];
  return (
    <ActionForm
      action={action}
      submitLabel={boot.source === "upload" ? "Create VM and upload" : "Create VM"}
      resetOnSuccess={false}
      blocked={boot.source === "upload" && (!boot.file || boot.fileProblem !== null)}
      onSuccess={(data) => {
        const created = data as { id: string; name: string };
        if (boot.source === "upload" && boot.file) setUploading({ id: created.id, name: created.name, file: boot.file });
      }}
    >
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
      <BootSourceFields target={target} clusterKey={clusterId} onChange={setBoot} />
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
