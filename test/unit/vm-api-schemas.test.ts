// What the OpenAPI document says the VMs API takes is what the handlers accept: a body written
// to the documented shape parses with the panel's own create schema, and every documented power
// operation is one the handler knows (and each VM operation has a documented name).
import { describe, expect, it } from "vitest";
import { createVmBodySchema, vmPowerBodySchema } from "@/lib/api/openapi/vm-schemas";
import { REST_VM_OPERATIONS } from "@/lib/api/vms";
import { VM_OPERATIONS } from "@/lib/vms/choices";
import { createVmInputSchema } from "@/lib/vms/schemas";

const teamId = "11111111-1111-4111-8111-111111111111";
const clusterId = "22222222-2222-4222-8222-222222222222";

describe("the VMs API as documented", () => {
  it("accepts create bodies of the documented shape", () => {
    const bodies = [
      { clusterId, name: "build box", image: "quay.io/kubevirt/cirros-container-disk-demo:latest", cpuCores: 1, memoryMib: 1024 },
      { clusterId, name: "sized", image: "quay.io/containerdisks/fedora:latest", runStrategy: "Halted", size: "VirtualMachineClusterInstancetype/u1.small", meshSidecar: true, cloudInit: "#cloud-config\npackages:\n  - git\n" },
    ];
    for (const body of bodies) {
      expect(createVmBodySchema.safeParse(body).success).toBe(true);
      const parsed = createVmInputSchema.safeParse({ ...body, teamId });
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    }
  });

  it("knows every documented power operation, and documents every VM operation", () => {
    const documented = vmPowerBodySchema.shape.operation.options;
    for (const name of documented) expect(VM_OPERATIONS).toContain(REST_VM_OPERATIONS[name]);
    expect(new Set(documented.map((name) => REST_VM_OPERATIONS[name]))).toEqual(new Set(VM_OPERATIONS));
  });
});
