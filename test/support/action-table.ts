// Every server action (each `defineAction` export of app/**/actions.ts) with the kind of each of
// its fields, for the bad-input suite. A new action joins this table when it is written; the
// unit test test/unit/action-table.test.ts fails while one is missing.
import { createUserAction, disableUserAction, enableUserAction } from "@/app/(panel)/admin/users/actions";
import {
  disconnectClusterAction,
  listContextsAction,
  recheckClusterAction,
  registerClusterAction,
  updateClusterSettingsAction,
} from "@/app/(panel)/admin/clusters/actions";
import { createPersonalTeamAction } from "@/app/(panel)/actions";
import { startLocalClusterAction } from "@/app/(panel)/admin/local-cluster/actions";
import { endTerminalSessionAction, setTerminalRecordingAction } from "@/app/(panel)/admin/sessions/actions";
import { removeOrphanAction } from "@/app/(panel)/admin/drift/actions";
import { addSshKeyAction, createApiTokenAction, deleteSshKeyAction, revokeApiTokenAction } from "@/app/(panel)/profile/actions";
import {
  addOrgMemberAction,
  changeOrgMemberRoleAction,
  createOrgAction,
  createTeamAction,
  deleteOrgAction,
  removeOrgMemberAction,
  renameOrgAction,
} from "@/app/(panel)/orgs/actions";
import { assignClusterAction, unassignClusterAction } from "@/app/(panel)/orgs/[orgId]/clusters/actions";
import { createNestedClusterAction, deleteNestedClusterAction, rotateNestedCertificatesAction } from "@/app/(panel)/orgs/[orgId]/nested/actions";
import { removeWorkerAction, retryWorkerAction, scaleWorkerPoolAction } from "@/app/(panel)/orgs/[orgId]/nested/[clusterId]/workers/actions";
import {
  addTeamMemberAction,
  changeTeamMemberRoleAction,
  deleteTeamAction,
  removeTeamMemberAction,
  renameTeamAction,
} from "@/app/(panel)/t/[teamId]/settings/actions";
import { createSshPodAction, deleteSshPodAction, forgetSshPodHostKeyAction, resetSshPodAction } from "@/app/(panel)/t/[teamId]/pods/actions";
import { openTerminalTicketAction } from "@/app/(panel)/t/[teamId]/pods/[podId]/terminal/actions";
import { createVmAction, deleteVmAction, operateVmAction } from "@/app/(panel)/t/[teamId]/vms/actions";
import { openVmConsoleTicketAction } from "@/app/(panel)/t/[teamId]/vms/[vmId]/console/actions";
import type { ActionDefinition } from "@/lib/actions/define-action";
import type { KindName } from "./hostile-input";

/** One action: its fields by kind; `team` when a team member (not only the platform admin) should drive it too. */
export interface ActionEntry {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each action has its own input and result
  action: { definition: ActionDefinition<any, any> };
  fields: Record<string, KindName>;
  team?: boolean;
}

const quota = { cpuCores: "quotaCpu", memory: "quotaMemory", memoryUnit: "memoryUnit", maxPods: "quotaPods", maxVms: "quotaVms", storageGib: "quotaStorage" } as const;

