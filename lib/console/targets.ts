// What a terminal connects to, resolved from the database — never from what a client sends:
// the workload row gives the team (and through it the organization), the cluster, the
// namespace and the name. Where the target runs right now is the locator's business, at
// connect time (bridges/locator.ts).
import { can, type Principal, type Scope } from "@/lib/auth/policy";
import type { Db } from "@/lib/db/client";
import { isUuid } from "@/lib/db/ids";
import { getEnv } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { loginNameFor } from "@/lib/pods/login-name";
import { vmLoginUser } from "@/lib/vms/login-user";
import type { WorkloadKind } from "@/lib/workloads/kinds";
import { listOwnedWorkloads, type OwnedWorkload } from "@/lib/workloads/rows";

/** How a terminal reaches its target (see `console_mode`): `serial` and `vnc` are a VM's consoles. */
export type TerminalMode = "exec" | "ssh" | "serial" | "vnc" | "tunnel";
export const TERMINAL_MODES = ["exec", "ssh", "serial", "vnc", "tunnel"] as const satisfies readonly TerminalMode[];

/** The ways into a VM from the browser (its ticket action's modes). */
export const VM_CONSOLE_MODES = ["serial", "vnc", "ssh"] as const satisfies readonly TerminalMode[];

/**
 * Modes with one connection per target (KubeVirt's rule for a VMI's serial and VNC consoles):
 * a second viewer is told who holds it and may take it over (lib/console/session/console-holders.ts).
 */
export const EXCLUSIVE_MODES: ReadonlySet<TerminalMode> = new Set(["serial", "vnc"]);

/** A workload a terminal may connect to, with its owners and where it runs. */
export interface TerminalTarget {
  workloadId: string;
  kind: WorkloadKind;
  orgId: string;
  orgSlug: string;
  teamId: string;
  teamSlug: string;
  clusterId: string;
  namespace: string;
  name: string;
  /** `<team-slug>/<name>`: what people see in lists and audit rows. */
  label: string;
  /** The account ssh logs into (the owner's login name in the pod). */
  loginUser: string;
}

/** Which modes each kind of workload offers. */
const MODES_BY_KIND: Record<TerminalTarget["kind"], readonly TerminalMode[]> = {
  "ssh-pod": ["exec", "ssh", "tunnel"],
  vm: ["serial", "vnc", "ssh", "tunnel"],
  "nested-cluster": [],
};

/** Whether `mode` is offered for `target`'s kind. */
export function supportsMode(target: Pick<TerminalTarget, "kind">, mode: TerminalMode): boolean {
  return MODES_BY_KIND[target.kind].includes(mode);
}

/** The scope `terminals:open` is checked against for this target. */
export function targetScope(target: Pick<TerminalTarget, "orgId" | "teamId">): Scope & { kind: "team" } {
  return { kind: "team", orgId: target.orgId, teamId: target.teamId };
}

/** Whether `principal` may open a terminal on `target`. */
export function mayOpenTerminal(principal: Principal, target: Pick<TerminalTarget, "orgId" | "teamId">): boolean {
  return can(principal, "terminals:open", targetScope(target));
}

/**
 * The login user of a workload: the spec's `loginUser` when the pod service stored one,
 * else the name the SSH pod image derives from the creator's e-mail (MINICLOUD_USER).
 */
export function loginUserOf(spec: Record<string, unknown>, creatorEmail: string): string {
  return typeof spec.loginUser === "string" && spec.loginUser ? spec.loginUser : loginNameFor(creatorEmail);
}

function toTarget(row: OwnedWorkload): TerminalTarget {
  const { spec, creatorEmail, ...rest } = row;
  const loginUser = row.kind === "vm" ? vmLoginUser(spec) : (getEnv().sshPodLogin ?? loginUserOf(spec, creatorEmail));
  return { ...rest, label: `${row.teamSlug}/${row.name}`, loginUser };
}

/** The target for workload `workloadId`; NotFound when there is no such workload. */
export async function loadTerminalTarget(db: Db, workloadId: string): Promise<TerminalTarget> {
  if (!isUuid(workloadId)) throw new NotFoundError("No such pod.");
  const [row] = await listOwnedWorkloads(db, { id: workloadId });
  if (!row) throw new NotFoundError("No such pod.");
  return toTarget(row);
}

/** The target named `<org-slug>/<team-slug>/<name>` (how people type it); NotFound otherwise. */
export async function findTerminalTargetByName(db: Db, orgSlug: string, teamSlug: string, name: string): Promise<TerminalTarget> {
  const [row] = await listOwnedWorkloads(db, { orgSlug, teamSlug, name });
  if (!row) throw new NotFoundError("No such pod.");
  return toTarget(row);
}

/** Every SSH pod and VM `principal` may open a terminal on, pods first, each ordered by team and name. */
export async function listReachableTargets(db: Db, principal: Principal): Promise<TerminalTarget[]> {
  const rows = [...(await listOwnedWorkloads(db, { kind: "ssh-pod" })), ...(await listOwnedWorkloads(db, { kind: "vm" }))];
  return rows.map(toTarget).filter((target) => mayOpenTerminal(principal, target));
}
