// Bad input to SSH pod creation, refused before anything is made: names whose objects
// Kubernetes would refuse, images that are not references, lenient numbers, and sizes no node
// of the cluster can hold.
import type { V1Node, V1Taint } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { plannedNamesProblem } from "@/lib/kube/object-names";
import { plannedObjectNames } from "@/lib/pods/manifests";
import { nodeAdmits, nodeFitRefusal, type Placement } from "@/lib/workloads/node-fit";
import { createSshPodInputSchema } from "@/lib/pods/schemas";
import { formSchemaCases } from "./support/field-messages";

describe("the create form's input", () => {
  const base = { teamId: crypto.randomUUID(), clusterId: crypto.randomUUID(), name: "dev box", image: "debian:12", cpuMillicores: "500", memoryMib: "512", homeGib: "", ttlMinutes: "" };

  formSchemaCases(createSshPodInputSchema, base, {
    accepts: [
      [{ cpuMillicores: 500, memoryMib: 512, homeGib: null, ttlMinutes: null }, { cpuMillicores: 500, memoryMib: 512, homeGib: null, ttlMinutes: null }],
      [{ cpuMillicores: " 1000 ", memoryMib: "1024", homeGib: "10", ttlMinutes: "60" }, { cpuMillicores: 1000, memoryMib: 1024, homeGib: 10, ttlMinutes: 60 }],
      [{ image: " ghcr.io/acme/dev:1 " }, { image: "ghcr.io/acme/dev:1" }],
      [{ name: "x".repeat(57) }, { name: "x".repeat(57) }],
    ],
    refuses: [
      [{ cpuMillicores: "0x1F4" }, { cpuMillicores: "“0x1F4” is a hexadecimal number; write it with the digits 0–9 (500)." }],
      [{ memoryMib: "1e3" }, { memoryMib: "“1e3” uses an exponent; write the number out (1000)." }],
      [{ homeGib: "1e1" }, { homeGib: "“1e1” uses an exponent; write the number out (10)." }],
      [{ ttlMinutes: "0x3C" }, { ttlMinutes: "“0x3C” is a hexadecimal number; write it with the digits 0–9 (60)." }],
      [{ cpuMillicores: "500m" }, { cpuMillicores: "Enter a plain number, without a unit such as “m”." }],
      [{ cpuMillicores: "-500" }, { cpuMillicores: "Enter an amount that is not negative." }],
      [{ cpuMillicores: "" }, { cpuMillicores: "Enter the CPU in millicores." }],
      [{ cpuMillicores: "Infinity" }, { cpuMillicores: "Enter the CPU in millicores." }],
      [{ cpuMillicores: Number.POSITIVE_INFINITY }, { cpuMillicores: "Enter the CPU in millicores." }],
      [{ cpuMillicores: Number.NaN }, { cpuMillicores: "Enter the CPU in millicores." }],
      [{ cpuMillicores: "500.5" }, { cpuMillicores: "Enter the CPU in millicores as a whole number." }],
      [{ cpuMillicores: true }, { cpuMillicores: "Enter the CPU in millicores." }],
      [{ ttlMinutes: String(365 * 1440) }, { ttlMinutes: "Use at most 30 days." }],
      [{ name: "9 lives" }, { name: "Start with a letter: the name becomes a Kubernetes Service name, and those start with a letter." }],
      [{ name: "x".repeat(58) }, { name: "Use at most 57 characters: the cluster adds a 5-character suffix." }],
      [{ name: "dev\u200bbox" }, { name: "U+200B ZERO WIDTH SPACE is not allowed: use letters a–z, digits, spaces and dashes." }],
      [{ name: "dev\tbox" }, { name: "U+0009 CHARACTER TABULATION is not allowed: use letters a–z, digits, spaces and dashes." }],
      [{ image: "Debian:12" }, { image: "Repository names must be lowercase: write “debian”." }],
      [{ image: "https://ghcr.io/acme/dev" }, { image: /^That is a URL/ }],
      [{ image: "debian@sha256:abc" }, { image: "A sha256 digest has 64 hexadecimal digits; this one has 3." }],
      [{ image: "!!!" }, { image: /“!!!” is not a valid repository name part/ }],
      [{ image: "" }, { image: "Choose an image." }],
    ],
  });
});

