// Pure rules of SSH pods: the owner's login name inside the pod, quantities, quota refusals
// with their numbers, and the form's bounds.
import { describe, expect, it } from "vitest";
import { cpuMillicoresOf, mibOf, parseQuantity } from "@/lib/kube/quantity";
import { LOGIN_NAME_PATTERN, loginNameFor } from "@/lib/pods/login-name";
import { quotaShortfalls } from "@/lib/workloads/quota";
import { createSshPodInputSchema } from "@/lib/pods/schemas";

describe("login names", () => {
  it.each([
    ["alice@example.com", "alice"],
    ["Alice.Smith+pods@example.com", "alice-smith"],
    ["j_doe@x.io", "j_doe"],
    ["42bob@x.io", "bob"],
    ["1234@x.io", "user"],
    ["--@x.io", "user"],
    ["root@x.io", "u-root"],
    ["sshd@x.io", "u-sshd"],
    ["élodie.müller@x.io", "lodie-m-ller"],
    [`${"a".repeat(40)}@x.io`, "a".repeat(32)],
    [`${"a".repeat(31)}.b@x.io`, "a".repeat(31)],
  ])("%s → %s", (email, expected) => {
    const name = loginNameFor(email);
    expect(name).toBe(expected);
    expect(name).toMatch(LOGIN_NAME_PATTERN);
  });
});

describe("quantities", () => {
  it("reads the forms Kubernetes writes", () => {
    expect(cpuMillicoresOf("250m")).toBe(250);
    expect(cpuMillicoresOf("4")).toBe(4000);
    expect(cpuMillicoresOf("1.5")).toBe(1500);
    expect(mibOf("512Mi")).toBe(512);
    expect(mibOf("8Gi")).toBe(8192);
    expect(parseQuantity("1G")).toBe(1e9);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity("10")).toBe(10);
    expect(parseQuantity("ten")).toBeNull();
  });
});

describe("quota refusals", () => {
  const quota = (hard: Record<string, string>, used: Record<string, string>) => ({ status: { hard, used } });

  it("name what was asked, what is in use and the limit", () => {
    const shortfalls = quotaShortfalls(quota({ "requests.cpu": "4", "requests.memory": "8Gi", pods: "3", "requests.storage": "50Gi" }, { "requests.cpu": "3500m", "requests.memory": "7680Mi", pods: "3", "requests.storage": "45Gi" }), {
      cpuMillicores: 2000,
      memoryMib: 1024,
      pods: 1,
      storageGib: 10,
    });
    expect(shortfalls.map((s) => s.message)).toEqual([
      "Not enough CPU quota: asked 2 cores, 3.5 of 4 cores in use.",
      "Not enough memory quota: asked 1 GiB, 7.5 of 8 GiB in use.",
      "Not enough pod quota: asked 1 pod, 3 of 3 pods in use.",
      "Not enough storage quota: asked 10 GiB, 45 of 50 GiB in use.",
    ]);
    expect(shortfalls.map((s) => s.resource)).toEqual(["cpu", "memory", "pods", "storage"]);
  });

  it("let a pod through that fits exactly, or when there is no quota", () => {
    const q = quota({ "requests.cpu": "1", "requests.memory": "1Gi" }, { "requests.cpu": "500m", "requests.memory": "512Mi" });
    expect(quotaShortfalls(q, { cpuMillicores: 500, memoryMib: 512, pods: 1 })).toEqual([]);
    expect(quotaShortfalls(null, { cpuMillicores: 16000, memoryMib: 65536, storageGib: 500 })).toEqual([]);
    // No home volume: storage is not asked for.
    expect(quotaShortfalls(quota({ "requests.storage": "0" }, {}), { cpuMillicores: 100, memoryMib: 128, pods: 1 })).toEqual([]);
  });

  it("say small memory in MiB", () => {
    const [s] = quotaShortfalls(quota({ "requests.memory": "512Mi" }, { "requests.memory": "256Mi" }), { cpuMillicores: 100, memoryMib: 384, pods: 1 });
    expect(s?.message).toBe("Not enough memory quota: asked 384 MiB, 256 of 512 MiB in use.");
  });
});

describe("the create form's bounds", () => {
  const base = { teamId: crypto.randomUUID(), clusterId: crypto.randomUUID(), name: "dev box", image: "x", cpuMillicores: "500", memoryMib: "512", homeGib: "", ttlMinutes: "" };
  const errors = (overrides: Record<string, unknown>) => {
    const parsed = createSshPodInputSchema.safeParse({ ...base, ...overrides });
    return parsed.success ? {} : Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
  };

  it("accepts a plain request, blanks meaning none", () => {
    expect(createSshPodInputSchema.parse(base)).toMatchObject({ name: "dev box", cpuMillicores: 500, memoryMib: 512, homeGib: null, ttlMinutes: null });
  });

  it("refuses sizes and lifetimes out of bounds, with the bound", () => {
    expect(errors({ cpuMillicores: "99" })).toEqual({ cpuMillicores: "Use at least 0.1 cores." });
    expect(errors({ cpuMillicores: "16001" })).toEqual({ cpuMillicores: "Use at most 16 cores." });
    expect(errors({ memoryMib: "100" })).toEqual({ memoryMib: "Use at least 128 MiB." });
    expect(errors({ memoryMib: String(64 * 1024 + 1) })).toEqual({ memoryMib: "Use at most 64 GiB." });
    expect(errors({ homeGib: "0" })).toEqual({ homeGib: "Use at least 1 GiB." });
    expect(errors({ homeGib: "501" })).toEqual({ homeGib: "Use at most 500 GiB." });
    expect(errors({ ttlMinutes: "10" })).toEqual({ ttlMinutes: "Use at least 15 minutes." });
    expect(errors({ ttlMinutes: String(31 * 1440) })).toEqual({ ttlMinutes: "Use at most 30 days." });
    expect(errors({ name: "no/slashes" }).name).toMatch(/not allowed/);
  });
});
