// Liveness and readiness for load balancers and compose healthchecks: the database answers.
import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db";
import { moduleLogger } from "@/lib/observe/log";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    const db = await getDb();
    await db.execute(sql`select 1`);
    return Response.json({ status: "ok" });
  } catch (error) {
    moduleLogger("health").error({ err: error }, "health check failed: the database does not answer");
    return Response.json({ status: "unavailable" }, { status: 503 });
  }
}
