// A developer's VM journey in real Chromium against the local control plane (real QEMU guests
// behind the KubeVirt stand-in): the admin puts the harness's tiny guest image in the cluster's
// VM disk catalog; a developer with an ssh key creates a VM from it and watches it go Starting
// → Running on its page without a reload (status, node and IP, boot time pushed by the
// live-events stream); stops it (confirmed) and starts it again, the buttons following its
// state; sees it in the VMs list; deletes it, and nothing of it is left in the cluster (VM,
// VMI, Secret, Service) or in the panel (its row, through the REST API).
import { randomBytes } from "node:crypto";
import { CoreV1Api, KubeConfig, type KubernetesObject, type V1Secret } from "@kubernetes/client-node";
import { expect, test, type Page } from "@playwright/test";
import { waitForObjects } from "../dev/cluster/watch";
import { signIn, signOut, snapshot } from "./helpers";
import { ed25519PublicKey } from "./ssh-keys";
import { requiredEnv, setUpTeamWithCluster } from "./team-with-cluster";

const suffix = randomBytes(3).toString("hex");
const ORG = `vmops-${suffix}`;
const TEAM = "vmteam";
const CLUSTER = `local-${suffix}`;
const DEV = { name: "Vera Virt", email: `vera-${suffix}@example.test`, password: "vera's long password" };
const TINY = "minicloud.dev/guests/tiny";
const VM = "tiny box";
const KEY = ed25519PublicKey(`vera-${suffix}@laptop`);

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(requiredEnv("E2E_KUBECONFIG"));
  return kc;
}

/** Records, in the page, every status the VM badge shows (the first one included) and marks the document, to prove later that it was not reloaded. */
async function recordStatuses(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __statuses: string[]; __sameDocument: boolean };
    w.__sameDocument = true;
    w.__statuses = [];
    const note = () => {
      const status = document.querySelector('[data-testid="vm-facts"] [data-testid="vm-status"]')?.getAttribute("data-status");
      if (status && w.__statuses[w.__statuses.length - 1] !== status) w.__statuses.push(status);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
    note();
  });
}

const statuses = (page: Page) => page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);
const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);

test.describe.configure({ mode: "serial" });

test("the admin assigns the local cluster and puts the tiny guest image in its VM disk catalog", async ({ page }) => {
  await setUpTeamWithCluster(page, { org: ORG, team: TEAM, cluster: CLUSTER, developer: DEV, quota: { cores: "4", memoryGib: "8", pods: "10" } });
  // setUpTeamWithCluster leaves the admin on the cluster's page.
  await page.getByLabel("VM disk catalog").fill(`Tiny guest = ${TINY}\nCirrOS = quay.io/kubevirt/cirros-container-disk-demo:latest`);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
  await signOut(page);
});