export const ACTION_TABLE: ActionEntry[] = [
  { action: createUserAction, fields: { email: "email", name: "personName", password: "password", isPlatformAdmin: "anything" } },
  { action: disableUserAction, fields: { userId: "missingId" } },
  { action: enableUserAction, fields: { userId: "missingId" } },
  { action: listContextsAction, fields: { kubeconfig: "kubeconfigText" } },
  { action: registerClusterAction, fields: { name: "name", source: "clusterSource", kubeconfig: "kubeconfig", context: "kubeContext", allowInsecureTls: "checkbox" } },
  { action: recheckClusterAction, fields: { clusterId: "missingId" } },
  {
    action: updateClusterSettingsAction,
    fields: { clusterId: "clusterId", nodeSelector: "nodeSelector", tolerations: "tolerations", storageClass: "storageClass", imageCatalog: "imageCatalog", vmImageCatalog: "imageCatalog", vmGoldenImages: "goldenImageLines", impersonation: "checkbox", removeOrphans: "checkbox" },
  },
  { action: disconnectClusterAction, fields: { id: "clusterId", confirmName: "confirmName", deleteObjects: "checkbox" } },
  { action: endTerminalSessionAction, fields: { sessionId: "missingId" } },
  { action: removeOrphanAction, fields: { clusterId: "missingId", workloadId: "missingId" } },
  { action: setTerminalRecordingAction, fields: { orgId: "missingId", enabled: "anything" } },
  { action: addSshKeyAction, fields: { name: "sshKeyName", publicKey: "publicKey" } },
  { action: deleteSshKeyAction, fields: { keyId: "missingId" } },
  { action: createApiTokenAction, fields: { name: "tokenName", expiresInDays: "expiresInDays" } },
  { action: revokeApiTokenAction, fields: { tokenId: "missingId" } },
  { action: createOrgAction, fields: { name: "name" } },
  { action: createPersonalTeamAction, fields: { orgName: "name" } },
  { action: startLocalClusterAction, fields: { name: "name" } },
  { action: renameOrgAction, fields: { orgId: "orgId", name: "name" } },
  { action: deleteOrgAction, fields: { id: "orgId", confirmName: "confirmName" } },
  { action: createTeamAction, fields: { orgId: "orgId", name: "name" } },
  { action: addOrgMemberAction, fields: { orgId: "orgId", email: "email", role: "orgRole" } },
  { action: changeOrgMemberRoleAction, fields: { orgId: "orgId", userId: "userId", role: "orgRole" } },
  { action: removeOrgMemberAction, fields: { orgId: "orgId", userId: "missingId" } },
  { action: assignClusterAction, fields: { clusterId: "clusterId", teamId: "teamId", ...quota } },
  { action: unassignClusterAction, fields: { clusterId: "clusterId", teamId: "teamId", confirmName: "confirmName" } },
  {
    action: createNestedClusterAction,
    fields: {
      teamId: "teamId",
      hostClusterId: "clusterId",
      name: "nestedName",
      version: "nestedVersion",
      etcdReplicas: "etcdReplicas",
      etcdStorageGib: "etcdStorageGib",
      apiserverReplicas: "apiserverReplicas",
      exposure: "exposure",
      imageEtcd: "imageOverride",
      imageApiserver: "imageOverride",
      imageControllerManager: "imageOverride",
      imageScheduler: "imageOverride",
    },
  },
  { action: deleteNestedClusterAction, fields: { id: "missingId", confirmName: "confirmName" } },
  { action: rotateNestedCertificatesAction, fields: { clusterId: "missingId" } },
  { action: scaleWorkerPoolAction, fields: { clusterId: "missingId", size: "poolSize" } },
  { action: retryWorkerAction, fields: { clusterId: "missingId", worker: "workerName" } },
  { action: removeWorkerAction, fields: { clusterId: "missingId", worker: "workerName" } },
  { action: renameTeamAction, fields: { teamId: "teamId", name: "name" }, team: true },
  { action: addTeamMemberAction, fields: { teamId: "teamId", email: "email", role: "teamRole" }, team: true },
  { action: changeTeamMemberRoleAction, fields: { teamId: "teamId", userId: "userId", role: "teamRole" }, team: true },
  { action: removeTeamMemberAction, fields: { teamId: "teamId", userId: "missingId" }, team: true },
  { action: deleteTeamAction, fields: { id: "teamId", confirmName: "confirmName" }, team: true },
  {
    action: createSshPodAction,
    fields: { teamId: "teamId", clusterId: "clusterId", name: "workloadName", image: "image", cpuMillicores: "cpuMillicores", memoryMib: "memoryMib", homeGib: "homeGib", ttlMinutes: "ttlMinutes" },
    team: true,
  },
  { action: resetSshPodAction, fields: { workloadId: "missingId" }, team: true },
  { action: deleteSshPodAction, fields: { id: "podId", confirmName: "confirmName" }, team: true },
  { action: forgetSshPodHostKeyAction, fields: { workloadId: "missingId" }, team: true },
  { action: openTerminalTicketAction, fields: { workloadId: "podId", mode: "terminalMode" }, team: true },
  {
    action: createVmAction,
    fields: {
      teamId: "teamId",
      clusterId: "clusterId",
      name: "workloadName",
      bootSource: "bootSource",
      image: "vmImage",
      diskUrl: "diskUrl",
      goldenImage: "goldenImage",
      diskSizeGib: "diskSizeGib",
      runStrategy: "runStrategy",
      size: "vmSize",
      cpuCores: "cpuCores",
      memoryMib: "vmMemoryMib",
      meshSidecar: "checkbox",
      cloudInit: "cloudConfig",
    },
    team: true,
  },
  { action: operateVmAction, fields: { workloadId: "missingId", operation: "vmOperation" }, team: true },
  { action: deleteVmAction, fields: { id: "missingId", confirmName: "confirmName", keepDisk: "checkbox" }, team: true },
  { action: openVmConsoleTicketAction, fields: { workloadId: "missingId", mode: "vmConsoleMode" }, team: true },
];
