// What the cluster-registration and assignment tests share: an organization with teams and
// people in the database, and kubeconfigs for a ServiceAccount allowed only what a test grants.
import { randomUUID } from "node:crypto";
import { CoreV1Api, RbacAuthorizationV1Api, type KubeConfig, type V1PolicyRule } from "@kubernetes/client-node";
import { eq } from "drizzle-orm";
import type { Caller } from "@/lib/actions/define-action";
import type { OrgRole, TeamRole } from "@/lib/auth/policy";
import type { Db } from "@/lib/db/client";
import { auditEvents, organizations, orgMembers, teamMembers, teams, users } from "@/lib/db/schema";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { uniqueName } from "./helpers";

/** Creates a user; platform admin when asked. */
export async function createUser(db: Db, options: { platformAdmin?: boolean } = {}): Promise<{ id: string; email: string }> {
  const email = `${uniqueName("user")}@example.test`;
  const [user] = await db.insert(users).values({ email, name: email.split("@")[0]!, isPlatformAdmin: options.platformAdmin ?? false }).returning();
  return { id: user!.id, email };
}

/** Creates an organization with one team per name given. */
export async function createOrgWithTeams(db: Db, teamCount = 1): Promise<{ orgId: string; orgSlug: string; teams: { id: string; slug: string; name: string }[] }> {
  const orgSlug = uniqueName("org");
  const [org] = await db.insert(organizations).values({ name: orgSlug, slug: orgSlug }).returning();
  const created = [];
  for (let i = 0; i < teamCount; i++) {
    const slug = uniqueName(`team${i}`);
    const [team] = await db.insert(teams).values({ orgId: org!.id, name: slug, slug }).returning();
    created.push({ id: team!.id, slug, name: slug });
  }
  return { orgId: org!.id, orgSlug, teams: created };
}

/** Gives a user a role in an organization and/or a team. */
export async function grant(db: Db, userId: string, roles: { orgId?: string; orgRole?: OrgRole; teamId?: string; teamRole?: TeamRole }): Promise<void> {
  if (roles.orgId && roles.orgRole) await db.insert(orgMembers).values({ orgId: roles.orgId, userId, role: roles.orgRole });
  if (roles.teamId && roles.teamRole) await db.insert(teamMembers).values({ teamId: roles.teamId, userId, role: roles.teamRole });
}

/** The caller of an action for a user, with roles loaded from the database. */
export async function callerFor(db: Db, user: { id: string; email: string }): Promise<Caller> {
  const principal = await loadPrincipal(db, user.id);
  if (!principal) throw new Error("user not found");
  return { principal, actor: { userId: user.id, label: user.email } };
}

/** Audit rows of one action, oldest first. */
export async function auditRows(db: Db, action: string) {
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.action, action));
  return rows.sort((a, b) => a.seq - b.seq);
}

/**
 * A kubeconfig for a new ServiceAccount (in `namespace`) holding only `rules`, cluster-wide,
 * with a token minted through the TokenRequest API; the harness's server and CA.
 * `cleanup()` removes the ClusterRole and its binding.
 */
export async function limitedKubeconfig(kc: KubeConfig, namespace: string, rules: V1PolicyRule[]): Promise<{ kubeconfig: string; cleanup: () => Promise<void> }> {
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const name = uniqueName("limited");
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await rbac.createClusterRole({ body: { metadata: { name }, rules } });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
  });
  const token = await core.createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const cluster = kc.getCurrentCluster()!;
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "limited", cluster: { server: cluster.server, "certificate-authority-data": cluster.caData } }],
    users: [{ name, user: { token: token.status!.token } }],
    contexts: [{ name: "limited", context: { cluster: "limited", user: name } }],
    "current-context": "limited",
  };
  return {
    kubeconfig: JSON.stringify(config),
    cleanup: async () => {
      await rbac.deleteClusterRoleBinding({ name }).catch(() => {});
      await rbac.deleteClusterRole({ name }).catch(() => {});
    },
  };
}

/** A fresh id that names no row. */
export const missingId = () => randomUUID();
