// A lease in PostgreSQL for work that one replica does at a time. Unlike an advisory lock it
// holds no connection while the work runs (the work waits on clusters for seconds), it works
// the same on PGlite, and a holder that dies simply lets it lapse.
import { and, eq, lt, or, sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { panelLeases } from "@/lib/db/schema";

/** Takes or renews lease `name` for `holder` for `ttlMs` (by the database's clock); false while another holds it. */
export async function holdLease(db: Db, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const until = sql`now() + make_interval(secs => ${ttlMs / 1000})`;
  const rows = await db
    .insert(panelLeases)
    .values({ name, holder, expiresAt: until })
    .onConflictDoUpdate({
      target: panelLeases.name,
      set: { holder, expiresAt: until },
      setWhere: or(eq(panelLeases.holder, holder), lt(panelLeases.expiresAt, sql`now()`)),
    })
    .returning({ holder: panelLeases.holder });
  return rows[0]?.holder === holder;
}

/** Gives lease `name` up, if `holder` has it. */
export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.delete(panelLeases).where(and(eq(panelLeases.name, name), eq(panelLeases.holder, holder)));
}
