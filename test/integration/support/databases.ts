// Opens a fresh, migrated database per test file on each engine the panel supports, so
// every integration case runs against both real PostgreSQL and PGlite.

import { PGlite } from "@electric-sql/pglite";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { createDatabase, wrapPglite, type Database, type Db } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";

/** The engines every integration case runs on (for `describe.each`). */
export const ENGINES = ["postgres", "pglite"] as const;
export type Engine = (typeof ENGINES)[number];

async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const serverUrl = inject("postgresUrl");
  const name = `minicloud_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A new empty database on `engine` (not migrated); close() also drops a PostgreSQL one. */
export async function openEmptyDatabase(engine: Engine): Promise<Database> {
  if (engine === "pglite") return createDatabase({ memory: true });
  const { url, drop } = await createPostgresDatabase();
  const database = await createDatabase({ url });
  return {
    ...database,
    async close() {
      await database.close();
      await drop();
    },
  };
}

/** A new migrated database on `engine`. */
export async function openTestDatabase(engine: Engine): Promise<Database> {
  if (engine === "pglite") {
    const template = await readFile(inject("pgliteTemplate"));
    return wrapPglite(new PGlite({ loadDataDir: new Blob([template]) }));
  }
  const database = await openEmptyDatabase(engine);
  await migrateDatabase(database.db);
  return database;
}

/** Opens a migrated database for the enclosing describe block; call the getter inside tests. */
export function useTestDatabase(engine: Engine): () => Db {
  let database: Database | undefined;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await database?.close();
  });
  return () => {
    if (!database) throw new Error("database not open yet");
    return database.db;
  };
}
