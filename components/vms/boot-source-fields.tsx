"use client";
// The boot-source part of the VM create form: a container disk from the cluster's catalog, a
// disk image imported from a URL, one uploaded from this computer, or a clone of one of the
// cluster's golden images — with the disk's size for the last three. The chosen file is not a
// form field (it never goes with the server action): the form streams it after the create.
import { useState } from "react";
import { Field } from "@/components/ui/field";
import { useFieldError } from "@/components/ui/action-form";
import { fileProblem, formatBytes } from "@/components/vms/disk-upload";
import { goldenImageKey } from "@/lib/clusters/vm-golden-images";
import { BOOT_SOURCE_LABELS, BOOT_SOURCES, DISK_SIZE_GIB, type BootSource } from "@/lib/vms/disks/types";
import type { VmTarget } from "@/lib/vms/queries";

const GIB = 1024 ** 3;

/** What the form needs to know of the chosen source: which one, and for an upload the file (and whether it is fine). */
export interface BootSourceChoice {
  source: BootSource;
  file: File | null;
  fileProblem: string | null;
}

export function BootSourceFields({ target, clusterKey, onChange }: { target: VmTarget | undefined; clusterKey: string; onChange: (choice: BootSourceChoice) => void }) {
  const [source, setSource] = useState<BootSource>("catalog");
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [sizeGib, setSizeGib] = useState("10");
  const fileError = useFieldError("diskFile");
  const golden = target?.goldenImages ?? [];

  async function check(nextFile: File | null, nextSize: string) {
    const gib = /^\d+$/.test(nextSize) ? Number(nextSize) : null;
    const found = nextFile ? await fileProblem(nextFile, gib) : null;
    setProblem(found);
    onChange({ source, file: nextFile, fileProblem: found });
  }

  return (
    <fieldset className="boot-source" data-testid="boot-source">
      <legend>Boot disk</legend>
      <div className="field">
        <label htmlFor="vm-boot-source">Boots from</label>
        <select
          id="vm-boot-source"
          name="bootSource"
          value={source}
          data-testid="vm-boot-source"
          onChange={(e) => {
            const next = e.target.value as BootSource;
            setSource(next);
            onChange({ source: next, file, fileProblem: problem });
          }}
        >
          {BOOT_SOURCES.map((s) => (
            <option key={s} value={s} disabled={s === "clone" && golden.length === 0}>
              {BOOT_SOURCE_LABELS[s]}
              {s === "clone" && golden.length === 0 ? " (this cluster lists none)" : ""}
            </option>
          ))}
        </select>
        <span className="hint">A container disk is fresh on every start; the other sources make a persistent disk (a CDI DataVolume) that keeps what the VM writes.</span>
      </div>
      {source === "catalog" && (
        <Field key={`image-${clusterKey}`} name="image" label="Disk image" options={(target?.images ?? []).map((i) => ({ value: i.image, label: `${i.label} (${i.image})` }))} hint="A container disk from this cluster's catalog." />
      )}
      {source === "url" && (
        <Field name="diskUrl" label="Image URL" type="url" placeholder="https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-generic-amd64.qcow2" autoComplete="off" hint="An http(s) address CDI downloads the image from (raw, qcow2, ISO…, optionally gz/xz). No user name or password in it." />
      )}
      {source === "clone" && (
        <Field key={`golden-${clusterKey}`} name="goldenImage" label="Golden image" options={golden.map((g) => ({ value: goldenImageKey(g), label: `${g.label} (${goldenImageKey(g)})` }))} hint="A disk an admin published; the VM gets its own copy." />
      )}
      {source === "upload" && (
        <div className="field">
          <label htmlFor="vm-disk-file">Disk image file</label>
          <input
            id="vm-disk-file"
            type="file"
            data-testid="vm-disk-file"
            accept=".img,.raw,.qcow2,.iso,.vmdk,.vdi,.vhd,.vhdx,.gz,.xz,application/octet-stream"
            onChange={(e) => {
              const chosen = e.target.files?.[0] ?? null;
              setFile(chosen);
              let nextSize = sizeGib;
              // A disk at least as big as the file, in whole GiB.
              if (chosen && /^\d+$/.test(sizeGib) && Number(sizeGib) * GIB < chosen.size) {
                nextSize = String(Math.min(DISK_SIZE_GIB.max, Math.ceil(chosen.size / GIB)));
                setSizeGib(nextSize);
              }
              void check(chosen, nextSize);
            }}
          />
          {(problem ?? fileError) ? (
            <span className="field-error" role="alert">
              {problem ?? fileError}
            </span>
          ) : (
            <span className="hint">{file ? `${formatBytes(file.size)}; uploaded with a progress bar once the VM is created.` : "Raw, qcow2, ISO, VMDK, VHD(X) or VDI, optionally gz/xz. It is sent to CDI after the VM is created."}</span>
          )}
        </div>
      )}
      {source !== "catalog" && (
        <Field
          name="diskSizeGib"
          label="Disk size (GiB)"
          type="number"
          min={DISK_SIZE_GIB.min}
          max={DISK_SIZE_GIB.max}
          value={sizeGib}
          data-testid="vm-disk-size"
          onChange={(e) => {
            setSizeGib(e.target.value);
            if (source === "upload") void check(file, e.target.value);
          }}
          hint="Counts against the team's storage quota; at least the image's (virtual) size."
        />
      )}
    </fieldset>
  );
}
