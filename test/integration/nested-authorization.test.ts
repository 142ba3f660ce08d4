// Nested clusters' actions refuse across organizations and below org admin: the owner is the
// nested cluster's team's organization, read from the database; a caller who may not see it
// hears "not found", an org member "forbidden"; denials are audited and change nothing.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createNestedClusterAction, deleteNestedClusterAction, rotateNestedCertificatesAction } from "@/app/(panel)/orgs/[orgId]/nested/actions";
import { executeAction, type Caller } from "@/lib/actions/define-action";
import { auditEvents, clusters, workloads } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { createOrg } from "@/lib/orgs/service";
import { addTeamMember, createTeam } from "@/lib/teams/service";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { ENGINES, useTestDatabase } from "./support/databases";
import { insertUser, uniqueName } from "./support/fixtures";

async function callerFor(db: Db, user: { userId: string; label: string }): Promise<Caller> {
  const principal = await loadPrincipal(db, user.userId);
  if (!principal) throw new Error("no principal");
  return { principal, actor: user };
}

describe.each(ENGINES)("nested cluster actions on %s", (engine) => {
  const getDb = useTestDatabase(engine);
  const world = {} as { teamA: string; ownerB: Caller; memberA: Caller; nestedId: string; hostId: string };

  beforeAll(async () => {
    const db = getDb();
    const admin = await insertUser(db, { isPlatformAdmin: true });
    const ownerA = await insertUser(db);
    const ownerB = await insertUser(db);
    const memberA = await insertUser(db);
    const orgA = await createOrg(db, admin, { name: uniqueName("org a"), ownerUserId: ownerA.userId });
    await createOrg(db, admin, { name: uniqueName("org b"), ownerUserId: ownerB.userId });
    const teamA = await createTeam(db, admin, { orgId: orgA.id, name: "a" });
    await addTeamMember(db, admin, { orgId: orgA.id, teamId: teamA.id, email: memberA.email, role: "admin" });
    // A host cluster and a nested cluster's row of team A (no Kubernetes needed: every call here is refused first).
    const hostId = randomUUID();
    await db.insert(clusters).values({ id: hostId, name: uniqueName("host"), slug: uniqueName("host").toLowerCase().replace(/\s+/g, "-"), kind: "host" });
    const nestedId = randomUUID();
    await db.insert(workloads).values({ id: nestedId, teamId: teamA.id, clusterId: hostId, kind: "nested-cluster", namespace: `nested-${nestedId.slice(0, 8)}`, name: "plane-abcde", spec: { displayName: "plane" }, createdBy: admin.userId });
    Object.assign(world, { teamA: teamA.id, ownerB: await callerFor(db, ownerB), memberA: await callerFor(db, memberA), nestedId, hostId });
  });

  const create = () => ({ teamId: world.teamA, hostClusterId: world.hostId, name: "sneaky", version: "v1.35.4" });

  it("another organization's owner is told not found, for a create and for an existing cluster", async () => {
    const db = getDb();
    await expect(executeAction(createNestedClusterAction.definition, world.ownerB, create(), db)).rejects.toBeInstanceOf(NotFoundError);
    await expect(executeAction(deleteNestedClusterAction.definition, world.ownerB, { id: world.nestedId, confirmName: "plane" }, db)).rejects.toBeInstanceOf(NotFoundError);
    await expect(executeAction(rotateNestedCertificatesAction.definition, world.ownerB, { clusterId: world.nestedId }, db)).rejects.toBeInstanceOf(NotFoundError);
    const denied = await db.select().from(auditEvents).where(and(eq(auditEvents.actorId, world.ownerB.actor.userId), eq(auditEvents.outcome, "denied")));
    expect(denied.map((r) => r.action).sort()).toEqual(["nested.certificates.rotate", "nested.create", "nested.delete"]);
  });

  it("a team admin who is only an org member is forbidden: nested clusters are an org admin's", async () => {
    const db = getDb();
    await expect(executeAction(createNestedClusterAction.definition, world.memberA, create(), db)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(executeAction(deleteNestedClusterAction.definition, world.memberA, { id: world.nestedId, confirmName: "plane" }, db)).rejects.toBeInstanceOf(ForbiddenError);
    const [row] = await db.select().from(workloads).where(eq(workloads.id, world.nestedId));
    expect(row?.state).toBe("ready");
    expect(await db.select().from(workloads).where(eq(workloads.kind, "nested-cluster"))).toHaveLength(1);
  });
});
