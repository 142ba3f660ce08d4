// Nested cluster workers through the UI: the platform admin adds the harness's worker image to
// the host's VM disk catalog, creates a nested cluster, scales its worker pool to 2 and watches
// both workers join (the VM stand-in's join agent runs the real kubeadm join protocol against
// the nested control plane), opens the status view, and scales back to 1 while the status view's
// node list follows live, without a reload. Screenshots of the pool and the status view.
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { snapshot } from "./helpers";
import { setUpTeamWithCluster } from "./team-with-cluster";

const suffix = randomBytes(3).toString("hex");
const ORG = `workers-${suffix}`;
const TEAM = "platform";
const CLUSTER = `local-${suffix}`;
const NESTED = `pool ${suffix}`;

test("an admin scales a nested cluster's workers and the status view follows live", async ({ page, context }) => {
  test.setTimeout(420_000);
  await setUpTeamWithCluster(page, {
    org: ORG,
    team: TEAM,
    cluster: CLUSTER,
    developer: { name: "Wes Worker", email: `wes-${suffix}@example.test`, password: "wes's long password" },
    quota: { cores: "4", memoryGib: "8", pods: "10" },
  });
  // The host offers a worker image (kubelet, kubeadm, a container runtime): the harness's join-agent image.
  const catalog = page.getByLabel("VM disk catalog");
  const current = await catalog.inputValue();
  if (!current.includes("minicloud.dev/guests/kube-worker")) await catalog.fill(`${current.trim()}\nKubernetes worker = minicloud.dev/guests/kube-worker`);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();

  await page.goto("/orgs");
  await page.getByRole("link", { name: ORG, exact: true }).click();
  await page.getByRole("link", { name: "Nested clusters", exact: true }).click();
  await page.getByTestId("nested-name").fill(NESTED);
  await page.getByLabel("Kubernetes version").selectOption("v1.35.4");
  await page.getByRole("button", { name: "Create nested cluster" }).click();
  await expect(page).toHaveURL(/\/nested\/[0-9a-f-]+$/);
  await expect(page.getByTestId("nested-progress").locator('[data-step="registered"]')).toHaveAttribute("data-state", "done", { timeout: 240_000 });
  const clusterUrl = page.url();

  // Scale the pool to 2: both workers join and turn Ready, live.
  const pool = page.getByTestId("worker-pool");
  await expect(pool).toBeVisible({ timeout: 30_000 });
  await pool.getByTestId("pool-size").fill("2");
  await pool.getByRole("button", { name: "Scale" }).click();
  await expect(pool.locator("tr[data-worker]")).toHaveCount(2, { timeout: 60_000 });
  await expect(pool.locator('tr[data-state="ready"]')).toHaveCount(2, { timeout: 120_000 });
  await expect(pool.getByTestId("pool-summary")).toContainText("2 of 2 Ready");
  await snapshot(page, "nested-workers-scaled");

  // The status view, in a tab of its own: two Ready worker nodes with their capacity and pods.
  const status = await context.newPage();
  await status.goto(`${clusterUrl}/status`);
  const nodes = status.getByRole("table", { name: "Nodes" });
  await expect(nodes.locator('tr[data-ready="true"]')).toHaveCount(2, { timeout: 30_000 });
  await expect(nodes).toContainText("v1.35.4");
  await expect(status.getByTestId("control-plane-status")).toContainText("etcd-0 healthy", { timeout: 30_000 });
  await expect(status.getByTestId("control-plane-status")).toContainText("soonest:");
  await snapshot(status, "nested-status-two-workers");

  // Scale back to 1 on the cluster page; the status tab's node list drops to one by itself.
  await page.bringToFront();
  await pool.getByTestId("pool-size").fill("1");
  await pool.getByRole("button", { name: "Scale" }).click();
  await expect(nodes.locator("tr[data-node]")).toHaveCount(1, { timeout: 120_000 });
  await expect(nodes.locator('tr[data-ready="true"]')).toHaveCount(1);
  await expect(pool.locator("tr[data-worker]")).toHaveCount(1, { timeout: 60_000 });
  await snapshot(status, "nested-status-one-worker");
  await snapshot(page, "nested-workers-one");
  await status.close();

  // Clean up: deleting the cluster deletes its worker VMs with its namespace.
  await page.getByRole("button", { name: `Delete nested cluster “${NESTED}”` }).click();
  const dialog = page.getByRole("dialog", { name: `Delete nested cluster “${NESTED}”?` });
  await dialog.getByLabel(`Type “${NESTED}” to confirm`).fill(NESTED);
  await dialog.getByRole("button", { name: "Delete nested cluster" }).click();
  await expect(page).toHaveURL(/\/nested$/, { timeout: 120_000 });
});
