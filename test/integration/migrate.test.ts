import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { ENGINES, openEmptyDatabase } from "./support/databases";

const TABLES = [
  "api_tokens",
  "audit_events",
  "cluster_assignments",
  "clusters",
  "org_members",
  "organizations",
  "sign_in_throttle",
  "ssh_keys",
  "team_members",
  "teams",
  "users",
  "workloads",
];

describe.each(ENGINES)("migrations on %s", (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openEmptyDatabase(engine);
  });
  afterAll(async () => {
    await database.close();
  });

  it("create every table in an empty database", async () => {
    const first = await migrateDatabase(database.db);
    expect(first.applied).toBeGreaterThan(0);
    const result = await database.db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    const names = (result as unknown as { rows: { table_name: string }[] }).rows.map((r) => r.table_name);
    expect(names).toEqual(TABLES);
  });

  it("apply nothing the second time, also when run concurrently", async () => {
    const results = await Promise.all([migrateDatabase(database.db), migrateDatabase(database.db)]);
    expect(results.map((r) => r.applied)).toEqual([0, 0]);
    const count = await database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    const rows = (count as unknown as { rows: { n: number }[] }).rows;
    expect(rows[0]!.n).toBeGreaterThan(0);
  });
});

describe.each(ENGINES)("concurrent first migration on %s", (engine) => {
  it("applies each migration exactly once", async () => {
    const database = await openEmptyDatabase(engine);
    try {
      const results = await Promise.all([migrateDatabase(database.db), migrateDatabase(database.db)]);
      const applied = results.map((r) => r.applied);
      expect(Math.min(...applied)).toBe(0);
      expect(Math.max(...applied)).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  });
});
