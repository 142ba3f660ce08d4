"use server";
// SSH pods: create, reset, delete, forget the pinned host key. Parse → authorize on the team
// that owns the pod (for an existing pod, resolved from its workload row, never from the form)
// → service.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { teamScopeOf } from "@/lib/actions/scopes";
import { workloadScopeOf } from "@/lib/workloads/scope";
import type { Scope } from "@/lib/auth/policy";
import { forgetPinnedHostKey } from "@/lib/console/bridges/ssh/host-key-pins";
import { createSshPodInputSchema } from "@/lib/pods/schemas";
import { confirmSshPodName, createSshPod, deleteSshPod, resetSshPod } from "@/lib/pods/service";

const teamOf = (scope: Scope | null) => (scope as Scope & { kind: "team" }).teamId;
const workloadId = z.uuid({ error: "No such SSH pod." });

export const createSshPodAction = defineAction({
  name: "pod.create",
  input: createSshPodInputSchema,
  permission: "workloads:create",
  scope: teamScopeOf,
  run: ({ db, actor, input }) => createSshPod(db, actor, input),
  redirectTo: (created, input) => `/t/${input.teamId}/pods/${created.id}`,
});

export const resetSshPodAction = defineAction({
  name: "pod.reset",
  input: z.object({ workloadId }),
  permission: "workloads:operate",
  scope: workloadScopeOf,
  run: ({ db, actor, input, scope }) => resetSshPod(db, actor, { teamId: teamOf(scope), workloadId: input.workloadId }),
});

export const deleteSshPodAction = defineAction({
  name: "pod.delete",
  // The confirmation form sends the pod's id as `id` and the typed name as `confirmName`.
  input: z.object({ id: workloadId, confirmName: z.string({ error: "Type the pod's name to confirm." }) }).transform((v) => ({ workloadId: v.id, confirmName: v.confirmName })),
  permission: "workloads:delete",
  scope: workloadScopeOf,
  run: async ({ db, actor, input, scope }) => {
    const teamId = teamOf(scope);
    await confirmSshPodName(db, teamId, input.workloadId, input.confirmName);
    await deleteSshPod(db, actor, { teamId, workloadId: input.workloadId });
    return { teamId };
  },
  redirectTo: (result) => `/t/${result.teamId}/pods`,
});

/**
 * `{ workloadId }`: forgets the pod's pinned SSH host key. Only the org's session admins may;
 * the service decides that against the pod's organization (like ending a live session), so
 * the action only needs a signed-in caller.
 */
export const forgetSshPodHostKeyAction = defineAction({
  name: "pod.host-key.forget",
  input: z.object({ workloadId }),
  signedIn: true,
  run: async ({ db, principal, actor, input }) => {
    const forgotten = await forgetPinnedHostKey(db, principal, actor, input.workloadId);
    return { fingerprint: forgotten.fingerprint };
  },
});
