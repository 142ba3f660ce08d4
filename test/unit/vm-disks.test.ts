// Pure pieces of VM disks: the disk URL's shape (before any lookup), what a file's first bytes
// say it is, a DataVolume's progress as the VM page shows it, the upload proxy's address as CDI
// publishes it, and the boot-source fields of the create form.
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { vetDiskUrl, vetDiskUrlShape } from "@/lib/vms/disks/disk-url";
import { detectDiskImageFormat } from "@/lib/vms/disks/image-format";
import { dataVolumeProgress } from "@/lib/vms/disks/progress";
import { uploadProxyBaseUrl } from "@/lib/vms/disks/upload/proxy";
import { uploadRefusal } from "@/lib/vms/disks/upload/stream";
import { createVmInputSchema } from "@/lib/vms/schemas";
import type { VmDisk } from "@/lib/vms/disks/types";
import { bootableDisk } from "../support/disk-images";

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.message;
    throw error;
  }
  return null;
};

describe("disk URLs", () => {
  it("takes plain http(s) URLs as typed, queries included", () => {
    for (const url of ["https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-generic-amd64.qcow2", "http://10.0.0.5:8080/x.img?X-Amz-Signature=abc%2F&y=1", "http://[2001:db8::1]/disk.raw", "https://images.artifacts.svc/disk.img"]) {
      expect(vetDiskUrlShape(url).url).toBe(url);
    }
  });

  it("refuses other schemes, credentials, fragments, odd hosts and characters, with a sentence", () => {
    const cases: [string, RegExp][] = [
      ["", /Enter the URL/],
      ["ftp://example.com/x", /http:\/\/ or https:\/\//],
      ["HTTP://example.com/x", /plain host name|valid host/],
      ["javascript:alert(1)", /http:\/\/ or https:\/\//],
      ["https://user@example.com/x", /user name or password/],
      ["https://example.com@evil.test/x", /user name or password/],
      ["https://example.com/x#frag", /fragment/],
      ["https://exa mple.com/x", /printable ASCII/],
      ["https://exämple.com/x", /printable ASCII/],
      ["http://0x7f.0.0.1/x", /not a valid host name/],
      ["http://127.1/x", /four decimal numbers/],
      ["http://017700000001/x", /four decimal numbers/],
      ["http://1.2.3.04/x", /four decimal numbers/],
      ["http://example.com:99999/x", /port/],
      ["http://metadata.google.internal/x", /metadata service/],
      ["https://example.com\\@evil/x", /user name or password/],
      [`https://example.com/${"a".repeat(2001)}`, /longer than 2000/],
    ];
    for (const [url, message] of cases) expect(refusal(() => vetDiskUrlShape(url)), url).toMatch(message);
  });

  it("resolves the host against the panel's address policy", async () => {
    const policy = { allowLoopback: false, panel: { host: "127.0.0.1", port: 3000, publicUrl: "https://panel.example.test" } };
    await expect(vetDiskUrl("http://169.254.169.254/latest", policy)).rejects.toThrow(/link-local or metadata/);
    await expect(vetDiskUrl("http://127.0.0.1:8080/x.img", policy)).rejects.toThrow(/loopback/);
    await expect(vetDiskUrl("http://127.0.0.1:3000/x.img", { ...policy, allowLoopback: true })).rejects.toThrow(/panel's own address/);
    await expect(vetDiskUrl("https://panel.example.test/x.img", policy)).rejects.toThrow(/panel's own address/);
    await expect(vetDiskUrl("http://[::ffff:a9fe:a9fe]/x", policy)).rejects.toThrow(/link-local or metadata/);
    await expect(vetDiskUrl("http://127.0.0.1:8080/x.img", { ...policy, allowLoopback: true })).resolves.toBe("http://127.0.0.1:8080/x.img");
    await expect(vetDiskUrl("http://images.artifacts.svc/x.img", policy)).resolves.toBe("http://images.artifacts.svc/x.img");
    await expect(vetDiskUrl("http://nowhere.invalid/x.img", policy)).rejects.toThrow(/could not be resolved/);
  });
});

describe("disk image formats", () => {
  const withAt = (at: number, bytes: string, size = 64 * 1024) => {
    const buffer = Buffer.alloc(size, 1);
    buffer.write(bytes, at, "latin1");
    return buffer;
  };
  it("knows the images CDI reads, and takes other binary data for raw", () => {
    expect(detectDiskImageFormat(withAt(0, "QFI\xfb"))).toEqual({ ok: true, format: "qcow2" });
    expect(detectDiskImageFormat(withAt(0x8001, "CD001"))).toEqual({ ok: true, format: "iso" });
    expect(detectDiskImageFormat(withAt(0, "\x1f\x8b"))).toEqual({ ok: true, format: "gzip" });
    expect(detectDiskImageFormat(withAt(0, "\xfd7zXZ\x00"))).toEqual({ ok: true, format: "xz" });
    expect(detectDiskImageFormat(withAt(0, "vhdxfile"))).toEqual({ ok: true, format: "vhdx" });
    expect(detectDiskImageFormat(withAt(0, "KDMV"))).toEqual({ ok: true, format: "vmdk" });
    expect(detectDiskImageFormat(bootableDisk(1024 * 1024))).toEqual({ ok: true, format: "raw" });
  });
  it("refuses what is plainly not a disk, saying what it is", () => {
    expect(detectDiskImageFormat(Buffer.from("#cloud-config\nhostname: x\n"))).toMatchObject({ ok: false, message: expect.stringMatching(/^The file is text/) });
    expect(detectDiskImageFormat(withAt(0, "PK\x03\x04"))).toMatchObject({ ok: false, message: expect.stringMatching(/ZIP archive/) });
    expect(detectDiskImageFormat(withAt(0, "%PDF-1.7"))).toMatchObject({ ok: false, message: expect.stringMatching(/PDF/) });
    expect(detectDiskImageFormat(withAt(0, "\x7fELF"))).toMatchObject({ ok: false, message: expect.stringMatching(/program/) });
    expect(detectDiskImageFormat(withAt(257, "ustar"))).toMatchObject({ ok: false, message: expect.stringMatching(/tar archive/) });
    expect(detectDiskImageFormat(Buffer.alloc(0))).toEqual({ ok: false, message: "The file is empty." });
    expect(detectDiskImageFormat(Buffer.alloc(100, 0))).toMatchObject({ ok: false, message: expect.stringMatching(/too small/) });
  });
});

describe("disk progress", () => {
  const upload: VmDisk = { source: { type: "upload" }, sizeGib: 1, dataVolumeName: "box-disk" };
  const imported: VmDisk = { source: { type: "url", url: "https://x.test/a.img" }, sizeGib: 1, dataVolumeName: "box-disk" };
  it("reads CDI's phase and progress", () => {
    expect(dataVolumeProgress(upload, null)).toMatchObject({ phase: "Missing", awaitingUpload: true, done: false, percent: null });
    expect(dataVolumeProgress(upload, { status: { phase: "UploadReady", progress: "N/A" } })).toMatchObject({ awaitingUpload: true, percent: null });
    expect(dataVolumeProgress(imported, { status: { phase: "ImportInProgress", progress: "45.20%" } })).toMatchObject({ awaitingUpload: false, percent: 45.2, done: false });
    expect(dataVolumeProgress(imported, { status: { phase: "Succeeded", progress: "100.0%" } })).toMatchObject({ done: true, percent: 100 });
    expect(dataVolumeProgress(imported, { status: { phase: "ImportInProgress", progress: "250%" } }).percent).toBeNull();
  });
  it("says why it is stuck: the quota, or the importer's last error", () => {
    const quota = dataVolumeProgress(imported, { status: { phase: "Pending", conditions: [{ type: "Bound", status: "False", reason: "ErrExceededQuota", message: "exceeded quota" }] } });
    expect(quota.problem).toBe("The team's storage quota does not leave room for this disk.");
    const failing = dataVolumeProgress(imported, { status: { phase: "ImportInProgress", restartCount: 2, conditions: [{ type: "Running", status: "False", reason: "Error", message: "Unable to connect to http data source: expected status code 200, got 404" }] } });
    expect(failing.problem).toMatch(/^The last attempt failed \(2 so far\): Unable to connect/);
  });
});

describe("the upload proxy", () => {
  it("takes CDIConfig's address as CDI publishes it (often a bare host), https only", () => {
    expect(uploadProxyBaseUrl("cdi-uploadproxy.example.test")).toBe("https://cdi-uploadproxy.example.test");
    expect(uploadProxyBaseUrl("https://127.0.0.1:31001")).toBe("https://127.0.0.1:31001");
    expect(uploadProxyBaseUrl("http://cdi-uploadproxy.example.test")).toBeNull();
    expect(uploadProxyBaseUrl("https://user:pw@x.test")).toBeNull();
    expect(uploadProxyBaseUrl("https://x.test/path")).toBeNull();
    expect(uploadProxyBaseUrl("")).toBeNull();
    expect(uploadProxyBaseUrl(undefined)).toBeNull();
  });
  it("answers the proxy's refusals in the panel's words, never its body", () => {
    expect(uploadRefusal(401, "token expired <script>").message).toMatch(/^The upload proxy refused the upload token/);
    expect(uploadRefusal(400, "Saving stream failed: Virtual image size 4294967296 is larger than the reported available storage").message).toMatch(/virtual size is larger than the disk/);
    expect(uploadRefusal(400, "Saving stream failed: bad header <b>").message).toBe("CDI could not read the image: it is not a disk image in a format CDI takes, or it is damaged.");
    expect(uploadRefusal(503, "").message).toMatch(/not ready/);
    expect(uploadRefusal(418, "teapot").message).not.toContain("teapot");
  });
});

describe("the boot-source fields", () => {
  const base = { teamId: crypto.randomUUID(), clusterId: crypto.randomUUID(), name: "box", cpuCores: "1", memoryMib: "512", size: "", cloudInit: "" };
  it("asks each source for its own fields", () => {
    expect(createVmInputSchema.safeParse({ ...base, image: "quay.io/containerdisks/fedora:41" }).success).toBe(true);
    expect(createVmInputSchema.parse({ ...base, bootSource: "upload", diskSizeGib: "20" })).toMatchObject({ bootSource: "upload", diskSizeGib: 20, image: null, diskUrl: "", goldenImage: "" });
    const issues = (input: object) => createVmInputSchema.safeParse({ ...base, ...input }).error?.issues.map((i) => [i.path[0], i.message]);
    expect(issues({ bootSource: "url" })).toEqual([
      ["diskSizeGib", "Enter the disk size in GiB."],
      ["diskUrl", "Enter the URL of the disk image."],
    ]);
    expect(issues({ bootSource: "clone", diskSizeGib: "5", goldenImage: "../etc" })).toEqual([["goldenImage", "Choose a golden image from the list."]]);
    expect(issues({ bootSource: "upload", diskSizeGib: "5", image: "quay.io/containerdisks/fedora:41", diskUrl: "https://x.test/a" })).toEqual([
      ["image", "A container disk is chosen only when the VM boots from the catalog."],
      ["diskUrl", "A URL is given only when the VM's disk is imported from one."],
    ]);
    expect(issues({ image: "quay.io/containerdisks/fedora:41", diskSizeGib: "5" })).toEqual([["diskSizeGib", "A container disk has no disk size to choose."]]);
    expect(issues({ bootSource: "upload", diskSizeGib: "4096" })).toEqual([["diskSizeGib", "Use at most 2048 GiB."]]);
  });
});