describe("the final object names", () => {
  it("are checked with the suffix, by the rule of each kind", () => {
    const good = { serviceName: "dev-box-abcde", secretName: "dev-box-abcde-ssh", pvcName: "dev-box-abcde-home" };
    expect(plannedNamesProblem(plannedObjectNames(good, "dev-box-abcde-fghij"))).toBeNull();
    expect(plannedObjectNames({ ...good, pvcName: null }, "p").map((n) => n.what)).toEqual(["Service", "Secret", "Pod"]);
    const digit = { serviceName: "9-abcde", secretName: "9-abcde-ssh", pvcName: null };
    expect(plannedNamesProblem(plannedObjectNames(digit, "9-abcde-fghij"))).toBe("its Service name must start with a letter and end with a letter or a digit");
    const long = { serviceName: "a".repeat(64), secretName: "a-ssh", pvcName: null };
    expect(plannedNamesProblem(plannedObjectNames(long, "a"))).toBe("its Service name must be at most 63 characters");
    expect(plannedNamesProblem(plannedObjectNames(good, "Pod_1"))).toMatch(/^its Pod name may only hold/);
  });
});

describe("sizes no node can hold", () => {
  const node = (name: string, cpu: string, memory: string, extra: { labels?: Record<string, string>; taints?: V1Taint[]; unschedulable?: boolean } = {}): V1Node => ({
    metadata: { name, labels: extra.labels ?? {} },
    spec: { taints: extra.taints, unschedulable: extra.unschedulable },
    status: { allocatable: { cpu, memory, pods: "110" } },
  });
  const anywhere: Placement = { nodeSelector: {}, tolerations: [] };
  const workers = [node("w1", "2", "3.5Gi"), node("w2", "1500m", "2Gi")];

  it("let a pod through that one node can hold, exactly or with room", () => {
    expect(nodeFitRefusal(workers, anywhere, { cpuMillicores: 2000, memoryMib: 3584 })).toBeNull();
    expect(nodeFitRefusal(workers, anywhere, { cpuMillicores: 500, memoryMib: 512 })).toBeNull();
  });

  it("say what the largest node can hold, on the fields asked too much", () => {
    const cpu = nodeFitRefusal(workers, anywhere, { cpuMillicores: 4000, memoryMib: 1024 });
    expect(cpu).toEqual({
      message: "No node can hold 4 cores and 1 GiB of memory: the largest node can hold at most 2 cores and 3.5 GiB.",
      fieldErrors: { cpuMillicores: "No node can hold 4 cores and 1 GiB of memory: the largest node can hold at most 2 cores and 3.5 GiB." },
    });
    expect(Object.keys(nodeFitRefusal(workers, anywhere, { cpuMillicores: 500, memoryMib: 8192 })!.fieldErrors)).toEqual(["memoryMib"]);
    expect(Object.keys(nodeFitRefusal(workers, anywhere, { cpuMillicores: 16000, memoryMib: 65536 })!.fieldErrors)).toEqual(["cpuMillicores", "memoryMib"]);
  });

  it("name each of the largest shapes when no one node is largest in both", () => {
    const mixed = [node("cpu", "8", "2Gi"), node("mem", "1", "16Gi"), node("small", "1", "1Gi")];
    const refusal = nodeFitRefusal(mixed, anywhere, { cpuMillicores: 4000, memoryMib: 4096 });
    expect(refusal?.message).toBe("No node can hold 4 cores and 4 GiB of memory: the largest nodes can hold at most 8 cores and 2 GiB, or 1 core and 16 GiB.");
    // Each alone fits somewhere, both together nowhere: both fields.
    expect(Object.keys(refusal!.fieldErrors)).toEqual(["cpuMillicores", "memoryMib"]);
  });

  it("never overstate what fits", () => {
    const odd = [node("w", "1999m", "4095Mi")];
    expect(nodeFitRefusal(odd, anywhere, { cpuMillicores: 2000, memoryMib: 4096 })?.message).toBe(
      "No node can hold 2 cores and 4 GiB of memory: the largest node can hold at most 1.99 cores and 3.99 GiB.",
    );
  });

  it("count only nodes the pod could be placed on", () => {
    const pool: Placement = { nodeSelector: { pool: "dev" }, tolerations: [{ key: "dedicated", operator: "Equal", value: "dev", effect: "NoSchedule" }] };
    const big = node("big", "16", "64Gi");
    const devNode = node("dev", "2", "4Gi", { labels: { pool: "dev" }, taints: [{ key: "dedicated", value: "dev", effect: "NoSchedule" }] });
    expect(nodeAdmits(big, pool)).toBe(false);
    expect(nodeAdmits(devNode, pool)).toBe(true);
    expect(nodeAdmits(devNode, anywhere)).toBe(false);
    expect(nodeAdmits(node("c", "4", "8Gi", { unschedulable: true }), anywhere)).toBe(false);
    expect(nodeAdmits(node("soft", "4", "8Gi", { taints: [{ key: "x", effect: "PreferNoSchedule" }] }), anywhere)).toBe(true);
    expect(nodeAdmits(node("recovering", "4", "8Gi", { taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoExecute" }] }), anywhere)).toBe(true);
    expect(nodeAdmits(node("gpu", "4", "8Gi", { taints: [{ key: "gpu", value: "a100", effect: "NoSchedule" }] }), { nodeSelector: {}, tolerations: [{ key: "gpu", operator: "Exists" }] })).toBe(true);
    expect(nodeAdmits(node("gpu", "4", "8Gi", { taints: [{ key: "gpu", value: "a100", effect: "NoSchedule" }] }), { nodeSelector: {}, tolerations: [{ key: "gpu", operator: "Equal", value: "h100" }] })).toBe(false);
    expect(nodeFitRefusal([big, devNode], pool, { cpuMillicores: 4000, memoryMib: 1024 })?.message).toBe(
      "No node can hold 4 cores and 1 GiB of memory: the largest node can hold at most 2 cores and 4 GiB.",
    );
  });

  it("say so when no node takes the panel's pods at all", () => {
    expect(nodeFitRefusal([], anywhere, { cpuMillicores: 100, memoryMib: 128 })).toEqual({
      message: "The cluster has no nodes to run the pod on; ask an administrator.",
      fieldErrors: { clusterId: "The cluster has no nodes to run the pod on; ask an administrator." },
    });
    expect(nodeFitRefusal([node("big", "4", "8Gi")], { nodeSelector: { pool: "gpu" }, tolerations: [] }, { cpuMillicores: 100, memoryMib: 128 })?.message).toBe(
      "No node of the cluster matches the node selector in its settings, so the pod could never run; ask an administrator.",
    );
  });

  it("let a pod wait while every node is cordoned or tainted for now, judging its size by them", () => {
    const cordoned = node("c", "4", "8Gi", { unschedulable: true });
    const held = node("h", "4", "8Gi", { taints: [{ key: "maintenance", effect: "NoSchedule" }] });
    expect(nodeFitRefusal([cordoned, held], anywhere, { cpuMillicores: 100, memoryMib: 128 })).toBeNull();
    expect(nodeFitRefusal([cordoned, held], anywhere, { cpuMillicores: 8000, memoryMib: 128 })?.message).toBe(
      "No node can hold 8 cores and 128 MiB of memory: the largest node can hold at most 4 cores and 8 GiB.",
    );
  });
});
