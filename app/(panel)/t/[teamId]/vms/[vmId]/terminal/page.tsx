import type { Metadata } from "next";
import { VmConsoleFrame } from "@/components/console/vm-console-frame";
import { TerminalTabs } from "@/components/terminal/terminal-tabs";
import { openVmConsoleTicketAction } from "@/app/(panel)/t/[teamId]/vms/[vmId]/console/actions";
import { sshCommand } from "@/lib/pods/ssh-command";
import { vmLoginUser } from "@/lib/vms/login-user";

export const metadata: Metadata = { title: "SSH terminal" };

// ssh into a VM from the browser: the panel's key (injected by cloud-init) over the VMI's
// port-forward to port 22, the host key pinned on first use; tabs as for SSH pods.
export default async function VmTerminalPage({ params }: { params: Promise<{ teamId: string; vmId: string }> }) {
  const { teamId, vmId } = await params;
  return (
    <VmConsoleFrame teamId={teamId} vmId={vmId} kind="ssh">
      {(vm, team) => (
        <>
          <p className="muted small">
            Logs in as <span className="mono">{vmLoginUser({ image: vm.image })}</span> with the panel&apos;s key. From your laptop:{" "}
            <span className="mono">{sshCommand({ name: vm.name, teamSlug: team.slug, orgSlug: team.orgSlug })}</span>
          </p>
          <TerminalTabs workloadId={vm.id} modes={["ssh"]} openTicket={openVmConsoleTicketAction} />
        </>
      )}
    </VmConsoleFrame>
  );
}
