// A nested cluster's worker pool: GET as JSON, or as Server-Sent Events (sent again whenever its
// workers' VMs or the nested cluster's Nodes change) for the cluster page; PUT `{ "size": n }`
// scales it. Session cookie or personal token; `nested:manage` on the owning organization.
import { getDb } from "@/lib/db";
import { scaleWorkerPoolResponse, workerPoolResponse } from "@/lib/nested/workers/rest";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(request: Request, { params }: { params: Promise<{ clusterId: string }> }) {
  return workerPoolResponse(request, (await params).clusterId, await getDb());
}

export async function PUT(request: Request, { params }: { params: Promise<{ clusterId: string }> }) {
  return scaleWorkerPoolResponse(request, (await params).clusterId, await getDb());
}
