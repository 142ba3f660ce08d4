// pause / unpause / softreboot of `subresources.kubevirt.io` on a VMI, and vnc/screenshot: QMP commands to
// its guest, with the Paused condition written the way virt-handler writes it.
import type { VmiGuests } from "./vm-guests";
import { ApiError } from "./http-replies";
import { isConflict, mergePatch, type Kube } from "./kube";
import { kubevirtGroup, kubevirtVersion, vmiPlural, type VirtualMachineInstance } from "./kubevirt";
import { runningGuest } from "./guest-streams";
import { pausedPatch } from "./vmi-shapes";

export type VmiAction = "pause" | "unpause" | "softreboot";

/** Carries out `action` on the VMI `namespace/name`; throws ApiError for 404 and 409. */
export async function runVmiAction(kube: Kube, guests: VmiGuests, action: VmiAction, namespace: string, name: string): Promise<void> {
  const guest = await runningGuest(kube, guests, namespace, name);
  const refuse = (why: string) => ApiError.conflict("virtualmachineinstance", kubevirtGroup, name, why);
  switch (action) {
    case "pause":
      if (guest.isPaused) throw refuse("VMI is already paused");
      await guest.pause();
      return writePaused(kube, namespace, name, true);
    case "unpause":
      if (!guest.isPaused) throw refuse("VMI is not paused");
      await guest.unpause();
      return writePaused(kube, namespace, name, false);
    case "softreboot":
      if (guest.isPaused) throw refuse("VMI is paused");
      return guest.sendCtrlAltDel();
  }
}

/** The guest's screen as PNG. */
export async function screenshot(kube: Kube, guests: VmiGuests, namespace: string, name: string): Promise<Buffer> {
  return (await runningGuest(kube, guests, namespace, name)).screenshot();
}

async function writePaused(kube: Kube, namespace: string, name: string, paused: boolean): Promise<void> {
  const api = { group: kubevirtGroup, version: kubevirtVersion, namespace, plural: vmiPlural, name };
  for (let attempt = 1; ; attempt++) {
    const vmi = (await kube.custom.getNamespacedCustomObject(api)) as VirtualMachineInstance;
    try {
      await kube.custom.patchNamespacedCustomObject({ ...api, body: pausedPatch(vmi, paused) }, mergePatch);
      return;
    } catch (error) {
      if (!isConflict(error) || attempt >= 5) throw error;
    }
  }
}
