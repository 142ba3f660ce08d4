// VM disks made by CDI, against the real control plane and the CDI stand-ins (real protocol:
// DataVolumes, UploadTokenRequests through the apiserver, the upload proxy over TLS checked
// against CDI's published CA): a disk imported from a loopback http server; a disk uploaded
// through the panel's upload route that a real QEMU guest then boots; a clone of a golden image
// from the cluster's settings; cancel (the DataVolume goes, a retry makes it again); keeping the
// disk on delete (relabelled, not drift) or not (nothing left); and every failure as a plain
// sentence with nothing kept: CDI not ready, a refused token, sizes over the disk or the quota,
// files that are not disk images, and cut connections on either side of the panel.
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer, connect as tcpConnect, type Socket } from "node:net";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CoreV1Api, CustomObjectsApi, type V1ResourceQuota } from "@kubernetes/client-node";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject } from "vitest";
import { executeAction, type Caller } from "@/lib/actions/define-action";
import { startUploadServer, type UploadServer } from "@/test/support/upload-server";
import { createApiToken } from "@/lib/api-tokens/service";
import { assignCluster } from "@/lib/clusters/assignments";
import { probeCluster } from "@/lib/clusters/probe";
import { QUOTA_NAME } from "@/lib/clusters/team-namespace";
import { auditEvents, clusters, workloads } from "@/lib/db/schema";
import { ConflictError, ForbiddenError, NotFoundError, UnavailableError, ValidationError } from "@/lib/errors";
import { CLUSTER_LABEL, KIND_LABEL, TEAM_LABEL, WORKLOAD_LABEL, workloadSelector } from "@/lib/kube/labels";
import { workloadClusterContext } from "@/lib/workloads/cluster-context";
import { CDI } from "@/lib/vms/disks/cdi";
import { KEPT_DISK_LABEL, KEPT_FROM_ANNOTATION } from "@/lib/vms/disks/objects";
import { readVmDiskProgress } from "@/lib/vms/disks/progress";
import { cancelVmDiskUpload, uploadVmDisk } from "@/lib/vms/disks/upload/service";
import { readUploadProxy, requestUploadToken } from "@/lib/vms/disks/upload/proxy";
import { streamToUploadProxy, UploadInterruptedError } from "@/lib/vms/disks/upload/stream";
import { KUBEVIRT, type VirtualMachine } from "@/lib/vms/kubevirt";
import { requireVmRow } from "@/lib/vms/rows";
import { createVmAction, deleteVmAction } from "@/app/(panel)/t/[teamId]/vms/actions";
import { BOOTED_LINE, bootableDisk } from "../support/disk-images";
import { callerFor, createOrgWithTeams, createUser, grant } from "./cluster-fixtures";
import { ConsoleSession, openStream } from "./guest-clients";
import { adminKubeConfig, insertLocalCluster, test, uniqueName, useDatabase, waitFor } from "./helpers";

const DISK = "quay.io/kubevirt/cirros-container-disk-demo:latest";
const GOLDEN_NAMESPACE = uniqueName("golden");
const MIB = 1024 * 1024;

/** Where the CDI stand-ins keep a DataVolume's bytes (the run directory holds the kubeconfig). */
const storedFile = (namespace: string, dataVolume: string) => path.join(path.dirname(inject("cluster").kubeconfigPath), "standins", "uploads", namespace, `${dataVolume}.img`);

