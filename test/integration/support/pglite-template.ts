// Starting PGlite from scratch runs initdb inside WebAssembly (seconds on a busy machine);
// loading a saved data directory takes a fraction of that. The global setup saves one
// migrated database; each test file starts its PGlite from that copy.

import { PGlite } from "@electric-sql/pglite";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { wrapPglite } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";

/** Saves a freshly migrated PGlite data directory as a tarball; returns its path and a remover. */
export async function saveMigratedPgliteTemplate(): Promise<{ file: string; remove: () => void }> {
  const client = new PGlite();
  const database = await wrapPglite(client);
  const dir = mkdtempSync(path.join(tmpdir(), "minicloud-pglite-"));
  try {
    await migrateDatabase(database.db);
    const dump = await client.dumpDataDir("none");
    const file = path.join(dir, "migrated.tar");
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    await database.close();
  }
}
