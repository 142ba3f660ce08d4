// The frame of a VM's console pages (serial, VNC, ssh terminal): where you are, the VM's status,
// links between its consoles, and — instead of the console — why there is none (not allowed, the
// cluster cannot be asked, the VM is not running). The console itself asks its ticket action,
// which authorizes again; this only explains. A VM of another team is not found.
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { VmStatus } from "@/components/vms/vm-status";
import { loadTeamForPage } from "@/lib/access/page-access";
import { NotFoundError } from "@/lib/errors";
import { getVm } from "@/lib/vms/queries";
import type { VmDetail } from "@/lib/vms/types";

export type VmConsoleKind = "serial" | "vnc" | "ssh";

const TITLES: Record<VmConsoleKind, string> = { serial: "Serial console", vnc: "VNC console", ssh: "SSH terminal" };

/** The page path of each console of VM `vmId` in team `teamId`. */
export function vmConsoleHref(teamId: string, vmId: string, kind: VmConsoleKind): string {
  return `/t/${teamId}/vms/${vmId}/${kind === "ssh" ? "terminal" : `console/${kind}`}`;
}

/** Links to a VM's consoles (the VM page shows them too). */
export function VmConsoleLinks({ teamId, vmId, current }: { teamId: string; vmId: string; current?: VmConsoleKind }) {
  return (
    <span className="console-links">
      {(Object.keys(TITLES) as VmConsoleKind[]).map((kind) =>
        kind === current ? (
          <strong key={kind}>{TITLES[kind]}</strong>
        ) : (
          <Link key={kind} className="button" href={vmConsoleHref(teamId, vmId, kind)} data-testid={`vm-console-link-${kind}`}>
            {TITLES[kind]}
          </Link>
        ),
      )}
    </span>
  );
}

/** Loads the VM and renders `children(vm)` when a console can be opened on it now. */
export async function VmConsoleFrame({ teamId, vmId, kind, children }: { teamId: string; vmId: string; kind: VmConsoleKind; children: (vm: VmDetail, team: { slug: string; orgSlug: string }) => ReactNode }) {
  const { db, team, allowed } = await loadTeamForPage(teamId);
  const vm = await getVm(db, team.id, vmId).catch((e: unknown) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const running = vm.runtime.phase === "Running";
  return (
    <>
      <div className="crumbs">
        <Link href={`/t/${team.id}/vms`}>VMs</Link> / <Link href={`/t/${team.id}/vms/${vm.id}`}>{vm.displayName}</Link> / {TITLES[kind]}
      </div>
      <div className="page-head">
        <h1>
          {TITLES[kind]}: {vm.displayName}
        </h1>
        <VmStatus runtime={vm.runtime} />
      </div>
      <p>
        <VmConsoleLinks teamId={team.id} vmId={vm.id} current={kind} />
      </p>
      {!allowed("terminals:open") ? (
        <p className="empty">Your role in this team lets you see its VMs but not open their consoles. A team admin can make you a member.</p>
      ) : vm.clusterError ? (
        <div className="alert error" role="alert">
          {vm.clusterError}
        </div>
      ) : !running ? (
        <p className="empty" data-testid="console-unavailable">
          {vm.runtime.printableStatus === "Missing"
            ? "The VM does not exist in the cluster any more."
            : `The VM is ${vm.runtime.printableStatus}${vm.runtime.reason ? ` (${vm.runtime.reason})` : ""}. Its consoles open once it is Running.`}
        </p>
      ) : (
        children(vm, { slug: team.slug, orgSlug: team.orgSlug })
      )}
    </>
  );
}