describe("VM disks (CDI)", () => {
  const db = useDatabase();
  const kc = adminKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const world = {} as { clusterId: string; teamA: string; namespaceA: string; owner: Caller; ownerToken: string; viewer: Caller; outsider: Caller; outsiderToken: string };
  let images: Server;
  let imagesUrl: string;
  const served = bootableDisk(3 * MIB, "imported disk booted");

  beforeAll(async () => {
    // A loopback web server with a disk image (and a 404), as an artifact server would be.
    images = createHttpServer((req, res) => {
      if (new URL(req.url ?? "/", "http://x").pathname === "/disk.img") return void res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": served.length }).end(served);
      res.writeHead(404).end("no such image");
    });
    await new Promise<void>((resolve) => images.listen(0, "127.0.0.1", resolve));
    imagesUrl = `http://127.0.0.1:${(images.address() as { port: number }).port}`;

    // A golden image an admin published with CDI's upload (as `virtctl image-upload` does).
    await core.createNamespace({ body: { metadata: { name: GOLDEN_NAMESPACE } } });
    await adminUpload(GOLDEN_NAMESPACE, "debian-golden", bootableDisk(2 * MIB, "golden disk booted"));

    const cluster = await insertLocalCluster(db(), uniqueName("vm-disks"), {
      vmImageCatalog: [{ label: "CirrOS", image: DISK }],
      vmGoldenImages: [{ label: "Golden Debian", namespace: GOLDEN_NAMESPACE, name: "debian-golden" }],
      impersonation: true,
    });
    const check = await probeCluster(cluster, kc, { impersonation: true });
    expect(check.apis.cdi).toBe(true);
    await db().update(clusters).set({ lastCheck: check as unknown as Record<string, unknown> }).where(eq(clusters.id, cluster.id));
    const { orgId, teams } = await createOrgWithTeams(db(), 2);
    const admin = await createUser(db(), { platformAdmin: true });
    const owner = await createUser(db());
    const viewer = await createUser(db());
    const outsider = await createUser(db());
    await grant(db(), owner.id, { orgId, orgRole: "member", teamId: teams[0]!.id, teamRole: "member" });
    await grant(db(), viewer.id, { orgId, orgRole: "member", teamId: teams[0]!.id, teamRole: "viewer" });
    await grant(db(), outsider.id, { orgId, orgRole: "member", teamId: teams[1]!.id, teamRole: "member" });
    const adminActor = { userId: admin.id, label: admin.email };
    const assignment = await assignCluster(db(), adminActor, { clusterId: cluster.id, teamId: teams[0]!.id, quota: { cpuMillicores: 8000, memoryMib: 16384, maxPods: 20, maxVms: null, storageGib: 8 } });
    await assignCluster(db(), adminActor, { clusterId: cluster.id, teamId: teams[1]!.id, quota: { cpuMillicores: 4000, memoryMib: 8192, maxPods: 10, maxVms: null, storageGib: 8 } });
    const token = async (user: { id: string; email: string }) => (await createApiToken(db(), { userId: user.id, label: user.email }, { name: "uploads" })).plaintext;
    Object.assign(world, {
      clusterId: cluster.id,
      teamA: teams[0]!.id,
      namespaceA: assignment.namespace,
      owner: await callerFor(db(), owner),
      ownerToken: await token(owner),
      viewer: await callerFor(db(), viewer),
      outsider: await callerFor(db(), outsider),
      outsiderToken: await token(outsider),
    });
  });

  afterAll(async () => {
    await uploads?.close();
    images?.close();
    await core.deleteNamespace({ name: GOLDEN_NAMESPACE }).catch(() => undefined);
  });

  /** Uploads straight to the CDI stand-in as an admin would: a DataVolume, a token, a POST to the proxy. */
  async function adminUpload(namespace: string, name: string, image: Buffer): Promise<void> {
    await custom.createNamespacedCustomObject({
      group: CDI.group,
      version: CDI.version,
      namespace,
      plural: CDI.dataVolumes,
      body: { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", metadata: { name }, spec: { source: { upload: {} }, storage: { resources: { requests: { storage: "1Gi" } } } } },
    });
    await waitForDataVolume(namespace, name, "UploadReady");
    const connection = { id: "admin", name: "local", kc } as never;
    const token = await requestUploadToken({ connection, kc, namespace }, name);
    const proxy = await readUploadProxy(connection);
    await streamToUploadProxy({ ...proxy, token }, [image], image.length);
  }

  const waitForDataVolume = (namespace: string, name: string, phase: string) =>
    waitFor(kc, { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", namespace, fieldSelector: `metadata.name=${name}` }, (items) => (items[0] as { status?: { phase?: string } } | undefined)?.status?.phase === phase, {
      description: `DataVolume ${name} ${phase}`,
    });

  const request = (overrides: Record<string, unknown> = {}) => ({
    teamId: world.teamA,
    clusterId: world.clusterId,
    name: uniqueName("disk vm").replace(/-/g, " ").slice(0, 40),
    bootSource: "upload",
    diskSizeGib: "1",
    runStrategy: "Halted",
    size: "",
    cpuCores: "1",
    memoryMib: "512",
    cloudInit: "",
    ...overrides,
  });
  const create = (overrides: Record<string, unknown> = {}, caller = world.owner) => executeAction(createVmAction.definition, caller, request(overrides), db()).then((r) => r.result as { id: string; name: string; state: string });
  const remove = (id: string, confirmName: string, keepDisk = false) => executeAction(deleteVmAction.definition, world.owner, { id, confirmName, keepDisk: keepDisk ? "on" : "" }, db());
  const rowOf = async (id: string) => (await db().select().from(workloads).where(eq(workloads.id, id)))[0];
  const dataVolumeOf = (name: string) => custom.getNamespacedCustomObject({ group: CDI.group, version: CDI.version, namespace: world.namespaceA, plural: CDI.dataVolumes, name }).catch(() => null) as Promise<any>;

  /** The panel's upload route, as the browser calls it (here with a personal token), over loopback HTTP to the handler server.ts serves it with. */
  let uploads: UploadServer | undefined;
  const uploadServer = async () => (uploads ??= await startUploadServer(db));
  async function uploadThroughRoute(id: string, body: Buffer, token = world.ownerToken): Promise<Response> {
    return (await uploadServer()).send("POST", `/api/vm-disk-uploads/${id}`, { authorization: `Bearer ${token}`, "content-type": "application/octet-stream", "content-length": String(body.length) }, body);
  }
  const upload = (id: string, image: Buffer | AsyncIterable<Uint8Array>, options: { length?: number; readyWaitMs?: number; caller?: Caller } = {}) =>
    uploadVmDisk(db(), options.caller ?? world.owner, { workloadId: id, body: Buffer.isBuffer(image) ? [image] : image, length: options.length ?? (Buffer.isBuffer(image) ? image.length : null), readyWaitMs: options.readyWaitMs });

  /** Waits (watching) until nothing of the workload is left: VM, VMI, Secret, Service, DataVolume, and the DataVolume's claim. */
  async function waitUntilNothingLeft(workloadId: string, claim?: string): Promise<void> {
    const labelSelector = workloadSelector(workloadId);
    const kinds = [["kubevirt.io/v1", "VirtualMachine"], ["kubevirt.io/v1", "VirtualMachineInstance"], ["v1", "Secret"], ["v1", "Service"], ["cdi.kubevirt.io/v1beta1", "DataVolume"]] as const;
    for (const [apiVersion, kind] of kinds) {
      await waitFor(kc, { apiVersion, kind, namespace: world.namespaceA, labelSelector }, (items) => items.length === 0, { description: `no ${kind} of workload ${workloadId}` });
    }
    // The claim goes by Kubernetes' garbage collector (CDI owns it by its DataVolume), which watches
    // a newly installed kind's owners only from its next discovery pass (every 30 s): a longer wait.
    if (claim) {
      await waitFor(kc, { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: world.namespaceA, fieldSelector: `metadata.name=${claim}` }, (items) => items.length === 0, {
        description: `claim ${claim} gone`,
        timeoutMs: 90_000,
      });
    }
  }

  test("an image uploaded through the panel's route becomes the disk a real guest boots; deleting the VM leaves nothing", async () => {
    const created = await create({ runStrategy: "Always", memoryMib: "256" });
    expect(created.state).toBe("ready");
    const dvName = `${created.name}-disk`;

    // The DataVolume: our labels, an upload source, the size asked; its claim counted by the quota; the VM boots from it.
    const dv = await dataVolumeOf(dvName);
    expect(dv.metadata.labels).toMatchObject({ [TEAM_LABEL]: world.teamA, [KIND_LABEL]: "vm", [WORKLOAD_LABEL]: created.id, [CLUSTER_LABEL]: world.clusterId });
    expect(dv.spec).toEqual({ source: { upload: {} }, storage: { resources: { requests: { storage: "1Gi" } } } });
    expect(dv.metadata.annotations).toMatchObject({ "cdi.kubevirt.io/storage.bind.immediate.requested": "true" });
    const vm = (await custom.getNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace: world.namespaceA, plural: KUBEVIRT.vms, name: created.name })) as VirtualMachine & { spec: any };
    expect(vm.spec.template.spec.volumes[0]).toEqual({ name: "boot", dataVolume: { name: dvName } });
    expect((await rowOf(created.id))!.spec).toMatchObject({ image: "uploaded disk image", disk: { source: { type: "upload" }, sizeGib: 1, dataVolumeName: dvName } });
    await waitFor(kc, { apiVersion: "v1", kind: "ResourceQuota", namespace: world.namespaceA, fieldSelector: `metadata.name=${QUOTA_NAME}` }, (q) => (q[0] as V1ResourceQuota | undefined)?.status?.used?.["requests.storage"] === "1Gi", {
      description: "the disk's claim counted in the quota",
    });
    const before = await readVmDiskProgress(db(), await requireVmRow(db(), world.teamA, created.id));
    expect(before).toMatchObject({ source: "upload", done: false, awaitingUpload: true });

    const image = bootableDisk(2 * MIB);
    await waitForDataVolume(world.namespaceA, dvName, "UploadReady");
    const response = await uploadThroughRoute(created.id, image);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toEqual({ bytes: image.length, format: "raw" });
    // The route answered once CDI had it all: Succeeded already, the bytes stored as sent.
    expect((await dataVolumeOf(dvName)).status).toMatchObject({ phase: "Succeeded", progress: "100.0%" });
    expect(readFileSync(storedFile(world.namespaceA, dvName)).equals(image)).toBe(true);
    expect(await readVmDiskProgress(db(), await requireVmRow(db(), world.teamA, created.id))).toMatchObject({ done: true, percent: 100, awaitingUpload: false });
    const [audit] = await db().select().from(auditEvents).where(and(eq(auditEvents.targetId, created.id), eq(auditEvents.action, "vm.disk-upload")));
    expect(audit).toMatchObject({ outcome: "success", detail: { bytes: image.length, format: "raw", dataVolume: dvName } });

    // A real QEMU guest boots the uploaded disk (BIOS, no container disk): its boot sector writes to the serial port.
    await waitFor(kc, { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", namespace: world.namespaceA, fieldSelector: `metadata.name=${created.name}` }, (v) => (v[0] as any)?.status?.phase === "Running", {
      description: "the VMI Running",
      timeoutMs: 90_000,
    });
    const console = new ConsoleSession(await openStream(kc, world.namespaceA, created.name, "console"));
    await console.expect(new RegExp(BOOTED_LINE), "the uploaded disk's boot sector on the serial console", 90_000);
    console.ws.close();

    await remove(created.id, created.name);
    await waitUntilNothingLeft(created.id, dvName);
    expect(await rowOf(created.id)).toBeUndefined();
    expect(existsSync(storedFile(world.namespaceA, dvName))).toBe(false);
  }, 240_000);

  test("a disk imported from an http URL fills with the served bytes; the audit row keeps only the URL's origin; URLs the panel never imports from are refused before anything exists", async () => {
    const created = await create({ bootSource: "url", diskUrl: `${imagesUrl}/disk.img?signature=secret`, diskSizeGib: "2" });
    const dvName = `${created.name}-disk`;
    expect((await dataVolumeOf(dvName)).spec).toEqual({ source: { http: { url: `${imagesUrl}/disk.img?signature=secret` } }, storage: { resources: { requests: { storage: "2Gi" } } } });
    await waitForDataVolume(world.namespaceA, dvName, "Succeeded");
    expect(readFileSync(storedFile(world.namespaceA, dvName)).equals(served)).toBe(true);
    expect(await readVmDiskProgress(db(), await requireVmRow(db(), world.teamA, created.id))).toMatchObject({ source: "url", phase: "Succeeded", percent: 100, done: true });
    const [audit] = await db().select().from(auditEvents).where(and(eq(auditEvents.targetId, created.id), eq(auditEvents.action, "vm.create")));
    expect(audit!.detail).toMatchObject({ bootSource: "url", from: imagesUrl, diskSizeGib: 2 });
    expect(JSON.stringify(audit!.detail)).not.toContain("secret");
    expect((await rowOf(created.id))!.spec).toMatchObject({ image: `${imagesUrl}/disk.img?…` });
    // An upload into a disk that is not an upload disk is refused.
    await expect(upload(created.id, bootableDisk(MIB))).rejects.toBeInstanceOf(ConflictError);
    await remove(created.id, created.name);
    await waitUntilNothingLeft(created.id, dvName);

    // A URL whose server answers 404: CDI retries, then the disk fails, and the page can say so.
    const missing = await create({ bootSource: "url", diskUrl: `${imagesUrl}/missing.img` });
    await waitForDataVolume(world.namespaceA, `${missing.name}-disk`, "Failed");
    expect(await readVmDiskProgress(db(), await requireVmRow(db(), world.teamA, missing.id))).toMatchObject({ failed: true, done: false, problem: expect.stringContaining("404") });
    await remove(missing.id, missing.name);
    await waitUntilNothingLeft(missing.id);

    const rowsBefore = (await db().select({ id: workloads.id }).from(workloads)).length;
    const refused: [string, RegExp][] = [
      ["http://169.254.169.254/latest/meta-data/", /link-local or metadata/],
      ["http://metadata.google.internal/computeMetadata/v1/", /metadata service/],
      ["http://user:pass@example.com/disk.img", /user name or password/],
      ["http://0x7f.1/disk.img", /not a valid host name/],
      ["http://2130706433/disk.img", /four decimal numbers/],
      ["ftp://example.com/disk.img", /http:\/\/ or https:\/\//],
      ["file:///etc/passwd", /http:\/\/ or https:\/\//],
      ["https://example.com/disk.img#x", /fragment/],
      ["https://exa mple.com/disk.img", /printable ASCII/],
      ["http://[fe80::1]/disk.img", /link-local or metadata/],
      ["http://no-such-host.invalid/disk.img", /could not be resolved/],
    ];
    for (const [url, message] of refused) {
      const error = await create({ bootSource: "url", diskUrl: url }).catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fieldErrors?.diskUrl, url).toMatch(message);
    }
    expect((await db().select({ id: workloads.id }).from(workloads)).length).toBe(rowsBefore);
  }, 120_000);

  test("a clone of a golden image from the cluster's list gets its bytes; one not on the list is refused", async () => {
    const created = await create({ bootSource: "clone", goldenImage: `${GOLDEN_NAMESPACE}/debian-golden` });
    const dvName = `${created.name}-disk`;
    expect((await dataVolumeOf(dvName)).spec.source).toEqual({ pvc: { namespace: GOLDEN_NAMESPACE, name: "debian-golden" } });
    await waitForDataVolume(world.namespaceA, dvName, "Succeeded");
    expect(readFileSync(storedFile(world.namespaceA, dvName)).equals(readFileSync(storedFile(GOLDEN_NAMESPACE, "debian-golden")))).toBe(true);
    expect((await rowOf(created.id))!.spec).toMatchObject({ image: "clone of Golden Debian" });
    await remove(created.id, created.name);
    await waitUntilNothingLeft(created.id, dvName);

    const unlisted = await create({ bootSource: "clone", goldenImage: "kube-system/secrets" }).catch((e: unknown) => e);
    expect((unlisted as ValidationError).fieldErrors).toEqual({ goldenImage: "Choose a golden image from this cluster's list." });
  });

  test("cancel deletes the DataVolume and a retry makes it again; a disk kept on delete is relabelled (not drift), the rest goes", async () => {
    const created = await create();
    const dvName = `${created.name}-disk`;
    await waitForDataVolume(world.namespaceA, dvName, "UploadReady");
    const cancelled = await (await uploadServer()).send("DELETE", `/api/vm-disk-uploads/${created.id}`, { authorization: `Bearer ${world.ownerToken}` });
    expect(cancelled.status).toBe(200);
    await waitFor(kc, { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", namespace: world.namespaceA, fieldSelector: `metadata.name=${dvName}` }, (items) => items.length === 0, { description: "the cancelled DataVolume gone" });
    expect(await readVmDiskProgress(db(), await requireVmRow(db(), world.teamA, created.id))).toMatchObject({ phase: "Missing", awaitingUpload: true });

    const image = bootableDisk(MIB);
    expect(await upload(created.id, image)).toEqual({ bytes: image.length, format: "raw" });
    expect((await dataVolumeOf(dvName)).status.phase).toBe("Succeeded");
    await expect(cancelVmDiskUpload(db(), world.owner, { workloadId: created.id })).rejects.toThrow(/has finished/);

    await remove(created.id, created.name, true);
    await waitUntilNothingLeft(created.id);
    const kept = await dataVolumeOf(dvName);
    expect(kept.metadata.labels[WORKLOAD_LABEL]).toBeUndefined();
    expect(kept.metadata.labels).toMatchObject({ [KEPT_DISK_LABEL]: "true", [TEAM_LABEL]: world.teamA, [CLUSTER_LABEL]: world.clusterId });
    expect(kept.metadata.annotations[KEPT_FROM_ANNOTATION]).toBe(created.name);
    expect(existsSync(storedFile(world.namespaceA, dvName))).toBe(true);
    const { vmDriver } = await import("@/lib/vms/lifecycle-driver");
    expect((await vmDriver.inventory(db(), world.clusterId)).map((f) => f.workloadId)).not.toContain(created.id);
    const [audit] = await db().select().from(auditEvents).where(and(eq(auditEvents.targetId, created.id), eq(auditEvents.action, "vm.delete")));
    expect(audit).toMatchObject({ outcome: "success", detail: { keptDisk: dvName } });
    await custom.deleteNamespacedCustomObject({ group: CDI.group, version: CDI.version, namespace: world.namespaceA, plural: CDI.dataVolumes, name: dvName });
  });

  test("failures are plain sentences, nothing half-uploaded is kept, and a retry works", async () => {
    // Over the quota: refused before anything exists.
    const rowsBefore = (await db().select({ id: workloads.id }).from(workloads)).length;
    const overQuota = (await create({ diskSizeGib: "20" }).catch((e: unknown) => e)) as ValidationError;
    expect(overQuota).toBeInstanceOf(ValidationError);
    expect(overQuota.message).toMatch(/^Not enough storage quota: asked 20 GiB, .* of 8 GiB in use\.$/);
    expect(overQuota.fieldErrors).toEqual({ diskSizeGib: overQuota.message });
    expect((await db().select({ id: workloads.id }).from(workloads)).length).toBe(rowsBefore);

    const created = await create();
    const dvName = `${created.name}-disk`;
    const stored = storedFile(world.namespaceA, dvName);
    const uploadReady = async () => expect((await dataVolumeOf(dvName)).status.phase).toBe("UploadReady");

    // CDI not ready yet (the DataVolume was just made): said so, in a moment it is.
    const notReady = await upload(created.id, bootableDisk(MIB), { readyWaitMs: 1 }).catch((e: unknown) => e);
    expect(notReady).toBeInstanceOf(UnavailableError);
    expect((notReady as Error).message).toMatch(/^CDI is not ready to receive the disk yet \(it is \w+\)\. Try again in a moment\.$/);
    await waitForDataVolume(world.namespaceA, dvName, "UploadReady");

    // Bigger than the disk (by its size, or a qcow2's virtual size), or not a disk image at all.
    const tooBig = await upload(created.id, bootableDisk(MIB), { length: 2 * 1024 ** 3 }).catch((e: unknown) => e);
    expect((tooBig as Error).message).toBe("The image is 2 GiB, larger than the VM's disk (1 GiB). Create the VM with a larger disk, or upload a smaller image.");
    const text = await upload(created.id, Buffer.from("#!/bin/sh\necho this is not a disk\n".repeat(100))).catch((e: unknown) => e);
    expect((text as Error).message).toMatch(/^The file is text, not a disk image \(raw, qcow2/);
    const zip = await upload(created.id, Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(4096)])).catch((e: unknown) => e);
    expect((zip as Error).message).toMatch(/^The file is a ZIP archive, not a disk image/);
    const scratch = mkdtempSync(path.join(tmpdir(), "vm-disks-"));
    let virtual: unknown;
    try {
      const qcow2 = path.join(scratch, "big.qcow2");
      execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", qcow2, "4G"]);
      virtual = await upload(created.id, readFileSync(qcow2)).catch((e: unknown) => e);
      expect(virtual).toBeInstanceOf(ValidationError);
      expect((virtual as Error).message).toBe("CDI refused the image: its virtual size is larger than the disk. Create the VM with a larger disk, or upload a smaller image.");
      // Through the route the proxy's refusal reaches the browser from the upload relay process, as the panel's sentence.
      const refusedViaRoute = (await onceTheProxyIsFree(() =>
        uploadThroughRoute(created.id, readFileSync(qcow2)).then(async (r) => (r.status === 409 ? Promise.reject(new ConflictError((await r.json()).error.message)) : r)),
      )) as Response;
      expect(refusedViaRoute.status).toBe(400);
      expect((await refusedViaRoute.json()).error.message).toBe((virtual as Error).message);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    await uploadReady();
    expect(existsSync(stored)).toBe(false);

    // A token the proxy does not accept (expired or forged: the same 401 from the proxy).
    const ctx = await workloadClusterContext(db(), await requireVmRow(db(), world.teamA, created.id));
    const proxy = await readUploadProxy(ctx.connection);
    const forged = (await requestUploadToken(ctx, dvName)).replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    const refusedToken = await streamToUploadProxy({ ...proxy, token: forged }, [bootableDisk(MIB)], MIB).catch((e: unknown) => e);
    expect(refusedToken).toBeInstanceOf(ConflictError);
    expect((refusedToken as Error).message).toMatch(/^The upload proxy refused the upload token \(it expired or is not valid for this disk\)\. Try again/);

    /** The proxy refuses a second upload while it still finishes off the previous, cut one: try again (bounded) until it takes one. */
    async function onceTheProxyIsFree(attempt: () => Promise<unknown>): Promise<unknown> {
      for (let tries = 0; ; tries++) {
        const outcome = await attempt().catch((e: unknown) => e);
        const busy = outcome instanceof ConflictError && /Another upload/.test(outcome.message);
        if (!busy || tries >= 50) return outcome;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    // The browser's connection ends half-way: nothing kept.
    async function* cutAfter(bytes: number): AsyncGenerator<Uint8Array> {
      yield bootableDisk(bytes);
      throw new Error("socket hang up");
    }
    const browserCut = await upload(created.id, cutAfter(MIB), { length: 4 * MIB }).catch((e: unknown) => e);
    expect(browserCut).toBeInstanceOf(UploadInterruptedError);
    expect((browserCut as Error).message).toBe("The upload was interrupted: the connection from the browser ended before the whole file arrived. Nothing was kept; try again.");

    // The connection to the proxy breaks half-way (a relay that cuts it after 1 MiB): nothing kept.
    const proxyPort = Number(new URL(proxy.url).port);
    const relay = createTcpServer((client: Socket) => {
      const upstream = tcpConnect(proxyPort, "127.0.0.1");
      let forwarded = 0;
      client.on("data", (chunk: Buffer) => {
        forwarded += chunk.length;
        if (forwarded > MIB) {
          client.destroy();
          upstream.destroy();
          return;
        }
        upstream.write(chunk);
      });
      upstream.on("data", (chunk: Buffer) => client.write(chunk));
      for (const socket of [client, upstream]) socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    try {
      const relayUrl = `https://127.0.0.1:${(relay.address() as { port: number }).port}`;
      const token = await requestUploadToken(ctx, dvName);
      const cut = await onceTheProxyIsFree(() => streamToUploadProxy({ url: relayUrl, caPem: proxy.caPem, token }, [bootableDisk(8 * MIB)], 8 * MIB));
      expect(cut).toBeInstanceOf(UploadInterruptedError);
      expect((cut as Error).message).toBe("The upload was cut off: the connection to CDI's upload proxy broke before it confirmed the image. Try again.");
    } finally {
      relay.close();
    }
    await waitFor(kc, { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", namespace: world.namespaceA, fieldSelector: `metadata.name=${dvName}` }, (items) => (items[0] as any)?.status?.phase === "UploadReady", {
      description: "the DataVolume still waiting for its upload",
    });
    expect(existsSync(stored)).toBe(false);
    // The proxy notices the cut a moment after the panel does, then drops what it had received.
    for (const deadline = Date.now() + 5_000; existsSync(`${stored}.part`) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(`${stored}.part`)).toBe(false);

    // After all that, a retry works.
    const image = bootableDisk(MIB);
    const ok = (await onceTheProxyIsFree(() => uploadThroughRoute(created.id, image).then(async (r) => (r.status === 409 ? Promise.reject(new ConflictError((await r.json()).error.message)) : r)))) as Response;
    expect(ok.status).toBe(200);
    expect(readFileSync(stored).equals(image)).toBe(true);
    const errors = await db().select().from(auditEvents).where(and(eq(auditEvents.targetId, created.id), eq(auditEvents.action, "vm.disk-upload"), eq(auditEvents.outcome, "error")));
    // Each refusal above that went through the panel has its audit row with the sentence the user got.
    const said = errors.map((row) => (row.detail as { error?: string }).error);
    for (const refusal of [notReady, tooBig, text, zip, virtual, browserCut]) expect(said).toContain((refusal as Error).message);
    await remove(created.id, created.name);
    await waitUntilNothingLeft(created.id, dvName);
  }, 120_000);

  test("a VM's DataVolume is one of its objects for the reconciler: found, and removed with the rest when its row is gone (drift)", async () => {
    const created = await create();
    const { vmDriver } = await import("@/lib/vms/lifecycle-driver");
    const found = (await vmDriver.inventory(db(), world.clusterId)).find((f) => f.workloadId === created.id)!;
    expect(found.objects.map((o) => o.kind).sort()).toEqual(["DataVolume", "Secret", "Service", "VirtualMachine"]);
    await db().delete(workloads).where(eq(workloads.id, created.id));
    await vmDriver.removeOrphan(db(), world.clusterId, found);
    await waitUntilNothingLeft(created.id, `${created.name}-disk`);
  });

  test("only members who may create VMs in the owning team may upload or cancel; the route answers others like a missing VM", async () => {
    const created = await create();
    const image = bootableDisk(MIB);
    await expect(upload(created.id, image, { caller: world.outsider })).rejects.toBeInstanceOf(NotFoundError);
    await expect(upload(created.id, image, { caller: world.viewer })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(cancelVmDiskUpload(db(), world.outsider, { workloadId: created.id })).rejects.toBeInstanceOf(NotFoundError);
    await expect(cancelVmDiskUpload(db(), world.viewer, { workloadId: created.id })).rejects.toBeInstanceOf(ForbiddenError);
    const viaRoute = await uploadThroughRoute(created.id, image, world.outsiderToken);
    expect(viaRoute.status).toBe(404);
    expect(await viaRoute.json()).toEqual({ error: expect.objectContaining({ code: "not_found" }) });
    const badToken = await uploadThroughRoute(created.id, image, "mc_not-a-token");
    expect(badToken.status).toBe(401);
    const notAnId = await (await uploadServer()).send("POST", `/api/vm-disk-uploads/${encodeURIComponent("../../etc")}`, { authorization: `Bearer ${world.ownerToken}` });
    expect(notAnId.status).toBe(404);
    expect((await dataVolumeOf(`${created.name}-disk`))?.status?.phase).not.toBe("Succeeded");
    const denied = await db().select().from(auditEvents).where(and(eq(auditEvents.action, "vm.disk-upload"), eq(auditEvents.outcome, "denied")));
    expect(denied.length).toBeGreaterThanOrEqual(3);
    await remove(created.id, created.name);
    await waitUntilNothingLeft(created.id);
  });
});
