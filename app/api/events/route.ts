// Live events for the signed-in browser (Server-Sent Events): pod status as it changes,
// filtered to what the user may see. See lib/live/event-stream.ts.
import { getDb } from "@/lib/db";
import { createEventStream } from "@/lib/live/event-stream";
import { getLiveHub } from "@/lib/live/hub";
import { authenticateSession } from "@/lib/live/session-auth";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = createEventStream(async () => getLiveHub(await getDb()), authenticateSession);