test("a developer creates a VM, watches it start live, stops and starts it, and deletes it without a trace", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, DEV);
  await page.goto("/profile");
  const keyForm = page.locator("form", { has: page.getByRole("button", { name: "Add key" }) });
  await keyForm.getByLabel("Public key").fill(KEY.line);
  await keyForm.getByRole("button", { name: "Add key" }).click();
  await expect(page.getByRole("table", { name: "SSH keys" })).toContainText(KEY.fingerprint);

  await page.goto("/");
  await page.getByRole("link", { name: "VMs", exact: true }).first().click();
  await expect(page.getByRole("heading", { name: "VMs", exact: true })).toBeVisible();
  const vmsUrl = page.url();
  const teamId = /\/t\/([0-9a-f-]+)\/vms$/.exec(vmsUrl)![1]!;

  await page.getByRole("link", { name: "New VM" }).click();
  await page.getByTestId("vm-name").fill(VM);
  await page.getByLabel("Disk image").selectOption({ label: `Tiny guest (${TINY})` });
  await page.getByLabel("Runs").selectOption("Always");
  await page.getByLabel("Memory").selectOption({ label: "512 MiB" });
  await snapshot(page, "vm-create-form");

  // From here the page is one document: the VM page arrives by client navigation, and its
  // status changes arrive over the live-events stream.
  await recordStatuses(page);
  await page.getByRole("button", { name: "Create VM" }).click();
  await expect(page.getByRole("heading", { name: VM })).toBeVisible();
  const vmId = new RegExp(`/t/${teamId}/vms/([0-9a-f-]+)$`).exec(page.url())![1]!;
  const facts = page.getByTestId("vm-facts");
  await expect(facts.getByTestId("vm-status")).toHaveAttribute("data-status", "Running", { timeout: 90_000 });
  expect(await sameDocument(page)).toBe(true);
  const created = await statuses(page);
  expect(created.at(-1)).toBe("Running");
  // Seen on the page before Running: KubeVirt's Provisioning or Starting (whichever the first render caught), never a reload.
  expect(created.slice(0, -1).length, `statuses seen: ${created.join(" → ")}`).toBeGreaterThan(0);
  expect(created.slice(0, -1).every((s) => s === "Provisioning" || s === "Starting"), `statuses seen: ${created.join(" → ")}`).toBe(true);
  await expect(facts.getByTestId("vm-phase")).toHaveText("Running");
  await expect(facts.getByTestId("vm-node-ip")).toContainText(/mc-worker-\d \/ 10\.200\.\d+\.\d+/);
  await expect(facts.getByTestId("vm-started")).toContainText(/booted (within a second|in about \d+ s)/);
  await expect(page.getByRole("cell", { name: "Ready", exact: true }).first()).toBeVisible();

  // In the cluster: the VM, labelled with the workload; its cloud-init Secret carries the developer's key.
  const kc = kubeConfig();
  const selector = `app.kubernetes.io/managed-by=minicloud,minicloud.io/workload=${vmId}`;
  const [vmObject] = await waitForObjects<KubernetesObject>(kc, { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", labelSelector: selector }, (items) => items.length === 1, { description: "the VM" });
  const namespace = vmObject!.metadata!.namespace!;
  const secret = (await kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace, labelSelector: selector })).items[0] as V1Secret;
  expect(Buffer.from(secret.data!.userdata!, "base64").toString("utf8")).toContain(KEY.line.split(" ").slice(0, 2).join(" "));
  await snapshot(page, "vm-running");

  // The buttons follow the state: a running VM offers stop, force stop, restart and pause, not start.
  const power = page.getByTestId("vm-operations");
  await expect(power.getByRole("button", { name: "Start", exact: true })).toHaveCount(0);
  await expect(power.getByRole("button", { name: `Force stop VM “${VM}”` })).toBeVisible();
  await expect(power.getByRole("button", { name: "Pause", exact: true })).toBeVisible();

  // Stop asks first; cancelling changes nothing.
  await power.getByRole("button", { name: `Stop VM “${VM}”`, exact: true }).click();
  const stopDialog = page.getByRole("dialog", { name: `Stop VM “${VM}”?` });
  await expect(stopDialog).toContainText("asked to shut down");
  await stopDialog.getByRole("button", { name: "Cancel" }).click();
  await expect(facts.getByTestId("vm-status")).toHaveAttribute("data-status", "Running");
  await power.getByRole("button", { name: `Stop VM “${VM}”`, exact: true }).click();
  await stopDialog.getByRole("button", { name: "Stop", exact: true }).click();
  await expect(facts.getByTestId("vm-status")).toHaveAttribute("data-status", "Stopped", { timeout: 60_000 });
  await expect(facts.getByTestId("vm-phase")).toHaveText("No instance (not running)");
  await expect(power.getByRole("button", { name: "Start", exact: true })).toBeVisible();
  await expect(power.getByRole("button", { name: `Stop VM “${VM}”`, exact: true })).toHaveCount(0);

  // Start: Starting, then Running, pushed live.
  await recordStatuses(page);
  await power.getByRole("button", { name: "Start", exact: true }).click();
  await expect(facts.getByTestId("vm-status")).toHaveAttribute("data-status", "Running", { timeout: 90_000 });
  const restarted = await statuses(page);
  expect(restarted, `statuses seen: ${restarted.join(" → ")}`).toEqual(expect.arrayContaining(["Starting", "Running"]));
  expect(restarted.indexOf("Starting")).toBeLessThan(restarted.lastIndexOf("Running"));
  expect(await sameDocument(page)).toBe(true);

  // The VMs list shows it Running with its address.
  await page.goto(vmsUrl);
  const row = page.getByTestId("vm-row-tiny-box");
  await expect(row.getByTestId("vm-status")).toHaveAttribute("data-status", "Running");
  await expect(row).toContainText(/10\.200\.\d+\.\d+/);
  await snapshot(page, "vms-list");

  // Delete: the typed name, then nothing left anywhere.
  await row.getByRole("link", { name: VM, exact: true }).click();
  await page.getByRole("button", { name: /^Delete VM/ }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel(`Type “${VM}” to confirm`).fill(VM);
  await dialog.getByRole("button", { name: /Delete/ }).click();
  await expect(page).toHaveURL(vmsUrl);
  await expect(page.getByTestId("vm-row-tiny-box")).toHaveCount(0);

  for (const [apiVersion, kind] of [["kubevirt.io/v1", "VirtualMachine"], ["kubevirt.io/v1", "VirtualMachineInstance"], ["v1", "Secret"], ["v1", "Service"]] as const) {
    await waitForObjects(kc, { apiVersion, kind, namespace, labelSelector: selector }, (items) => items.length === 0, { description: `no ${kind} of the VM`, timeoutMs: 60_000 });
  }
  const listed = await page.request.get(`/api/teams/${teamId}/vms`);
  expect(listed.status()).toBe(200);
  expect(((await listed.json()) as { vms: { id: string }[] }).vms.map((v) => v.id)).not.toContain(vmId);
  expect((await page.request.get(`/api/teams/${teamId}/vms/${vmId}`)).status()).toBe(404);
});
