"use client";
// The VM's disk on its page: CDI's phase and progress of the DataVolume made for it (import,
// upload or clone), why it is stuck when CDI says so, and — for an upload disk still waiting for
// its image — the file picker and uploader, so an upload that failed or was cancelled can be
// made again. Fed by `readVmDiskProgress` / `dataVolumeProgress` (lib/vms/disks/progress.ts).
import { useRouter } from "next/navigation";
import { useState } from "react";
import { DiskUploader, fileProblem } from "@/components/vms/disk-upload";
import type { VmDiskProgress } from "@/lib/vms/disks/types";

const SOURCE_LABELS: Record<VmDiskProgress["source"], string> = { url: "Import from URL", upload: "Upload", clone: "Clone of a golden image" };

export function DiskProgress({ progress, workloadId, canUpload, diskGib }: { progress: VmDiskProgress | { error: string }; workloadId: string; canUpload: boolean; diskGib: number }) {
  const router = useRouter();
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  if ("error" in progress) return <p className="muted">The disk&apos;s state could not be read: {progress.error}</p>;
  const state = progress.done ? "Ready" : progress.failed ? "Failed" : progress.awaitingUpload ? "Waiting for the image to be uploaded" : "In progress";
  return (
    <div className="disk-progress stack" data-testid="disk-progress" data-phase={progress.phase}>
      <dl className="facts">
        <dt>Disk</dt>
        <dd className="mono" data-testid="disk-name">{progress.dataVolumeName}</dd>
        <dt>Source</dt>
        <dd>{SOURCE_LABELS[progress.source]}</dd>
        <dt>State</dt>
        <dd>
          {state} <span className="muted">(CDI: {progress.phase}{progress.percent !== null && !progress.done ? `, ${progress.percent.toFixed(1)}%` : ""})</span>
        </dd>
      </dl>
      {!progress.done && progress.percent !== null && <progress max={100} value={progress.percent} aria-label="Disk progress" />}
      {progress.problem && (
        <div className="alert error" role="alert">
          {progress.problem}
        </div>
      )}
      {progress.awaitingUpload && canUpload && (
        <div className="stack">
          <label htmlFor="disk-file">Upload the disk image</label>
          <input
            id="disk-file"
            type="file"
            data-testid="disk-file"
            onChange={async (e) => {
              const chosen = e.target.files?.[0] ?? null;
              setFile(null);
              setProblem(chosen ? await fileProblem(chosen, diskGib) : null);
              setFile(chosen);
            }}
          />
          {problem && (
            <span className="field-error" role="alert">
              {problem}
            </span>
          )}
          {file && !problem && <DiskUploader key={`${file.name}-${file.size}-${file.lastModified}`} workloadId={workloadId} file={file} autoStart={false} onDone={() => router.refresh()} />}
        </div>
      )}
    </div>
  );
}
