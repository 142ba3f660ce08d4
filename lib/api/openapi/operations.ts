// Every HTTP endpoint of the panel that is not a page or a form, described once: path, who may
// call it, its parameters and answers as zod schemas. The OpenAPI document (document.ts) is made
// from this list, and a test checks that every route handler under app/api is in it.
import { z } from "zod";
import { errorSchema, healthSchema, sshPodListSchema, sshPodLogsSchema, vmDiskUploadSchema, workerPoolScaleSchema, workerPoolScaledSchema } from "@/lib/api/openapi/schemas";
import { createdVmSchema, createVmBodySchema, vmDeletedSchema, vmDetailSchema, vmListSchema, vmPowerAnswerSchema, vmPowerBodySchema } from "@/lib/api/openapi/vm-schemas";

/** How a caller proves who it is. */
export type Auth = "none" | "session" | "session-or-token" | "metrics-token";

export interface Answer {
  description: string;
  /** JSON body schema (named with `.meta({ id })`), or another media type with a plain description of the body. */
  json?: z.ZodType;
  media?: { type: string; description: string };
}

export interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** OpenAPI path template (`{teamId}`), as served. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  auth: Auth;
  path_params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  answers: Record<number, Answer>;
}

const teamId = z.uuid().describe("The team's id.");
const notFound: Answer = { description: "No such thing, or not visible to the caller (both look the same).", json: errorSchema };
const unauthenticated: Answer = { description: "No session and no valid personal token.", json: errorSchema };
const forbidden: Answer = { description: "The caller may see the team but not do this (a viewer).", json: errorSchema };
const vmId = z.uuid().describe("The VM's id (its workload id).");

