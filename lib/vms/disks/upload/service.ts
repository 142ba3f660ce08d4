// Uploading a VM's disk image from the browser: the request body is streamed to CDI's upload
// proxy as it arrives (lib/vms/disks/upload/pump.ts — by the upload relay process when it comes
// over HTTP: lib/api/vm-disk-upload.ts) and the panel answers only once the proxy has answered,
// so the browser's "done" means CDI has the whole image. Who may: whoever may create VMs in the
// team that owns the VM (session or personal token). Before a byte leaves the panel: the VM
// boots from an upload disk, the file's size fits the disk, its first bytes are a disk image, CDI
// is ready for it (waiting a little while it gets there). Cancelling deletes the DataVolume; the
// next attempt makes it again.
import type { Readable } from "node:stream";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { authorize, type Caller } from "@/lib/access/deny";
import { auditSuccess, recordAuditEvent } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { AppError, ConflictError, NotFoundError, UnavailableError, ValidationError } from "@/lib/errors";
import { formatMib } from "@/lib/kube/quantity";
import { watchUntil } from "@/lib/kube/wait-for";
import { workloadClusterContext, type TeamClusterContext } from "@/lib/workloads/cluster-context";
import { workloadAuditTarget } from "@/lib/workloads/lifecycle";
import { workloadScopeOf } from "@/lib/workloads/scope";
import { CDI, dataVolumePhaseOf, type DataVolume } from "@/lib/vms/disks/cdi";
import { detectDiskImageFormat, FORMAT_PROBE_BYTES, type DiskImageFormat } from "@/lib/vms/disks/image-format";
import { ensureVmDisk } from "@/lib/vms/disks/lifecycle";
import { deleteDataVolume, readDataVolume } from "@/lib/vms/disks/objects";
import { readUploadProxy, requestUploadToken } from "@/lib/vms/disks/upload/proxy";
import { pumpToUploadProxy, type UploadOutcome, type UploadTarget } from "@/lib/vms/disks/upload/pump";
import { BROWSER_CUT, readableOf, UploadInterruptedError, uploadFailure } from "@/lib/vms/disks/upload/stream";
import { requireVmRow, VM_NOT_FOUND, type VmRow } from "@/lib/vms/rows";

/** How long an upload waits for CDI to get the disk ready for it before saying "not ready yet". */
export const UPLOAD_READY_WAIT_MS = 20_000;

const GIB = 1024 ** 3;

/** One upload: the VM, the body as it arrives, its declared length. */
export interface DiskUploadRequest {
  workloadId: string;
  /** The browser's request itself (a Node stream), or any source of chunks. */
  body: Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** The request's Content-Length (required: the proxy and the size check need it). */
  length: number | null;
  /** Aborted when the browser goes away. */
  signal?: AbortSignal;
  /** Carries the body to the proxy once the upload may go ahead: in this process unless told otherwise (the HTTP route hands it to the upload relay). */
  send?: (target: UploadTarget, body: Readable, length: number, signal?: AbortSignal) => Promise<UploadOutcome>;
  readyWaitMs?: number;
}

/** The VM's row and context, once the caller may create VMs in its team and it boots from an upload disk. */
async function uploadableVm(db: Db, caller: Caller, workloadId: string, action: string): Promise<{ row: VmRow; ctx: TeamClusterContext }> {
  const scope = await workloadScopeOf(db, { workloadId }).catch(() => {
    throw new NotFoundError(VM_NOT_FOUND);
  });
  await authorize(db, caller, { action, permission: "workloads:create", scope, target: { type: "vm", id: workloadId }, notFound: VM_NOT_FOUND });
  const row = await requireVmRow(db, scope.teamId, workloadId);
  if (row.spec.disk?.source.type !== "upload") throw new ConflictError(`The VM “${row.spec.displayName}” does not boot from an uploaded disk.`);
  if (row.state !== "ready" && row.state !== "creating") throw new ConflictError(`The VM “${row.spec.displayName}” is ${row.state === "deleting" ? "being deleted" : "not usable"}; its disk cannot be uploaded now.`);
  return { row, ctx: await workloadClusterContext(db, row) };
}

/**
 * Reads up to `want` bytes from the start of the stream and puts them back (unshift), so the
 * stream still starts with them when it is piped on; answers with those bytes.
 */
async function peekHead(stream: Readable, want: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  while (have < want) {
    const chunk = stream.read() as Buffer | null;
    if (chunk !== null) {
      parts.push(chunk);
      have += chunk.length;
      continue;
    }
    if (stream.errored || (stream.destroyed && !stream.readableEnded)) {
      throw new UploadInterruptedError(BROWSER_CUT);
    }
    if (stream.readableEnded) break;
    await new Promise<void>((resolve) => {
      const events = ["readable", "end", "error", "close"] as const;
      const done = () => {
        for (const event of events) stream.off(event, done);
        resolve();
      };
      for (const event of events) stream.on(event, done);
    });
  }
  const head = Buffer.concat(parts);
  if (head.length > 0) stream.unshift(head);
  return head;
}

