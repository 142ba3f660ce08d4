// The process-wide database: opened and migrated once, on first use.

// No "server-only" marker here: server.ts (outside the Next.js bundle) opens the database too.
import { createDatabase, type Database, type Db } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";

export type { Db, Tx } from "@/lib/db/client";

// Kept on globalThis so Next.js dev-mode module reloads do not open a second PGlite
// on the same data directory (which would corrupt it).
const globalForDb = globalThis as typeof globalThis & { __minicloudDatabase?: Promise<Database> };

/** The database of this process: PostgreSQL when DATABASE_URL is set, else PGlite in MINICLOUD_DATA_DIR (./data). */
export async function getDb(): Promise<Db> {
  globalForDb.__minicloudDatabase ??= openProcessDatabase().catch((error: unknown) => {
    globalForDb.__minicloudDatabase = undefined;
    throw error;
  });
  return (await globalForDb.__minicloudDatabase).db;
}

/** Closes the process database, if it was opened (for graceful shutdown). */
export async function closeDb(): Promise<void> {
  const pending = globalForDb.__minicloudDatabase;
  globalForDb.__minicloudDatabase = undefined;
  if (pending) await (await pending).close();
}

async function openProcessDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL || undefined;
  const database = await createDatabase(url ? { url } : { dataDir: process.env.MINICLOUD_DATA_DIR || "./data" });
  try {
    await migrateDatabase(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
