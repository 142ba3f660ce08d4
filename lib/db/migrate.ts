// Applies the SQL migrations in drizzle/ to a database, once each, in order.

import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import path from "node:path";
import type { Db } from "@/lib/db/client";

// Any constant shared by every replica: the advisory lock that serializes migrators.
const MIGRATION_LOCK_KEY = 7_202_611;

/** Where the migrations live; the panel runs from the repository (or image) root. */
export const DEFAULT_MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");

/**
 * Brings the schema up to date; safe to call on every start and from several replicas at
 * once. Uses drizzle-kit's own bookkeeping table (drizzle.__drizzle_migrations), so the
 * result is the same as drizzle-orm's migrator, but everything — the bookkeeping included —
 * runs in one transaction under an advisory lock: two replicas starting together cannot
 * both apply a migration, and a failed migration leaves nothing behind.
 */
export async function migrateDatabase(db: Db, migrationsFolder: string = DEFAULT_MIGRATIONS_FOLDER): Promise<{ applied: number }> {
  const migrations = readMigrationFiles({ migrationsFolder });
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`create schema if not exists drizzle`);
    await tx.execute(
      sql`create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
    );
    const last = await tx.execute(sql`select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`);
    const lastApplied = Number(rowsOf<{ created_at: string | number | null }>(last)[0]?.created_at ?? -1);
    let applied = 0;
    for (const migration of migrations) {
      if (migration.folderMillis <= lastApplied) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) await tx.execute(sql.raw(statement));
      }
      await tx.execute(
        sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`,
      );
      applied++;
    }
    return { applied };
  });
}

// Both drivers return { rows }, but the shared Db type does not know the result shape.
function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