/** Waits (watching) until the DataVolume is ready for the upload; answers with it. */
async function readyForUpload(ctx: TeamClusterContext, name: string, waitMs: number): Promise<DataVolume> {
  const ready = (dv: DataVolume | undefined) => dv !== undefined && ["UploadReady", "Succeeded", "Failed"].includes(dataVolumePhaseOf(dv));
  const current = await readDataVolume(ctx, name);
  if (current && ready(current)) return current;
  const custom = ctx.kc.makeApiClient(CustomObjectsApi);
  const [dv] = await watchUntil<DataVolume>(
    ctx.kc,
    {
      path: `/apis/${CDI.group}/${CDI.version}/namespaces/${ctx.namespace}/${CDI.dataVolumes}`,
      fieldSelector: `metadata.name=${name}`,
      list: () =>
        custom.listNamespacedCustomObject({ group: CDI.group, version: CDI.version, namespace: ctx.namespace, plural: CDI.dataVolumes, fieldSelector: `metadata.name=${name}` }) as Promise<{
          items: DataVolume[];
          metadata?: { resourceVersion?: string };
        }>,
      satisfied: (items) => ready(items[0]),
    },
    {
      timeoutMs: waitMs,
      timedOut: (seen) => new UnavailableError(`CDI is not ready to receive the disk yet (it is ${dataVolumePhaseOf(seen[0] ?? {})}). Try again in a moment.`),
      refused: () => new UnavailableError("The panel could not follow the disk's preparation in the cluster. Try again in a moment."),
    },
  );
  return dv!;
}

/**
 * Streams one upload of the VM's disk image to CDI (see the top of this file). Resolves once CDI
 * confirmed the whole image; every refusal and failure is an AppError in plain words, audited.
 */
export async function uploadVmDisk(db: Db, caller: Caller, request: DiskUploadRequest): Promise<{ bytes: number; format: DiskImageFormat }> {
  const { row, ctx } = await uploadableVm(db, caller, request.workloadId, "vm.disk-upload");
  const disk = row.spec.disk!;
  const target = await workloadAuditTarget(db, row, "vm");
  const audit = (outcome: "success" | "error", detail: Record<string, unknown>) =>
    outcome === "success"
      ? auditSuccess(db, caller.actor, { action: "vm.disk-upload", ...target, detail })
      : recordAuditEvent(db, { actorId: caller.actor.userId, actorLabel: caller.actor.label, action: "vm.disk-upload", ...target, outcome, detail });
  try {
    const length = request.length;
    if (length === null || !Number.isSafeInteger(length) || length < 0) throw new ValidationError("The upload must say its size (Content-Length).");
    const diskBytes = disk.sizeGib * GIB;
    if (length > diskBytes) {
      throw new ValidationError(`The image is ${formatMib(length / 1024 ** 2)}, larger than the VM's disk (${disk.sizeGib} GiB). Create the VM with a larger disk, or upload a smaller image.`);
    }
    const body = readableOf(request.body);
    // Its failure (the browser went away) is read from its state where it matters (peekHead,
    // the pump); meanwhile an 'error' with no listener would end the process.
    body.on("error", () => {});
    const verdict = detectDiskImageFormat(await peekHead(body, Math.min(FORMAT_PROBE_BYTES, length)));
    if (!verdict.ok) throw new ValidationError(verdict.message);

    // A cancelled upload deleted the DataVolume: this attempt makes it again (as the create did).
    if (!(await readDataVolume(ctx, disk.dataVolumeName))) await ensureVmDisk(ctx, row);
    const dv = await readyForUpload(ctx, disk.dataVolumeName, request.readyWaitMs ?? UPLOAD_READY_WAIT_MS);
    const phase = dataVolumePhaseOf(dv);
    if (phase === "Succeeded") throw new ConflictError("The disk already holds an uploaded image.");
    if (phase === "Failed") throw new ConflictError("CDI marked the disk as failed; cancel the upload (which deletes the disk) and try again.");

    const [proxy, token] = await Promise.all([readUploadProxy(ctx.connection), requestUploadToken(ctx, dv.status?.claimName || disk.dataVolumeName)]);
    const failure = uploadFailure(await (request.send ?? pumpToUploadProxy)({ ...proxy, token }, body, length, request.signal));
    if (failure) throw failure;
    await audit("success", { dataVolume: disk.dataVolumeName, bytes: length, format: verdict.format });
    return { bytes: length, format: verdict.format };
  } catch (error) {
    await audit("error", { dataVolume: disk.dataVolumeName, error: error instanceof AppError ? error.message : "unexpected error" }).catch(() => {});
    throw error;
  }
}

/** Cancels the upload of the VM's disk: deletes its DataVolume (with what CDI received so far). The next upload makes it again. */
export async function cancelVmDiskUpload(db: Db, caller: Caller, input: { workloadId: string }): Promise<void> {
  const { row, ctx } = await uploadableVm(db, caller, input.workloadId, "vm.disk-upload-cancel");
  const name = row.spec.disk!.dataVolumeName;
  const dv = await readDataVolume(ctx, name);
  if (dv && dataVolumePhaseOf(dv) === "Succeeded") throw new ConflictError("The upload has finished; the disk holds the image. Delete the VM to remove it.");
  await deleteDataVolume(ctx, name);
  await auditSuccess(db, caller.actor, { action: "vm.disk-upload-cancel", ...(await workloadAuditTarget(db, row, "vm")), detail: { dataVolume: name } });
}
