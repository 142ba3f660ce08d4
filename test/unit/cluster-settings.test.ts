// Cluster settings: the form's text areas parse into the stored shape with line-numbered
// messages, stored values read back with defaults, and team namespace objects are built right.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SSH_IMAGE,
  DEFAULT_VM_IMAGE_CATALOG,
  clusterSettingsFormSchema,
  parseImageCatalog,
  parseNodeSelector,
  parseTolerations,
  readClusterSettings,
  settingsToForm,
  resolveSshRoute,
} from "@/lib/clusters/settings";
import { quotaHard, teamNamespaceName, teamRoleRules } from "@/lib/clusters/team-namespace";
import { formatBytes, formatCpu, quantityValue, toMillicores } from "@/lib/kube/quantity";
import { isDns1123Label as isRfc1123Label } from "@/lib/kube/object-names";

describe("cluster settings", () => {
  it("defaults to our SSH image, no placement, no impersonation, drift only listed, and the ssh route chosen by where the panel runs", () => {
    expect(readClusterSettings({ settings: {} })).toEqual({
      nodeSelector: {},
      tolerations: [],
      storageClass: null,
      imageCatalog: [{ label: "minicloud SSH (Debian)", image: DEFAULT_SSH_IMAGE }],
      vmImageCatalog: DEFAULT_VM_IMAGE_CATALOG,
      vmGoldenImages: [],
      impersonation: false,
      removeOrphans: false,
      sshRoute: "auto",
    });
    expect(DEFAULT_SSH_IMAGE).toBe("minicloud/ssh-pod:latest");
    expect([resolveSshRoute("auto", true), resolveSshRoute("auto", false), resolveSshRoute("direct", false), resolveSshRoute("port-forward", true), resolveSshRoute(undefined, true)]).toEqual([
      "direct",
      "port-forward",
      "direct",
      "port-forward",
      "direct",
    ]);
  });

  it("leaves out stored catalog entries that are not image references", () => {
    const bad = [{ label: "Upper", image: "Debian:12" }, { label: "Short", image: "debian@sha256:abc" }, { label: "Url", image: "https://x.io/debian" }];
    const settings = readClusterSettings({ settings: { imageCatalog: [...bad, { label: "Debian", image: "debian:12" }], storageClass: "fast" } });
    expect(settings.imageCatalog).toEqual([{ label: "Debian", image: "debian:12" }]);
    expect(settings.storageClass).toBe("fast");
    expect(readClusterSettings({ settings: { vmImageCatalog: [...bad, { label: "CirrOS", image: "quay.io/kubevirt/cirros-container-disk-demo:v1.4" }] } }).vmImageCatalog).toEqual([
      { label: "CirrOS", image: "quay.io/kubevirt/cirros-container-disk-demo:v1.4" },
    ]);
    // A form without the VM disk field (an older page) keeps the default list, not an empty one.
    expect(clusterSettingsFormSchema.parse({ imageCatalog: "Debian = debian:12" }).vmImageCatalog).toEqual(DEFAULT_VM_IMAGE_CATALOG);
    expect(readClusterSettings({ settings: { imageCatalog: bad } }).imageCatalog).toEqual([{ label: "minicloud SSH (Debian)", image: DEFAULT_SSH_IMAGE }]);
  });

  it("keeps the good stored fields when one is bad", () => {
    const settings = readClusterSettings({ settings: { storageClass: "fast", impersonation: "yes", nodeSelector: { pool: "a" } } });
    expect(settings).toMatchObject({ storageClass: "fast", impersonation: false, nodeSelector: { pool: "a" } });
  });

  it("parses node selectors as key=value lines", () => {
    expect(parseNodeSelector("pool=dev\n# comment\n\n kubernetes.io/arch = amd64 ")).toEqual({ pool: "dev", "kubernetes.io/arch": "amd64" });
    expect(() => parseNodeSelector("pool")).toThrow("Line 1: write key=value.");
    expect(() => parseNodeSelector("ok=1\nbad key=1")).toThrow("Line 2: “bad key” is not a valid label key.");
  });

  it("parses tolerations: key=value:Effect, key:Effect, key", () => {
    expect(parseTolerations("dedicated=dev:NoSchedule\ngpu:NoExecute\nspot")).toEqual([
      { key: "dedicated", operator: "Equal", value: "dev", effect: "NoSchedule" },
      { key: "gpu", operator: "Exists", effect: "NoExecute" },
      { key: "spot", operator: "Exists" },
    ]);
    expect(() => parseTolerations("a=b:Sometimes")).toThrow("Line 1: the effect must be NoSchedule, PreferNoSchedule or NoExecute.");
  });

  it("parses the image catalog as Label = image lines", () => {
    const pinned = `ghcr.io/acme/dev@sha256:${"ab".repeat(32)}`;
    expect(parseImageCatalog(`Debian = debian:12\nghcr.io/acme/dev\nPinned = ${pinned}`)).toEqual([
      { label: "Debian", image: "debian:12" },
      { label: "ghcr.io/acme/dev", image: "ghcr.io/acme/dev" },
      { label: "Pinned", image: pinned },
    ]);
    expect(() => parseImageCatalog("")).toThrow("List at least one image.");
    expect(() => parseImageCatalog("Bad = not an image")).toThrow("Line 1: “not an image” is not an image reference.");
    // A truncated digest, an uppercase repository and a URL are not references.
    expect(() => parseImageCatalog("Short = ghcr.io/acme/dev@sha256:abc")).toThrow("Line 1: “ghcr.io/acme/dev@sha256:abc” is not an image reference. A sha256 digest has 64 hexadecimal digits; this one has 3.");
    expect(() => parseImageCatalog("ok = debian\nUpper = Acme/Dev:1")).toThrow("Line 2: “Acme/Dev:1” is not an image reference. Repository names must be lowercase: write “acme/dev”.");
    expect(() => parseImageCatalog("Url = https://ghcr.io/acme/dev")).toThrow(/Line 1: .* That is a URL/);
  });

  it("round-trips through the form, with field messages for bad lines", () => {
    const settings = {
      nodeSelector: { pool: "dev" },
      tolerations: [{ key: "dedicated", operator: "Equal" as const, value: "dev", effect: "NoSchedule" as const }],
      storageClass: "fast",
      imageCatalog: [{ label: "Debian", image: "debian:12" }],
      vmImageCatalog: [{ label: "CirrOS", image: "quay.io/kubevirt/cirros-container-disk-demo:v1.4" }],
      vmGoldenImages: [{ label: "Debian 12", namespace: "golden", name: "debian-12" }],
      impersonation: true,
      removeOrphans: true,
      sshRoute: "direct" as const,
    };
    const form = settingsToForm(settings);
    expect(clusterSettingsFormSchema.parse({ ...form, impersonation: "on", removeOrphans: "on" })).toEqual(settings);
    const bad = clusterSettingsFormSchema.safeParse({ ...form, nodeSelector: "nope", storageClass: "Bad Class", vmGoldenImages: "Debian = golden/debian\nBad = Golden/x", sshRoute: "carrier pigeon" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.path[0], i.message])).toEqual([
      ["nodeSelector", "Line 1: write key=value."],
      ["storageClass", "Not a valid storage class name."],
      ["vmGoldenImages", "Line 2: “Golden/x” is not namespace/claim (a namespace name, a slash, a PersistentVolumeClaim name)."],
      ["sshRoute", "Choose how ssh reaches pods and VMs."],
    ]);
    // A stored golden image that is not valid is left out alone.
    expect(readClusterSettings({ settings: { vmGoldenImages: [{ label: "x", namespace: "../etc", name: "y" }, settings.vmGoldenImages[0]] } }).vmGoldenImages).toEqual(settings.vmGoldenImages);
  });
});

