// Download of a nested cluster's admin kubeconfig (system:masters): org admins of the owning
// team's organization and platform admins; every download is audited.
import { getDb } from "@/lib/db";
import { errorResponse } from "@/lib/api/responses";
import { authorizeNestedRoute } from "@/lib/nested/route-access";
import { downloadAdminKubeconfig } from "@/lib/nested/service";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(_request: Request, { params }: { params: Promise<{ clusterId: string }> }) {
  const { clusterId } = await params;
  const db = await getDb();
  try {
    const actor = await authorizeNestedRoute(db, clusterId, "nested.kubeconfig.download");
    const { filename, text } = await downloadAdminKubeconfig(db, actor, { clusterId });
    return new Response(text, {
      headers: {
        "content-type": "application/yaml; charset=utf-8",
        "content-disposition": `attachment; filename="${filename}"`,
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
