// The permission table, written out independently of the code: every permission × every role ×
// (own team, another team of the same org, a team of another org), plus signed out.
// Adding a permission to lib/auth/policy.ts without a row here fails the first test.
import { describe, expect, it } from "vitest";
import { ALL_PERMISSIONS, PERMISSIONS, can, type Permission, type Principal, type Scope } from "@/lib/auth/policy";

const ORG_A = "00000000-0000-4000-8000-00000000000a";
const ORG_B = "00000000-0000-4000-8000-00000000000b";
const TEAM_A1 = "00000000-0000-4000-8000-0000000000a1"; // the role holder's own team
const TEAM_A2 = "00000000-0000-4000-8000-0000000000a2"; // another team of the same org
const TEAM_B1 = "00000000-0000-4000-8000-0000000000b1"; // a team of another org

const principal = (over: Partial<Principal>): Principal => ({ userId: "u", isPlatformAdmin: false, orgRoles: {}, teamRoles: {}, ...over });

const ROLES = {
  "platform admin": principal({ isPlatformAdmin: true }),
  "org owner": principal({ orgRoles: { [ORG_A]: "owner" } }),
  "org admin": principal({ orgRoles: { [ORG_A]: "admin" } }),
  "org member": principal({ orgRoles: { [ORG_A]: "member" } }),
  "team admin": principal({ orgRoles: { [ORG_A]: "member" }, teamRoles: { [TEAM_A1]: "admin" } }),
  "team member": principal({ orgRoles: { [ORG_A]: "member" }, teamRoles: { [TEAM_A1]: "member" } }),
  "team viewer": principal({ orgRoles: { [ORG_A]: "member" }, teamRoles: { [TEAM_A1]: "viewer" } }),
  "signed out": null,
} as const;
type Role = keyof typeof ROLES;
const ROLE_ORDER = Object.keys(ROLES) as Role[];

const RELATIONS = ["own team", "other team, same org", "other org"] as const;
const SCOPES: Record<(typeof RELATIONS)[number], { org: Scope; team: Scope }> = {
  "own team": { org: { kind: "org", orgId: ORG_A }, team: { kind: "team", orgId: ORG_A, teamId: TEAM_A1 } },
  "other team, same org": { org: { kind: "org", orgId: ORG_A }, team: { kind: "team", orgId: ORG_A, teamId: TEAM_A2 } },
  "other org": { org: { kind: "org", orgId: ORG_B }, team: { kind: "team", orgId: ORG_B, teamId: TEAM_B1 } },
};

// One column group per role in ROLE_ORDER; in each, Y/N for own team, other team (same org), other org.
//                              platform  org    org    org    team   team   team   signed
//                              admin     owner  admin  member admin  member viewer out
const EXPECTED: Record<Permission, string> = {
  "users:manage":              "YYY       NNN    NNN    NNN    NNN    NNN    NNN    NNN",
  "orgs:create":               "YYY       NNN    NNN    NNN    NNN    NNN    NNN    NNN",
  "clusters:register":         "YYY       NNN    NNN    NNN    NNN    NNN    NNN    NNN",
  "audit:read-all":            "YYY       NNN    NNN    NNN    NNN    NNN    NNN    NNN",
  "org:read":                  "YYY       YYN    YYN    YYN    YYN    YYN    YYN    NNN",
  "org:rename":                "YYY       YYN    YYN    NNN    NNN    NNN    NNN    NNN",
  "org:delete":                "YYY       YYN    NNN    NNN    NNN    NNN    NNN    NNN",
  "org:members:read":          "YYY       YYN    YYN    YYN    YYN    YYN    YYN    NNN",
  "org:members:manage":        "YYY       YYN    YYN    NNN    NNN    NNN    NNN    NNN",
  "org:teams:create":          "YYY       YYN    YYN    NNN    NNN    NNN    NNN    NNN",
  "org:audit:read":            "YYY       YYN    YYN    NNN    NNN    NNN    NNN    NNN",
  "clusters:assign":           "YYY       YYN    YYN    NNN    NNN    NNN    NNN    NNN",
  "nested:manage":             "YYY       YYN    YYN    NNN    NNN    NNN    NNN    NNN",
  "team:read":                 "YYY       YYN    YYN    NNN    YNN    YNN    YNN    NNN",
  "team:rename":               "YYY       YYN    YYN    NNN    YNN    NNN    NNN    NNN",
  "team:delete":               "YYY       YYN    YYN    NNN    NNN    NNN    NNN    NNN",
  "team:members:read":         "YYY       YYN    YYN    NNN    YNN    YNN    YNN    NNN",
  "team:members:manage":       "YYY       YYN    YYN    NNN    YNN    NNN    NNN    NNN",
  "team:audit:read":           "YYY       YYN    YYN    NNN    YNN    NNN    NNN    NNN",
  "workloads:read":            "YYY       YYN    YYN    NNN    YNN    YNN    YNN    NNN",
  "workloads:create":          "YYY       YYN    YYN    NNN    YNN    YNN    NNN    NNN",
  "workloads:operate":         "YYY       YYN    YYN    NNN    YNN    YNN    NNN    NNN",
  "workloads:delete":          "YYY       YYN    YYN    NNN    YNN    YNN    NNN    NNN",
  "terminals:open":            "YYY       YYN    YYN    NNN    YNN    YNN    NNN    NNN",
};

function expected(permission: Permission, role: Role, relation: number): boolean {
  const groups = EXPECTED[permission].split(/\s+/);
  const group = groups[ROLE_ORDER.indexOf(role)];
  if (group?.length !== 3) throw new Error(`bad row for ${permission}`);
  return group[relation] === "Y";
}

describe("policy table", () => {
  it("has a row for every permission the code defines, and no other", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ALL_PERMISSIONS].sort());
  });

  const cases = ALL_PERMISSIONS.flatMap((permission) =>
    ROLE_ORDER.flatMap((role) => RELATIONS.map((relation, index) => ({ permission, role, relation, index }))),
  );

  it.each(cases)("$role · $permission · $relation", ({ permission, role, relation, index }) => {
    const kind = PERMISSIONS[permission];
    const scope: Scope = kind === "platform" ? { kind: "platform" } : SCOPES[relation][kind];
    expect(can(ROLES[role], permission, scope)).toBe(expected(permission, role, index));
  });

  it("refuses to check a permission against the wrong kind of scope", () => {
    expect(() => can(ROLES["org owner"], "team:read", { kind: "org", orgId: ORG_A })).toThrow(/team scope/);
  });
});
