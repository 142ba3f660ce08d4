// deploy/rbac.yaml grants the panel exactly what lib/clusters/required-access.ts says it needs:
// every verb of the list is covered by a rule, and no rule grants anything the list lacks.
import { readFileSync } from "node:fs";
import { loadAllYaml, type V1ClusterRole, type V1PolicyRule } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { REQUIRED_ACCESS, applicableAccess, describeAccess } from "@/lib/clusters/required-access";

const documents = loadAllYaml(readFileSync(new URL("../../deploy/rbac.yaml", import.meta.url), "utf8")) as { kind: string; metadata: { name: string; namespace?: string } }[];
const clusterRole = documents.find((d) => d.kind === "ClusterRole") as unknown as V1ClusterRole;

function allows(rules: V1PolicyRule[], group: string, resource: string, verb: string): boolean {
  return rules.some(
    (rule) =>
      (rule.apiGroups ?? []).some((g) => g === group || g === "*") &&
      (rule.resources ?? []).some((r) => r === resource || r === "*") &&
      rule.verbs.some((v) => v === verb || v === "*"),
  );
}

describe("deploy/rbac.yaml", () => {
  it("has the panel's ServiceAccount bound to its ClusterRole", () => {
    expect(documents.find((d) => d.kind === "ServiceAccount")?.metadata).toMatchObject({ name: "minicloud", namespace: "minicloud" });
    const binding = documents.find((d) => d.kind === "ClusterRoleBinding") as unknown as { roleRef: { name: string }; subjects: unknown[] };
    expect(binding.roleRef.name).toBe(clusterRole.metadata?.name);
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "minicloud", namespace: "minicloud" }]);
  });

  it("grants every verb of the required-access list", () => {
    const uncovered = REQUIRED_ACCESS.flatMap((entry) =>
      entry.verbs
        .filter((verb) => !allows(clusterRole.rules ?? [], entry.group, entry.subresource ? `${entry.resource}/${entry.subresource}` : entry.resource, verb))
        .map((verb) => describeAccess(entry, verb)),
    );
    expect(uncovered).toEqual([]);
  });

  it("grants nothing beyond the list (no wildcards, no extra verbs)", () => {
    const extra: string[] = [];
    for (const rule of clusterRole.rules ?? []) {
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          for (const verb of rule.verbs) {
            const [name, sub] = resource.split("/");
            const listed = REQUIRED_ACCESS.some((e) => e.group === group && e.resource === name && e.subresource === sub && e.verbs.includes(verb));
            if (!listed) extra.push(`${verb} ${group}/${resource}`);
          }
        }
      }
    }
    expect(extra).toEqual([]);
  });
});

describe("required access", () => {
  it("asks about impersonation and VM APIs only where they matter", () => {
    const none = applicableAccess({ impersonation: false, apis: { kubevirt: false, cdi: false, metrics: false } });
    expect(none.some((e) => e.when !== "always")).toBe(false);
    const all = applicableAccess({ impersonation: true, apis: { kubevirt: true, cdi: true, metrics: true } });
    expect(all).toHaveLength(REQUIRED_ACCESS.length);
  });

  it("reads as verb and resource, with group and subresource", () => {
    const exec = REQUIRED_ACCESS.find((e) => e.subresource === "exec")!;
    expect(describeAccess(exec, "create")).toBe("create pods/exec");
    const start = REQUIRED_ACCESS.find((e) => e.subresource === "start")!;
    expect(describeAccess(start, "update")).toBe("update virtualmachines.subresources.kubevirt.io/start");
  });
});
