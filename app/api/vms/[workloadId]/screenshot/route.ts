// A VM's screen as a PNG download (the VNC console's "Screenshot" button). Signed-in users who
// may open the VM's consoles; anyone else gets "not found" or "forbidden" like the ticket action.
import { getCurrentUser } from "@/lib/auth/session";
import { vmScreenshot } from "@/lib/console/bridges/vm/screenshot";
import { getDb } from "@/lib/db";
import { toUserError } from "@/lib/errors";

export const dynamic = "force-dynamic";

const STATUS: Record<string, number> = { not_found: 404, forbidden: 403, unauthenticated: 401, unavailable: 503, invalid: 400 };

export async function GET(_request: Request, { params }: { params: Promise<{ workloadId: string }> }) {
  const current = await getCurrentUser();
  if (!current) return Response.json({ error: "Please sign in." }, { status: 401 });
  const { workloadId } = await params;
  try {
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
    const userError = toUserError(error);
    return Response.json({ error: userError.message }, { status: STATUS[userError.code] ?? 500 });
  }
}
