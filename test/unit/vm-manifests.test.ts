// The objects of a VM built from its stored spec: the VirtualMachine (run strategy, container
// disk, explicit size or instancetype, placement, the sidecar annotation on the template only,
// our labels with the registration's id on it and its template), the cloud-init Secret and the
// Service, both owned by the VM; and which operations a VM's state offers.
import { describe, expect, it } from "vitest";
import { CLUSTER_LABEL, KIND_LABEL, OWNER_EMAIL_ANNOTATION, WORKLOAD_LABEL } from "@/lib/kube/labels";
import { operationsFor } from "@/lib/vms/choices";
import { vmRuntime } from "@/lib/vms/kubevirt";
import { cloudInitSecret, MESH_SIDECAR_ANNOTATION, ownedByVm, plannedVmObjectNames, virtualMachine, vmService, type VmObjectsContext } from "@/lib/vms/manifests";
import { quotaShortfalls } from "@/lib/workloads/quota";
import { plannedNamesProblem } from "@/lib/kube/object-names";

const ctx = (spec: Partial<VmObjectsContext["spec"]> = {}, placement: Partial<VmObjectsContext> = {}): VmObjectsContext => ({
  clusterId: "c1",
  workloadId: "w1",
  teamId: "t1",
  ownerId: "u1",
  namespace: "mc-acme-web",
  nodeSelector: {},
  tolerations: [],
  ...placement,
  spec: {
    displayName: "build box",
    image: "quay.io/containerdisks/fedora:41",
    runStrategy: "Always",
    cpuCores: 2,
    memoryMib: 4096,
    instancetype: null,
    meshSidecar: false,
    cloudConfig: null,
    ownerEmail: "ann@example.com",
    vmName: "build-box-a1b2c",
    secretName: "build-box-a1b2c-cloud-init",
    serviceName: "build-box-a1b2c",
    ...spec,
  },
});

type Template = { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: Record<string, any> };

describe("the VirtualMachine", () => {
  it("boots the container disk with cloud-init from the Secret, an explicit size, our labels on it and its template", () => {
    const vm = virtualMachine(ctx());
    const template = vm.spec.template as Template;
    expect(vm).toMatchObject({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "build-box-a1b2c", namespace: "mc-acme-web" }, spec: { runStrategy: "Always" } });
    const labels = { [CLUSTER_LABEL]: "c1", [KIND_LABEL]: "vm", [WORKLOAD_LABEL]: "w1" };
    expect(vm.metadata?.labels).toMatchObject(labels);
    expect(vm.metadata?.annotations).toEqual({ [OWNER_EMAIL_ANNOTATION]: "ann@example.com" });
    expect(template.metadata.labels).toMatchObject(labels);
    expect(template.metadata.annotations).toBeUndefined();
    expect(template.spec.hostname).toBe("build-box-a1b2c");
    expect(template.spec.domain.cpu).toEqual({ cores: 2 });
    expect(template.spec.domain.resources).toEqual({ requests: { cpu: "2", memory: "4096Mi" }, limits: { cpu: "2", memory: "4096Mi" } });
    expect(template.spec.volumes).toEqual([
      { name: "boot", containerDisk: { image: "quay.io/containerdisks/fedora:41", imagePullPolicy: "IfNotPresent" } },
      { name: "cloudinit", cloudInitNoCloud: { userDataSecretRef: { name: "build-box-a1b2c-cloud-init" } } },
    ]);
    expect(JSON.stringify(vm)).not.toContain("userData\""); // never inline
    expect(template.spec.nodeSelector).toBeUndefined();
    expect(template.spec.tolerations).toBeUndefined();
  });

  it("names an instancetype instead of a size, and carries placement and the sidecar annotation on the template only", () => {
    const tolerations = [{ key: "dedicated", operator: "Equal", value: "vms", effect: "NoSchedule" }];
    const vm = virtualMachine(ctx({ instancetype: { kind: "VirtualMachineClusterInstancetype", name: "u1.medium" }, meshSidecar: true, runStrategy: "Halted" }, { nodeSelector: { pool: "vms" }, tolerations }));
    const template = vm.spec.template as Template;
    expect(vm.spec.instancetype).toEqual({ kind: "VirtualMachineClusterInstancetype", name: "u1.medium" });
    expect(vm.spec.runStrategy).toBe("Halted");
    expect(template.spec.domain.cpu).toBeUndefined();
    expect(template.spec.domain.resources).toBeUndefined();
    expect(template.metadata.annotations).toEqual({ [MESH_SIDECAR_ANNOTATION]: "true" });
    expect(vm.metadata?.annotations?.[MESH_SIDECAR_ANNOTATION]).toBeUndefined();
    expect(template.spec.nodeSelector).toEqual({ pool: "vms" });
    expect(template.spec.tolerations).toEqual(tolerations);
  });

  it("has children owned by it: the user data Secret and the Service on port 22 of its pod", () => {
    const owner = ownedByVm({ metadata: { name: "build-box-a1b2c", uid: "uid-1" } });
    expect(owner).toEqual({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: "build-box-a1b2c", uid: "uid-1" });
    const secret = cloudInitSecret(ctx(), owner, "#cloud-config\nhostname: x\n");
    expect(secret).toMatchObject({ metadata: { name: "build-box-a1b2c-cloud-init", ownerReferences: [owner] }, stringData: { userdata: "#cloud-config\nhostname: x\n" } });
    const service = vmService(ctx(), owner);
    expect(service.spec).toMatchObject({ selector: { [WORKLOAD_LABEL]: "w1" }, ports: [{ port: 22, targetPort: 22 }] });
    expect(service.metadata?.ownerReferences).toEqual([owner]);
  });

  it("checks its object names as Kubernetes will", () => {
    expect(plannedNamesProblem(plannedVmObjectNames(ctx().spec))).toBeNull();
    expect(plannedNamesProblem(plannedVmObjectNames({ ...ctx().spec, vmName: "9lives" }))).toMatch(/VirtualMachine/);
  });
});

