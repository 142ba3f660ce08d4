// Liveness and readiness for load balancers and compose healthchecks: the database answers.
import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    const db = await getDb();
    await db.execute(sql`select 1`);
    return Response.json({ status: "ok" });
  } catch (error) {
    console.error("[minicloud] health check failed:", error);
    return Response.json({ status: "unavailable" }, { status: 503 });
  }
}
