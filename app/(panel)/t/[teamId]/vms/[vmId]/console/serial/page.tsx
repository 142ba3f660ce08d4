import type { Metadata } from "next";
import { VmConsoleFrame } from "@/components/console/vm-console-frame";
import { LiveTerminal } from "@/components/terminal/live-terminal";
import { openVmConsoleTicketAction } from "@/app/(panel)/t/[teamId]/vms/[vmId]/console/actions";

export const metadata: Metadata = { title: "Serial console" };

// A VM's serial console in xterm.js: one viewer at a time (a second one is told who has it and may
// take it over), kept open while idle up to the panel's idle limit, reconnecting by itself.
export default async function VmSerialConsolePage({ params }: { params: Promise<{ teamId: string; vmId: string }> }) {
  const { teamId, vmId } = await params;
  return (
    <VmConsoleFrame teamId={teamId} vmId={vmId} kind="serial">
      {(vm) => (
        <>
          <p className="muted small">The guest&apos;s first serial port (ttyS0). Press Enter for a login prompt. One viewer at a time: opening it elsewhere asks to take it over.</p>
          <LiveTerminal workloadId={vm.id} mode="serial" openTicket={openVmConsoleTicketAction} label={`Serial console of ${vm.displayName}`} console />
        </>
      )}
    </VmConsoleFrame>
  );
}