describe("team namespace objects", () => {
  it("names the namespace mc-<org>-<team>, shortened with a stable hash when too long", () => {
    expect(teamNamespaceName("acme", "web")).toBe("mc-acme-web");
    const long = teamNamespaceName("a".repeat(40), "b".repeat(40));
    expect(long).toHaveLength(63);
    expect(isRfc1123Label(long)).toBe(true);
    expect(teamNamespaceName("a".repeat(40), "b".repeat(40))).toBe(long);
    expect(teamNamespaceName("a".repeat(40), "b".repeat(39) + "c")).not.toBe(long);
  });

  it("limits only what the quota sets", () => {
    expect(quotaHard({ cpuMillicores: 1500, memoryMib: null, maxPods: 0, maxVms: null, storageGib: 10 })).toEqual({
      "requests.cpu": "1500m",
      pods: "0",
      "requests.storage": "10Gi",
    });
  });

  it("grants exec and port-forward with get and create, and VM rules only where KubeVirt exists", () => {
    const plain = teamRoleRules({ kubevirt: false, cdi: false });
    expect(plain).toContainEqual({ apiGroups: [""], resources: ["pods/exec", "pods/portforward"], verbs: ["get", "create"] });
    expect(plain.some((r) => r.apiGroups?.includes("kubevirt.io"))).toBe(false);
    expect(teamRoleRules({ kubevirt: true, cdi: true }).some((r) => r.resources?.includes("virtualmachineinstances/console"))).toBe(true);
  });
});

describe("units", () => {
  it("reads quantities", () => {
    expect(toMillicores("250m")).toBe(250);
    expect(toMillicores("1.5")).toBe(1500);
    expect(quantityValue("512Mi")).toBe(512 * 2 ** 20);
    expect(quantityValue("2G")).toBe(2e9);
    expect(quantityValue(undefined)).toBe(0);
    expect(formatCpu(1500)).toBe("1.5 cores");
    expect(formatCpu(250)).toBe("250m CPU");
    expect(formatBytes(1536 * 2 ** 20)).toBe("1.5 GiB");
  });
});