export const OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/api/health",
    operationId: "health",
    summary: "Whether this replica and its database answer",
    description: "For load balancers and probes (the Helm chart's readiness, liveness and startup probes).",
    tag: "operate",
    auth: "none",
    answers: { 200: { description: "Ready.", json: healthSchema }, 503: { description: "The database does not answer.", json: healthSchema } },
  },
  {
    method: "get",
    path: "/metrics",
    operationId: "metrics",
    summary: "Prometheus metrics of this replica",
    description: "Only with MINICLOUD_METRICS_TOKEN (as a bearer token) or MINICLOUD_METRICS=open; otherwise 404.",
    tag: "operate",
    auth: "metrics-token",
    answers: {
      200: { description: "The metrics.", media: { type: "text/plain; version=0.0.4", description: "Prometheus text exposition format." } },
      401: { description: "The token is missing or wrong.", media: { type: "text/plain", description: "A sentence." } },
      404: { description: "Metrics are off.", media: { type: "text/plain", description: "A sentence." } },
    },
  },
  {
    method: "get",
    path: "/api/openapi.json",
    operationId: "openapi",
    summary: "This document",
    tag: "operate",
    auth: "none",
    answers: { 200: { description: "The OpenAPI 3.1 document.", media: { type: "application/json", description: "OpenAPI 3.1." } } },
  },
  {
    method: "get",
    path: "/api/teams/{teamId}/pods",
    operationId: "listTeamPods",
    summary: "A team's SSH pods",
    tag: "pods",
    auth: "session-or-token",
    path_params: z.object({ teamId }),
    query: z.object({ mine: z.enum(["1", "true"]).optional().describe("Only the caller's own pods.") }),
    answers: { 200: { description: "The pods, live state included.", json: sshPodListSchema }, 401: unauthenticated, 404: notFound },
  },
  {
    method: "get",
    path: "/api/teams/{teamId}/pods/{podId}/logs",
    operationId: "readPodLogs",
    summary: "The tail of an SSH pod's sshd log",
    tag: "pods",
    auth: "session-or-token",
    path_params: z.object({ teamId, podId: z.uuid().describe("The pod's id (its workload id).") }),
    query: z.object({ tail: z.string().regex(/^\d+$/).optional().describe("How many lines (default: the panel's limit).") }),
    answers: { 200: { description: "The log.", json: sshPodLogsSchema }, 401: unauthenticated, 404: notFound },
  },
  {
    method: "get",
    path: "/api/teams/{teamId}/vms",
    operationId: "listTeamVms",
    summary: "A team's VMs",
    tag: "vms",
    auth: "session-or-token",
    path_params: z.object({ teamId }),
    query: z.object({ mine: z.enum(["1", "true"]).optional().describe("Only the caller's own VMs.") }),
    answers: { 200: { description: "The VMs, live state included.", json: vmListSchema }, 401: unauthenticated, 404: notFound },
  },
  {
    method: "post",
    path: "/api/teams/{teamId}/vms",
    operationId: "createVm",
    summary: "Create (and, by its run strategy, start) a VM",
    description: "Checked before anything is made: the input, the cluster's VM disk catalog, the team's quota and the nodes' sizes. Audited as vm.create.",
    tag: "vms",
    auth: "session-or-token",
    path_params: z.object({ teamId }),
    body: createVmBodySchema,
    answers: {
      201: { description: "Created.", json: createdVmSchema },
      202: { description: "The cluster did not confirm in time: still being created (the panel finishes or cleans up).", json: createdVmSchema },
      400: { description: "Refused input (fieldErrors per field), or over the quota.", json: errorSchema },
      401: unauthenticated,
      403: forbidden,
      404: notFound,
    },
  },
  {
    method: "get",
    path: "/api/teams/{teamId}/vms/{vmId}",
    operationId: "getVm",
    summary: "One VM: status, phase, address, node, boot time, conditions",
    tag: "vms",
    auth: "session-or-token",
    path_params: z.object({ teamId, vmId }),
    answers: { 200: { description: "The VM.", json: vmDetailSchema }, 401: unauthenticated, 404: notFound },
  },
  {
    method: "delete",
    path: "/api/teams/{teamId}/vms/{vmId}",
    operationId: "deleteVm",
    summary: "Delete a VM and everything made for it",
    description: "The VM, its instance, its cloud-init Secret and its Service, then its row. Audited as vm.delete.",
    tag: "vms",
    auth: "session-or-token",
    path_params: z.object({ teamId, vmId }),
    answers: {
      200: { description: "Deleted.", json: vmDeletedSchema },
      202: { description: "The cluster did not answer: being deleted (the panel finishes).", json: vmDeletedSchema },
      401: unauthenticated,
      403: forbidden,
      404: notFound,
    },
  },
  {
    method: "post",
    path: "/api/teams/{teamId}/vms/{vmId}/power",
    operationId: "powerVm",
    summary: "Start, stop, force-stop, restart, pause or unpause a VM",
    description: "Through KubeVirt's subresources; KubeVirt acts on it next (follow the VM's status). Audited as vm.<operation>.",
    tag: "vms",
    auth: "session-or-token",
    path_params: z.object({ teamId, vmId }),
    body: vmPowerBodySchema,
    answers: {
      202: { description: "Asked.", json: vmPowerAnswerSchema },
      400: { description: "No such operation, or one the cluster's KubeVirt does not offer.", json: errorSchema },
      401: unauthenticated,
      403: forbidden,
      404: notFound,
      409: { description: "Not possible in the VM's state (already running, not running, …), in KubeVirt's words.", json: errorSchema },
    },
  },
  {
    method: "get",
    path: "/api/ssh-config",
    operationId: "sshConfig",
    summary: "The caller's ssh_config for every pod and VM they may reach",
    description: "Host entries with a ProxyCommand through the panel's tunnel (see /api/ssh-config/helper).",
    tag: "ssh",
    auth: "session",
    answers: { 200: { description: "A download.", media: { type: "text/plain", description: "An OpenSSH client configuration." } }, 401: unauthenticated },
  },
  {
    method: "get",
    path: "/api/ssh-config/helper",
    operationId: "sshProxyHelper",
    summary: "The ProxyCommand helper script",
    tag: "ssh",
    auth: "session",
    answers: { 200: { description: "A download.", media: { type: "text/javascript", description: "A Node.js script." } }, 401: unauthenticated },
  },
  {
    method: "get",
    path: "/api/terminal-sessions/{sessionId}/recording",
    operationId: "terminalRecording",
    summary: "A recorded terminal session",
    tag: "terminals",
    auth: "session",
    path_params: z.object({ sessionId: z.uuid() }),
    answers: {
      200: { description: "The recording.", media: { type: "application/x-asciicast", description: "asciicast v2 (output only)." } },
      401: unauthenticated,
      404: notFound,
    },
  },
  {
    method: "get",
    path: "/api/vms/{workloadId}/screenshot",
    operationId: "vmScreenshot",
    summary: "A VM's screen as a PNG",
    description: "For people who may open the VM's consoles; the VM must be running.",
    tag: "vms",
    auth: "session",
    path_params: z.object({ workloadId: z.uuid().describe("The VM's id (its workload id).") }),
    answers: {
      200: { description: "A download.", media: { type: "image/png", description: "The screen, as KubeVirt's vnc/screenshot gives it." } },
      401: unauthenticated,
      403: { description: "The caller may see the VM but not open its consoles.", json: errorSchema },
      404: notFound,
      503: { description: "The VM is not running, or its cluster does not answer.", json: errorSchema },
    },
  },
  {
    method: "post",
    path: "/api/vm-disk-uploads/{workloadId}",
    operationId: "uploadVmDisk",
    summary: "Upload a VM's disk image",
    description:
      "The body is the image itself (`Content-Type: application/octet-stream`, with its `Content-Length`), for a VM created with the boot source *upload*; the panel streams it to CDI's upload proxy and answers once CDI has confirmed the whole image. For people who may create VMs in the VM's team; a session only from the panel's own pages (Origin checked). Example: `curl -H \"Authorization: Bearer $MINICLOUD_TOKEN\" -T disk.qcow2 $URL/api/vm-disk-uploads/<vm-id>`.",
    tag: "vms",
    auth: "session-or-token",
    path_params: z.object({ workloadId: z.uuid().describe("The VM's id (its workload id).") }),
    answers: {
      200: { description: "CDI has the image.", json: vmDiskUploadSchema },
      400: { description: "Not a disk image, larger than the VM's disk, no Content-Length, or refused by CDI (its virtual size, a damaged header).", json: errorSchema },
      401: unauthenticated,
      403: { description: "The caller may see the VM but not create VMs in its team, or a request without a token from another Origin (refused before its cookie is read).", json: errorSchema },
      404: notFound,
      409: { description: "The VM does not boot from an upload, its disk already holds an image, another upload is under way, or the upload token was refused.", json: errorSchema },
      503: { description: "CDI is not ready for the upload yet, its upload proxy cannot be reached, or the upload was cut off; nothing was kept, try again.", json: errorSchema },
    },
  },
  {
    method: "delete",
    path: "/api/vm-disk-uploads/{workloadId}",
    operationId: "cancelVmDiskUpload",
    summary: "Cancel a VM's disk upload",
    description: "Deletes the VM's disk (its DataVolume, with what CDI received so far); the next upload makes it again. A session only from the panel's own pages (Origin checked).",
    tag: "vms",
    auth: "session-or-token",
    path_params: z.object({ workloadId: z.uuid().describe("The VM's id (its workload id).") }),
    answers: {
      200: { description: "The disk was deleted.", json: z.object({ cancelled: z.literal(true) }).meta({ id: "VmDiskUploadCancelled" }) },
      401: unauthenticated,
      403: { description: "The caller may see the VM but not create VMs in its team, or a request without a token from another Origin.", json: errorSchema },
      404: notFound,
      409: { description: "The upload has finished, or the VM does not boot from an upload.", json: errorSchema },
    },
  },
  {
    method: "get",
    path: "/api/events",
    operationId: "liveEvents",
    summary: "Live changes to what the caller sees",
    description: "Server-Sent Events: pod and VM status changes of the caller's teams, as they happen.",
    tag: "live",
    auth: "session",
    answers: { 200: { description: "An event stream.", media: { type: "text/event-stream", description: "Server-Sent Events." } }, 401: unauthenticated },
  },
  {
    method: "get",
    path: "/api/local-cluster/events",
    operationId: "builtInClusterProgress",
    summary: "The built-in local cluster's start, live",
    description: "Server-Sent Events, platform administrators only: the whole status of the built-in local cluster's start (its steps, the failure with the last lines of its output, the cluster once ready) on connect and on every change.",
    tag: "live",
    auth: "session",
    answers: {
      200: { description: "An event stream.", media: { type: "text/event-stream", description: "Server-Sent Events, one status per message." } },
      401: unauthenticated,
      404: notFound,
    },
  },
  {
    method: "get",
    path: "/api/nested/{clusterId}/kubeconfig",
    operationId: "nestedAdminKubeconfig",
    summary: "A nested cluster's admin kubeconfig",
    description: "system:masters of the nested cluster; org admins of the owning team's organization and platform admins. Every download is audited.",
    tag: "nested",
    auth: "session",
    path_params: z.object({ clusterId: z.uuid().describe("The nested cluster's id.") }),
    answers: {
      200: { description: "A download.", media: { type: "application/yaml", description: "A kubeconfig with a client certificate." } },
      401: unauthenticated,
      403: { description: "The caller may see the cluster but not download its credentials.", json: errorSchema },
      404: notFound,
      409: { description: "The cluster is not ready yet.", json: errorSchema },
    },
  },
  {
    method: "get",
    path: "/api/nested/{clusterId}/progress",
    operationId: "nestedProgress",
    summary: "A nested cluster's create steps, then its health, live",
    description: "Server-Sent Events: the steps while it is created, then its health every 5 s; a create that failed and was rolled back ends the stream with its reason.",
    tag: "nested",
    auth: "session",
    path_params: z.object({ clusterId: z.uuid().describe("The nested cluster's id.") }),
    answers: {
      200: { description: "An event stream.", media: { type: "text/event-stream", description: "Server-Sent Events." } },
      401: unauthenticated,
      403: { description: "Not allowed to read it.", json: errorSchema },
      404: notFound,
    },
  },
  {
    method: "get",
    path: "/api/nested/{clusterId}/workers",
    operationId: "nestedWorkerPool",
    summary: "A nested cluster's worker pool",
    description: "Each worker: its VM, its Node in the nested cluster, its state (joining, ready, failed with the reason). With `Accept: text/event-stream`, the same as Server-Sent Events whenever it changes.",
    tag: "nested",
    auth: "session-or-token",
    path_params: z.object({ clusterId: z.uuid().describe("The nested cluster's id.") }),
    answers: {
      200: { description: "The pool.", media: { type: "application/json", description: "`{ pool: { size, workers: [{ name, state, reason, node }] } }`, or an event stream when asked for one." } },
      401: unauthenticated,
      403: { description: "The caller may not manage this nested cluster.", json: errorSchema },
      404: notFound,
    },
  },
  {
    method: "put",
    path: "/api/nested/{clusterId}/workers",
    operationId: "scaleNestedWorkerPool",
    summary: "Scale a nested cluster's worker pool",
    description: "Scaling up makes worker VMs that join with a fresh bootstrap token; scaling down cordons and drains their nodes, deletes the Nodes, then the VMs. Audited.",
    tag: "nested",
    auth: "session-or-token",
    path_params: z.object({ clusterId: z.uuid().describe("The nested cluster's id.") }),
    body: workerPoolScaleSchema,
    answers: {
      200: { description: "What changed.", json: workerPoolScaledSchema },
      400: { description: "Not a size the pool can have.", json: errorSchema },
      401: unauthenticated,
      403: { description: "The caller may not manage this nested cluster.", json: errorSchema },
      404: notFound,
    },
  },
  {
    method: "get",
    path: "/api/clusters/{clusterId}/status",
    operationId: "clusterStatus",
    summary: "A cluster's status view, live",
    description: "Server-Sent Events: nodes, pods per node, volumes and claims as they change, and the control plane's health every 10 s. Host clusters: platform admins; nested clusters: those who manage them.",
    tag: "clusters",
    auth: "session",
    path_params: z.object({ clusterId: z.uuid().describe("The cluster's id.") }),
    answers: {
      200: { description: "An event stream.", media: { type: "text/event-stream", description: "Server-Sent Events." } },
      401: unauthenticated,
      403: { description: "Not allowed to read it.", json: errorSchema },
      404: notFound,
    },
  },
];

/**
 * Route handlers that are not part of the panel's API: next-auth's own endpoints (sign-in,
 * callbacks), described by next-auth.
 */
export const NOT_DOCUMENTED = ["/api/auth/{nextauth}"];