describe("what a VM's state offers and asks", () => {
  it("offers the operations that fit its status", () => {
    expect(operationsFor("Stopped")).toEqual(["start"]);
    expect(operationsFor("Running")).toEqual(["stop", "forceStop", "restart", "pause"]);
    expect(operationsFor("Paused")).toEqual(["unpause", "stop", "forceStop"]);
    expect(operationsFor("Stopping")).toEqual(["forceStop"]);
    expect(operationsFor("Starting")).toEqual(["stop", "forceStop"]);
    expect(operationsFor("Missing")).toEqual([]);
  });

  it("reads status, address and node from the VM and its instance", () => {
    expect(vmRuntime(undefined, undefined)).toMatchObject({ printableStatus: "Missing", ip: null });
    const vm = { spec: { runStrategy: "Always" }, status: { printableStatus: "Running", ready: true } };
    const vmi = { status: { phase: "Running", nodeName: "worker-1", interfaces: [{ ipAddress: "10.200.0.7" }], phaseTransitionTimestamps: [{ phase: "Pending", phaseTransitionTimestamp: "2025-12-31T23:59:53.500Z" }, { phase: "Running", phaseTransitionTimestamp: "2026-01-01T00:00:00Z" }] } };
    expect(vmRuntime(vm, vmi)).toEqual({ printableStatus: "Running", phase: "Running", ready: true, ip: "10.200.0.7", node: "worker-1", reason: null, startedAt: "2026-01-01T00:00:00.000Z", bootMs: 6500, runStrategy: "Always" });
    const unschedulable = { spec: { runStrategy: "Always" }, status: { printableStatus: "ErrorUnschedulable", conditions: [{ type: "Ready", status: "False", reason: "Unschedulable", message: "0/3 nodes match" }] } };
    expect(vmRuntime(unschedulable, undefined).reason).toBe("Unschedulable: 0/3 nodes match");
  });

  it("counts a VM and its pod against the quota", () => {
    const quota = { status: { hard: { "count/virtualmachines.kubevirt.io": "2", "requests.cpu": "4" }, used: { "count/virtualmachines.kubevirt.io": "2", "requests.cpu": "1" } } };
    expect(quotaShortfalls(quota, { cpuMillicores: 2000, memoryMib: 1024, vms: 1, pods: 1 }).map((s) => s.message)).toEqual(["Not enough VM quota: asked 1 VM, 2 of 2 VMs in use."]);
  });
});
