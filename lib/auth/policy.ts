// Who may do what, as data. Every server action and route handler asks `can()` through
// the action wrapper; the UI asks the same question to decide which buttons to show.
//
// A permission is checked against a scope resolved from the database (never from what the
// client claims): the platform, one organization, or one team (with its organization).
//
// Data at the bottom of the tree: this module imports nothing, so the lowest modules (the
// database schema's role enums, the principal loader) may use it without reaching the
// sign-in and session code beside it in lib/auth.

export const ORG_ROLES = ["owner", "admin", "member"] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export const TEAM_ROLES = ["admin", "member", "viewer"] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/** Each permission with the kind of scope it is checked against. */
export const PERMISSIONS = {
  // platform
  "users:manage": "platform",
  "orgs:create": "platform",
  "clusters:register": "platform",
  "audit:read-all": "platform",
  // organization
  "org:read": "org",
  "org:rename": "org",
  "org:delete": "org",
  "org:members:read": "org",
  "org:members:manage": "org",
  "org:teams:create": "org",
  "org:audit:read": "org",
  "clusters:assign": "org",
  // Nested clusters (hosted control planes) of the organization's teams: create, delete, admin kubeconfig, certificates.
  "nested:manage": "org",
  // team
  "team:read": "team",
  "team:rename": "team",
  "team:delete": "team",
  "team:members:read": "team",
  "team:members:manage": "team",
  "team:audit:read": "team",
  "workloads:read": "team",
  "workloads:create": "team",
  "workloads:operate": "team",
  "workloads:delete": "team",
  "terminals:open": "team",
} as const satisfies Record<string, "platform" | "org" | "team">;

export type Permission = keyof typeof PERMISSIONS;
export type ScopeKind = (typeof PERMISSIONS)[Permission];
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

type PermissionOf<K extends ScopeKind> = { [P in Permission]: (typeof PERMISSIONS)[P] extends K ? P : never }[Permission];
type TeamPermission = PermissionOf<"team">;
type OrgPermission = PermissionOf<"org">;

const TEAM_VIEWER: TeamPermission[] = ["team:read", "team:members:read", "workloads:read"];
const TEAM_MEMBER: TeamPermission[] = [...TEAM_VIEWER, "workloads:create", "workloads:operate", "workloads:delete", "terminals:open"];
const TEAM_ADMIN: TeamPermission[] = [...TEAM_MEMBER, "team:rename", "team:members:manage", "team:audit:read"];
const ALL_TEAM = ALL_PERMISSIONS.filter((p): p is TeamPermission => PERMISSIONS[p] === "team");

/** What each team role grants within its own team. */
export const TEAM_ROLE_PERMISSIONS: Record<TeamRole, readonly TeamPermission[]> = {
  viewer: TEAM_VIEWER,
  member: TEAM_MEMBER,
  admin: TEAM_ADMIN,
};

const ORG_MEMBER: OrgPermission[] = ["org:read", "org:members:read"];
const ORG_ADMIN: OrgPermission[] = [...ORG_MEMBER, "org:rename", "org:members:manage", "org:teams:create", "org:audit:read", "clusters:assign", "nested:manage"];
const ORG_OWNER: OrgPermission[] = [...ORG_ADMIN, "org:delete"];

/** What each org role grants within its own organization. */
export const ORG_ROLE_PERMISSIONS: Record<OrgRole, readonly OrgPermission[]> = {
  member: ORG_MEMBER,
  admin: ORG_ADMIN,
  owner: ORG_OWNER,
};

/**
 * What each org role grants on every team of its organization. Org owners and admins
 * administer all of the org's teams (and may delete them); plain members get nothing
 * beyond their own team memberships.
 */
export const ORG_ROLE_TEAM_PERMISSIONS: Record<OrgRole, readonly TeamPermission[]> = {
  member: [],
  admin: ALL_TEAM,
  owner: ALL_TEAM,
};

/** The signed-in user's roles, loaded from the database per request. */
export interface Principal {
  userId: string;
  isPlatformAdmin: boolean;
  orgRoles: Readonly<Record<string, OrgRole>>;
  teamRoles: Readonly<Record<string, TeamRole>>;
}

export type Scope =
  | { kind: "platform" }
  | { kind: "org"; orgId: string }
  | { kind: "team"; orgId: string; teamId: string };

/** Whether `principal` holds `permission` on `scope`. Signed out (null) holds nothing. */
export function can(principal: Principal | null, permission: Permission, scope: Scope): boolean {
  if (!principal) return false;
  if (PERMISSIONS[permission] !== scope.kind) {
    throw new Error(`permission ${permission} is checked against a ${PERMISSIONS[permission]} scope, not ${scope.kind}`);
  }
  if (principal.isPlatformAdmin) return true;
  switch (scope.kind) {
    case "platform":
      return false;
    case "org": {
      const role = principal.orgRoles[scope.orgId];
      return role !== undefined && (ORG_ROLE_PERMISSIONS[role] as readonly Permission[]).includes(permission);
    }
    case "team": {
      const teamRole = principal.teamRoles[scope.teamId];
      if (teamRole && (TEAM_ROLE_PERMISSIONS[teamRole] as readonly Permission[]).includes(permission)) return true;
      const orgRole = principal.orgRoles[scope.orgId];
      return orgRole !== undefined && (ORG_ROLE_TEAM_PERMISSIONS[orgRole] as readonly Permission[]).includes(permission);
    }
  }
}

/**
 * The permission that lets a caller know a scope exists. A caller refused something on a scope
 * they may not read is told "not found", never "forbidden", so nothing leaks (the platform is
 * no secret).
 */
export const READ_PERMISSION: Record<ScopeKind, Permission | null> = {
  platform: null,
  org: "org:read",
  team: "team:read",
};

/** Whether `principal` may know that `scope` exists (its read permission). */
export function maySee(principal: Principal | null, scope: Scope): boolean {
  const read = READ_PERMISSION[scope.kind];
  return read === null ? principal !== null : can(principal, read, scope);
}
