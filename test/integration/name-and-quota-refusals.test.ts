// Names with control, invisible or look-alike characters, and CPU or memory quotas of 0, are
// refused by the services themselves on both engines — each with a sentence naming the
// refused character by code point — before any row or audit row is written.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { assignCluster } from "@/lib/clusters/assignments";
import { organizations, teams } from "@/lib/db/schema";
import { ValidationError } from "@/lib/errors";
import { createOrg, renameOrg } from "@/lib/orgs/service";
import { createTeam, renameTeam } from "@/lib/teams/service";
import { ENGINES, useTestDatabase } from "./support/databases";
import { auditCount, insertUser, uniqueName } from "./support/fixtures";

const BAD_NAMES: [string, string][] = [
  ["Acme\u200bCorp", "U+200B ZERO WIDTH SPACE is not allowed: use letters a–z, digits, spaces and dashes."],
  ["Acme\tCorp", "U+0009 CHARACTER TABULATION is not allowed: use letters a–z, digits, spaces and dashes."],
  ["Acme\u0000", "U+0000 NULL is not allowed: use letters a–z, digits, spaces and dashes."],
  ["\u202eAcme", "U+202E RIGHT-TO-LEFT OVERRIDE is not allowed: use letters a–z, digits, spaces and dashes."],
  ["\u0410cme", "“\u0410” is not allowed (U+0410, a Cyrillic letter): use letters a–z, digits, spaces and dashes."],
  ["Acme\u00a0Corp", "U+00A0 NO-BREAK SPACE is not allowed: use letters a–z, digits, spaces and dashes."],
];

describe.each(ENGINES)("refused names and quotas on %s", (engine) => {
  const db = useTestDatabase(engine);

  async function expectRefused(run: () => Promise<unknown>, field: string, message: string) {
    const [audits, orgs, teamRows] = [await auditCount(db()), (await db().select().from(organizations)).length, (await db().select().from(teams)).length];
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors?.[field]).toBe(message);
    expect(await auditCount(db())).toBe(audits);
    expect(await db().select().from(organizations)).toHaveLength(orgs);
    expect(await db().select().from(teams)).toHaveLength(teamRows);
  }

  it.each(BAD_NAMES)("refuses %j for organizations and teams, created or renamed", async (name, message) => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const org = await createOrg(db(), admin, { name: uniqueName("Org") });
    const team = await createTeam(db(), admin, { orgId: org.id, name: uniqueName("Team") });
    await expectRefused(() => createOrg(db(), admin, { name }), "name", message);
    await expectRefused(() => renameOrg(db(), admin, { orgId: org.id, name }), "name", message);
    await expectRefused(() => createTeam(db(), admin, { orgId: org.id, name }), "name", message);
    await expectRefused(() => renameTeam(db(), admin, { orgId: org.id, teamId: team.id, name }), "name", message);
  });

  it("refuses a CPU or memory quota of 0 before looking at the cluster", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const ids = { clusterId: randomUUID(), teamId: randomUUID() };
    await expectRefused(() => assignCluster(db(), admin, { ...ids, quota: { cpuMillicores: 0 } }), "cpuMillicores", "A CPU quota of 0 lets no pod start; leave it empty for no limit.");
    await expectRefused(() => assignCluster(db(), admin, { ...ids, quota: { memoryMib: 0 } }), "memoryMib", "A memory quota of 0 lets no pod start; leave it empty for no limit.");
  });
});
