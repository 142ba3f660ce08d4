// Opens the panel's database: PostgreSQL through a node-postgres pool when a URL is given,
// otherwise embedded PGlite (on disk, or in memory for tests). Both give the same `Db` type,
// so services never know which one they run on.

import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { mkdir } from "node:fs/promises";
import pg from "pg";
import * as schema from "@/lib/db/schema";
import { moduleLogger } from "@/lib/observe/log";

/** The Drizzle database every service takes; a transaction handle is one too. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** The handle inside `db.transaction(async (tx) => …)`. */
export type Tx = PgTransaction<PgQueryResultHKT, typeof schema, ExtractTablesWithRelations<typeof schema>>;

/** An open database and the way to close it. */
export interface Database {
  db: Db;
  /** Which engine backs `db`. */
  driver: "postgres" | "pglite";
  close(): Promise<void>;
}

/** Where the database lives: a PostgreSQL URL, a PGlite data directory, or PGlite in memory. */
export interface DatabaseOptions {
  url?: string;
  dataDir?: string;
  memory?: boolean;
}

/** Opens a database as described by `options` (not migrated: see migrateDatabase). */
export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: 10 });
    // An idle connection that drops (server restart, network) is replaced on next use; without
    // a listener, node-postgres' "error" event would crash the process.
    pool.on("error", (error) => moduleLogger("db").error({ reason: error.message }, "database connection lost"));
    const db = drizzleNodePg({ client: pool, schema }) as unknown as Db;
    return { db, driver: "postgres", close: () => pool.end() };
  }
  if (!options.memory && !options.dataDir) {
    throw new Error("createDatabase needs a url, a dataDir or memory: true");
  }
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const client = options.memory ? new PGlite() : new PGlite(options.dataDir);
  return wrapPglite(client);
}

/** A Database over an already constructed PGlite (closing it closes the PGlite). */
export async function wrapPglite(client: PGlite): Promise<Database> {
  await client.waitReady;
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return { db, driver: "pglite", close: () => client.close() };
}
