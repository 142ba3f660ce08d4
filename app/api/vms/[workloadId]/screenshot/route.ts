// GET /api/vms/<vm>/screenshot: a VM's screen as a PNG download (the VNC console's "Screenshot"
// button). Signed-in users who may open the VM's consoles; anyone else gets "not found" or
// "forbidden" like the ticket action, as the API's JSON error.
import { errorResponse } from "@/lib/api/responses";
import { getCurrentUser } from "@/lib/auth/session";
import { vmScreenshot } from "@/lib/console/bridges/vm/screenshot";
import { getDb } from "@/lib/db";
import { UnauthenticatedError } from "@/lib/errors";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ workloadId: string }> }) {
  try {
    const current = await getCurrentUser();
    if (!current) throw new UnauthenticatedError();
    const { workloadId } = await params;
    const { png, name } = await vmScreenshot(await getDb(), current.principal, workloadId, { userId: current.user.id, label: current.user.email });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    return new Response(new Uint8Array(png), {
      headers: {
        "content-type": "image/png",
        "content-disposition": `attachment; filename="${name}-${stamp}.png"`,
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
