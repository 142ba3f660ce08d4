import type { Metadata } from "next";
import { VmConsoleFrame } from "@/components/console/vm-console-frame";
import { VncConsole } from "@/components/console/vnc-console";
import { openVmConsoleTicketAction } from "@/app/(panel)/t/[teamId]/vms/[vmId]/console/actions";

export const metadata: Metadata = { title: "VNC console" };

// A VM's graphical console (noVNC): send keys, paste as keystrokes, scaling, full screen, view
// only, screenshots, shared or exclusive viewing with take-over.
export default async function VmVncConsolePage({ params }: { params: Promise<{ teamId: string; vmId: string }> }) {
  const { teamId, vmId } = await params;
  return (
    <VmConsoleFrame teamId={teamId} vmId={vmId} kind="vnc">
      {(vm) => <VncConsole workloadId={vm.id} openTicket={openVmConsoleTicketAction} />}
    </VmConsoleFrame>
  );
}
