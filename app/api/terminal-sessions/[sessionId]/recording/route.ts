// A recorded terminal session as asciicast v2 text, for the audit page's player (asciinema
// player or xterm.js replay). Only admins of the session's organization get it.
import { getCurrentUser } from "@/lib/auth/session";
import { readSessionRecording } from "@/lib/console/session/session-store";
import { getDb } from "@/lib/db";
import { toUserError } from "@/lib/errors";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ sessionId: string }> }) {
  const current = await getCurrentUser();
  if (!current) return Response.json({ error: "Please sign in." }, { status: 401 });
  const { sessionId } = await params;
  try {
    const cast = await readSessionRecording(await getDb(), current.principal, sessionId);
    return new Response(cast, {
      headers: {
        "content-type": "application/x-asciicast; charset=utf-8",
        "content-disposition": `inline; filename="session-${sessionId}.cast"`,
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    const userError = toUserError(error);
    return Response.json({ error: userError.message }, { status: userError.code === "not_found" ? 404 : 500 });
  }
}
