"use server";
// VMs: create, operate (start, stop, force stop, restart, pause, unpause), delete. Parse →
// authorize on the team that owns the VM (for an existing VM, resolved from its workload row,
// never from the form) → service.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { teamScopeOf } from "@/lib/actions/scopes";
import type { Scope } from "@/lib/auth/policy";
import { checkboxField } from "@/lib/parse-input";
import { createVmInputSchema, vmOperationSchema } from "@/lib/vms/schemas";
import { confirmVmName, createVm, deleteVm, operateVm } from "@/lib/vms/service";
import { workloadScopeOf } from "@/lib/workloads/scope";

const teamOf = (scope: Scope | null) => (scope as Scope & { kind: "team" }).teamId;

export const createVmAction = defineAction({
  name: "vm.create",
  input: createVmInputSchema,
  permission: "workloads:create",
  scope: teamScopeOf,
  run: ({ db, actor, input }) => createVm(db, actor, input),
  // An upload stays on the form, which streams the file next (components/vms/new-vm-form.tsx).
  redirectTo: (created, input) => (input.bootSource === "upload" ? undefined : `/t/${input.teamId}/vms/${created.id}`),
});

export const operateVmAction = defineAction({
  name: "vm.operate",
  input: vmOperationSchema,
  permission: "workloads:operate",
  scope: workloadScopeOf,
  run: ({ db, actor, input, scope }) => operateVm(db, actor, { ...input, teamId: teamOf(scope) }),
});

export const deleteVmAction = defineAction({
  name: "vm.delete",
  // The confirmation form sends the VM's id as `id`, the typed name as `confirmName` and, for a VM with a disk CDI made, whether to keep it.
  input: z
    .object({ id: z.uuid({ error: "No such VM." }), confirmName: z.string({ error: "Type the VM's name to confirm." }), keepDisk: checkboxField })
    .transform((v) => ({ workloadId: v.id, confirmName: v.confirmName, keepDisk: v.keepDisk })),
  permission: "workloads:delete",
  scope: workloadScopeOf,
  run: async ({ db, actor, input, scope }) => {
    const teamId = teamOf(scope);
    await confirmVmName(db, teamId, input.workloadId, input.confirmName);
    await deleteVm(db, actor, { teamId, workloadId: input.workloadId, keepDisk: input.keepDisk });
    return { teamId };
  },
  redirectTo: (result) => `/t/${result.teamId}/vms`,
});
