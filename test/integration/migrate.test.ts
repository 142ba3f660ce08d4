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
  "console_recordings",
  "console_sessions",
  "console_tickets",
  "nested_control_planes",
  "org_members",
  "organizations",
  "panel_keys",
  "panel_leases",
  "panel_replicas",
  "sign_in_throttle",
  "ssh_host_keys",
  "ssh_keys",
  "team_members",
  "teams",
  "users",
  "workloads",
];

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

describe.each(ENGINES)("migrations on %s", (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openEmptyDatabase(engine);
  });
  afterAll(async () => {
    await database.close();
  });

  it("create every table in an empty database, once, when two migrators start together", async () => {
    const results = await Promise.all([migrateDatabase(database.db), migrateDatabase(database.db)]);
    const applied = results.map((r) => r.applied).sort();
    expect(applied[0]).toBe(0);
    expect(applied[1]).toBeGreaterThan(0);
    const tables = await database.db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(rowsOf<{ table_name: string }>(tables).map((r) => r.table_name)).toEqual(TABLES);
    const recorded = await database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect(rowsOf<{ n: number }>(recorded)[0]!.n).toBe(applied[1]);
  });

  it("apply nothing on later starts", async () => {
    expect(await migrateDatabase(database.db)).toEqual({ applied: 0 });
  });
});
