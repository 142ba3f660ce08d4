"use client";
// Uploading a disk image into a VM's disk: the file goes as the body of one request to the panel
// (POST /api/vm-disk-uploads/<vm>), which streams it on to CDI and answers once CDI has it all.
// A progress bar with bytes, rate and time left; after the last byte the bar says it is waiting
// for CDI's confirmation (the answer, not the sent bytes, means done). Cancel stops the request
// and deletes the disk (the next attempt makes it again); a failure shows the panel's sentence
// and offers to try again.
import { useCallback, useEffect, useRef, useState } from "react";
import { detectDiskImageFormat, FORMAT_PROBE_BYTES } from "@/lib/vms/disks/image-format";

type UploadState =
  | { kind: "idle" }
  | { kind: "sending"; sent: number; total: number; rate: number | null; startedAt: number }
  | { kind: "confirming"; total: number }
  | { kind: "done"; total: number }
  | { kind: "failed"; message: string }
  | { kind: "cancelled" };

const GIB = 1024 ** 3;

/** "512 KiB", "3.4 MiB", "1.02 GiB". */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Checks a file in the browser as the panel will: not larger than the disk, and a disk image by its first bytes. Null when fine. */
export async function fileProblem(file: File, diskGib: number | null): Promise<string | null> {
  if (diskGib !== null && file.size > diskGib * GIB) return `The image is ${formatBytes(file.size)}, larger than the disk (${diskGib} GiB). Choose a larger disk size.`;
  const head = new Uint8Array(await file.slice(0, FORMAT_PROBE_BYTES).arrayBuffer());
  const verdict = detectDiskImageFormat(head);
  return verdict.ok ? null : verdict.message;
}

/** Uploads `file` into the disk of VM `workloadId`, with progress, cancel and retry; `onDone` once CDI confirmed it. */
export function DiskUploader({ workloadId, file, onDone, autoStart = true }: { workloadId: string; file: File; onDone?: () => void; autoStart?: boolean }) {
  const [state, setState] = useState<UploadState>({ kind: "idle" });
  const xhrRef = useRef<XMLHttpRequest | null>(null);
  const onDoneRef = useRef(onDone);
  onDoneRef.current = onDone;

  const start = useCallback(() => {
    const xhr = new XMLHttpRequest();
    xhrRef.current = xhr;
    const startedAt = Date.now();
    let last = { at: startedAt, sent: 0 };
    let rate: number | null = null;
    setState({ kind: "sending", sent: 0, total: file.size, rate: null, startedAt });
    xhr.upload.onprogress = (event) => {
      const now = Date.now();
      if (now - last.at >= 250) {
        const instant = ((event.loaded - last.sent) * 1000) / (now - last.at);
        rate = rate === null ? instant : rate * 0.7 + instant * 0.3;
        last = { at: now, sent: event.loaded };
      }
      if (event.loaded >= file.size) setState({ kind: "confirming", total: file.size });
      else setState({ kind: "sending", sent: event.loaded, total: file.size, rate, startedAt });
    };
    xhr.upload.onload = () => setState({ kind: "confirming", total: file.size });
    xhr.onload = () => {
      xhrRef.current = null;
      if (xhr.status === 200) {
        setState({ kind: "done", total: file.size });
        onDoneRef.current?.();
        return;
      }
      let message = `The upload failed (HTTP ${xhr.status}).`;
      try {
        message = (JSON.parse(xhr.responseText) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not the panel's JSON (a proxy in between): keep the status
      }
      setState({ kind: "failed", message });
    };
    xhr.onerror = () => {
      xhrRef.current = null;
      setState({ kind: "failed", message: "The connection to the panel broke during the upload. Nothing was kept; try again." });
    };
    xhr.onabort = () => {
      xhrRef.current = null;
    };
    xhr.open("POST", `/api/vm-disk-uploads/${workloadId}`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.send(file);
  }, [file, workloadId]);

  const cancel = useCallback(async () => {
    xhrRef.current?.abort();
    setState({ kind: "cancelled" });
    const res = await fetch(`/api/vm-disk-uploads/${workloadId}`, { method: "DELETE" }).catch(() => null);
    if (!res?.ok) {
      const body = (await res?.json().catch(() => null)) as { error?: { message?: string } } | null;
      setState({ kind: "failed", message: body?.error?.message ?? "The upload stopped, but the disk could not be deleted; try again." });
    }
  }, [workloadId]);

  const started = useRef(false);
  useEffect(() => {
    if (autoStart && !started.current) {
      started.current = true;
      start();
    }
  }, [autoStart, start]);
  useEffect(() => () => xhrRef.current?.abort(), []);

  const percent = state.kind === "sending" ? (state.sent / Math.max(1, state.total)) * 100 : state.kind === "confirming" || state.kind === "done" ? 100 : 0;
  return (
    <div className="disk-upload" data-testid="disk-upload" data-state={state.kind}>
      <div className="disk-upload-name">
        <span className="mono">{file.name}</span> — {formatBytes(file.size)}
      </div>
      {(state.kind === "sending" || state.kind === "confirming" || state.kind === "done") && (
        <>
          <progress max={100} value={percent} aria-label="Upload progress" data-testid="upload-progress" />
          <div className="disk-upload-figures" role="status" aria-live="polite" data-testid="upload-figures">
            {state.kind === "sending" && (
              <>
                {formatBytes(state.sent)} of {formatBytes(state.total)} ({percent.toFixed(1)}%) · {state.rate ? `${formatBytes(state.rate)}/s` : "measuring…"} ·{" "}
                {state.rate ? `${formatDuration((state.total - state.sent) / state.rate)} left` : "time left: —"}
              </>
            )}
            {state.kind === "confirming" && <>All {formatBytes(state.total)} sent; waiting for CDI to confirm the image…</>}
            {state.kind === "done" && <>Uploaded {formatBytes(state.total)}; CDI has the image.</>}
          </div>
        </>
      )}
      {state.kind === "failed" && (
        <div className="alert error" role="alert" data-testid="upload-error">
          {state.message}
        </div>
      )}
      {state.kind === "cancelled" && <p className="muted">Upload cancelled; the disk was deleted. Upload again to make it anew.</p>}
      <div className="row">
        {(state.kind === "sending" || state.kind === "confirming") && (
          <button type="button" onClick={() => void cancel()}>
            Cancel upload
          </button>
        )}
        {(state.kind === "failed" || state.kind === "cancelled" || (state.kind === "idle" && !autoStart)) && (
          <button type="button" className="primary" onClick={start}>
            {state.kind === "idle" ? "Upload" : "Try again"}
          </button>
        )}
      </div>
    </div>
  );
}
