// POST /api/vm-disk-uploads/<vm>: stream a VM's disk image to CDI (body: the file); DELETE: cancel the upload.
import { getDb } from "@/lib/db";
import { cancelVmDiskUploadResponse, vmDiskUploadResponse } from "@/lib/api/vm-disk-upload";

export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ workloadId: string }> }): Promise<Response> {
  return vmDiskUploadResponse(request, (await params).workloadId, await getDb());
}

export async function DELETE(request: Request, { params }: { params: Promise<{ workloadId: string }> }): Promise<Response> {
  return cancelVmDiskUploadResponse(request, (await params).workloadId, await getDb());
}
