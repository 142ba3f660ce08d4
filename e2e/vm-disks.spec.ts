// A VM from a disk image uploaded in the browser: a developer picks "Upload a disk image", creates
// the VM, and watches the upload's progress bar move (bytes, rate, time left; the upload is
// slowed to 2 MiB/s so it can be seen) until CDI confirmed the image; the VM's page then shows the
// disk ready and the VM Running on a real QEMU guest booted from that disk; deleting it leaves
// nothing. Screenshots: the create form, an upload in progress, the VM with its disk.
import { randomBytes } from "node:crypto";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { expect, test } from "@playwright/test";
import { bootableDisk } from "../test/support/disk-images";
import { signIn, signOut, snapshot } from "./helpers";
import { requiredEnv, setUpTeamWithCluster } from "./team-with-cluster";

const suffix = randomBytes(3).toString("hex");
const ORG = `disks-${suffix}`;
const TEAM = "vmdevs";
const DEV = { name: "Vera VM", email: `vera-${suffix}@example.test`, password: "vera's long password" };
const IMAGE_BYTES = 12 * 1024 * 1024;

test.describe.configure({ mode: "serial" });

test("an admin gives a team the local cluster", async ({ page }) => {
  await setUpTeamWithCluster(page, { org: ORG, team: TEAM, cluster: `local-${suffix}`, developer: DEV, quota: { cores: "4", memoryGib: "8", pods: "10" } });
  await signOut(page);
});

test("a developer uploads a disk image with a moving progress bar, boots a VM from it, and deletes it", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, DEV);
  await page.getByRole("link", { name: "VMs", exact: true }).first().click();
  await page.getByRole("link", { name: "New VM" }).click();
  await page.getByTestId("vm-name").fill("uploaded box");
  await page.getByTestId("vm-boot-source").selectOption("upload");
  await page.getByTestId("vm-disk-file").setInputFiles({ name: "box.img", mimeType: "application/octet-stream", buffer: bootableDisk(IMAGE_BYTES) });
  await expect(page.getByTestId("boot-source")).toContainText("12.0 MiB; uploaded with a progress bar once the VM is created.");
  await page.getByTestId("vm-disk-size").fill("1");
  await page.getByLabel("Memory").selectOption("512");
  await snapshot(page, "vm-create-upload");

  // A file that is not a disk image is refused in the browser before anything is made.
  await page.getByTestId("vm-disk-file").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("just some notes\n".repeat(50)) });
  await expect(page.getByTestId("boot-source").getByRole("alert")).toContainText("The file is text, not a disk image");
  await expect(page.getByRole("button", { name: "Create VM and upload" })).toBeDisabled();
  await page.getByTestId("vm-disk-file").setInputFiles({ name: "box.img", mimeType: "application/octet-stream", buffer: bootableDisk(IMAGE_BYTES) });

  // Slow the browser's uploads down so that the progress can be watched.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 2 * 1024 * 1024 });
  await page.getByRole("button", { name: "Create VM and upload" }).click();

  const progress = page.getByTestId("upload-progress");
  await expect(progress).toBeVisible({ timeout: 30_000 });
  const valueOf = async () => Number(await progress.getAttribute("value"));
  await expect.poll(valueOf, { message: "the upload under way", timeout: 30_000 }).toBeGreaterThan(5);
  const first = await valueOf();
  expect(first).toBeLessThan(100);
  await expect(page.getByTestId("upload-figures")).toContainText(/MiB of 12\.0 MiB \(\d+\.\d%\) · .*\/s · .* left|measuring/);
  await snapshot(page, "vm-upload-in-progress");
  await expect.poll(valueOf, { message: "the progress bar moving on", timeout: 30_000 }).toBeGreaterThan(first);
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  // Done once CDI confirmed it: the browser goes to the VM's page.
  await expect(page.getByRole("heading", { name: "uploaded box" })).toBeVisible({ timeout: 60_000 });
  const vmUrl = page.url();
  const disk = page.getByTestId("disk-progress");
  await expect(disk).toHaveAttribute("data-phase", "Succeeded");
  await expect(disk).toContainText("Ready");
  // The real guest boots from the uploaded disk (no container disk): the VM turns Running.
  await expect(async () => {
    await page.goto(vmUrl);
    await expect(page.getByTestId("vm-status")).toContainText("Running", { timeout: 1_000 });
  }).toPass({ timeout: 120_000, intervals: [2_000] });
  await snapshot(page, "vm-from-uploaded-disk");

  // Delete (the disk with it): nothing of it is left in the cluster.
  const kc = new KubeConfig();
  kc.loadFromFile(requiredEnv("E2E_KUBECONFIG"));
  const vmName = (await page.getByTestId("disk-name").textContent())!.replace(/-disk$/, "");
  await page.getByRole("button", { name: /Delete VM/ }).click();
  await page.getByLabel(/Type “uploaded box” to confirm/).fill("uploaded box");
  await page.getByRole("dialog").getByRole("button", { name: "Delete VM" }).click();
  await expect(page.getByRole("heading", { name: "VMs" })).toBeVisible();
  await expect(page.getByText("uploaded box")).toHaveCount(0);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await expect
    .poll(async () => {
      const [vms, dvs] = await Promise.all([
        custom.listClusterCustomObject({ group: "kubevirt.io", version: "v1", plural: "virtualmachines", fieldSelector: `metadata.name=${vmName}` }),
        custom.listClusterCustomObject({ group: "cdi.kubevirt.io", version: "v1beta1", plural: "datavolumes", fieldSelector: `metadata.name=${vmName}-disk` }),
      ]);
      return (vms as { items: unknown[] }).items.length + (dvs as { items: unknown[] }).items.length;
    }, { message: "the VM and its DataVolume gone", timeout: 30_000 })
    .toBe(0);
});
