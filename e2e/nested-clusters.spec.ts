// Nested clusters through the UI: an org admin (here the platform admin) creates a hosted
// control plane on the local cluster and watches its steps complete live, downloads the admin
// kubeconfig and uses it against the nested API server, assigns the nested cluster to a team
// (the team's namespace appears inside it), and deletes it. Screenshots of each screen are kept.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import https from "node:https";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { expect, test } from "@playwright/test";
import { snapshot } from "./helpers";
import { setUpTeamWithCluster } from "./team-with-cluster";

const suffix = randomBytes(3).toString("hex");
const ORG = `hcp-${suffix}`;
const TEAM = "platform";
const CLUSTER = `local-${suffix}`;
const NESTED = `staging ${suffix}`;

/** A GET on the nested API server with the downloaded kubeconfig's credentials. */
async function nestedGet(kc: KubeConfig, path: string): Promise<{ status: number; body: string }> {
  const options: https.RequestOptions = { method: "GET" };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const request = https.request(new URL(path, kc.getCurrentCluster()!.server), options, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    request.end();
  });
}

test.describe.configure({ mode: "serial" });

test("an admin creates a nested cluster, watches it come up, downloads its kubeconfig, assigns it to a team and deletes it", async ({ page }) => {
  test.setTimeout(300_000);
  await setUpTeamWithCluster(page, {
    org: ORG,
    team: TEAM,
    cluster: CLUSTER,
    developer: { name: "Nia Nested", email: `nia-${suffix}@example.test`, password: "nia's long password" },
    quota: { cores: "4", memoryGib: "8", pods: "10" },
  });

  await page.goto("/orgs");
  await page.getByRole("link", { name: ORG, exact: true }).click();
  await page.getByRole("link", { name: "Nested clusters", exact: true }).click();
  await expect(page.getByRole("heading", { name: `Nested clusters for ${ORG}` })).toBeVisible();
  const listUrl = page.url();

  await page.getByTestId("nested-name").fill(NESTED);
  await expect(page.getByLabel("Host cluster")).toContainText(/local-/);
  await page.getByLabel("Kubernetes version").selectOption("v1.35.4");
  await page.getByLabel("API server exposure").selectOption("ClusterIP");
  await snapshot(page, "nested-form");
  await page.getByRole("button", { name: "Create nested cluster" }).click();

  // The cluster's page follows the steps live, each turning done in order.
  await expect(page).toHaveURL(/\/nested\/[0-9a-f-]+$/);
  await expect(page.getByRole("heading", { name: NESTED })).toBeVisible();
  const progress = page.getByTestId("nested-progress");
  await expect(progress.locator('[data-step="certificates"]')).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  await snapshot(page, "nested-progress");
  for (const step of ["etcd", "apiserver", "controllers", "registered"]) {
    await expect(progress.locator(`[data-step="${step}"]`)).toHaveAttribute("data-state", "done", { timeout: 180_000 });
  }
  // Then its health, live: the API server ready, etcd's check among its checks, the leases held.
  const health = page.getByTestId("nested-health");
  await expect(health).toContainText("ready", { timeout: 30_000 });
  await expect(health).toContainText("etcd");
  await expect(health).toContainText("scheduler held");
  await expect(page.getByRole("table", { name: "Certificates" })).toContainText("apiserver");
  await snapshot(page, "nested-ready");

  // The admin kubeconfig: a download that reaches the nested API server as system:masters.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-kubeconfig").click()]);
  const kc = new KubeConfig();
  kc.loadFromString(readFileSync((await download.path())!, "utf8"));
  expect(await nestedGet(kc, "/readyz")).toEqual({ status: 200, body: "ok" });
  const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
  expect(namespaces.items.map((n) => n.metadata!.name)).toContain("kube-system");

  // Assign it to a team like any other cluster: the team's namespace appears inside it.
  await page.goto("/orgs");
  await page.getByRole("link", { name: ORG, exact: true }).click();
  await page.getByRole("link", { name: "Assign a cluster" }).click();
  const assign = page.getByTestId("assign-cluster-form");
  const nestedOption = await assign.getByLabel("Cluster").locator("option", { hasText: NESTED }).getAttribute("value");
  await assign.getByLabel("Cluster").selectOption(nestedOption!);
  await assign.getByLabel("Team").selectOption({ label: TEAM });
  await assign.getByRole("button", { name: "Assign cluster" }).click();
  await expect(page.getByRole("row").filter({ hasText: NESTED })).toContainText(`mc-${ORG}-${TEAM}`);
  await snapshot(page, "nested-assigned");
  const teamNamespace = await kc.makeApiClient(CoreV1Api).readNamespace({ name: `mc-${ORG}-${TEAM}` });
  expect(teamNamespace.metadata?.labels?.["minicloud.io/team"]).toBeTruthy();

  // Delete it (typed name): back to an empty list.
  await page.goto(listUrl);
  await page.getByRole("link", { name: NESTED, exact: true }).click();
  await page.getByRole("button", { name: `Delete nested cluster “${NESTED}”` }).click();
  const dialog = page.getByRole("dialog", { name: `Delete nested cluster “${NESTED}”?` });
  await dialog.getByLabel(`Type “${NESTED}” to confirm`).fill(NESTED);
  await snapshot(page, "nested-delete");
  await dialog.getByRole("button", { name: "Delete nested cluster" }).click();
  await expect(page).toHaveURL(listUrl, { timeout: 120_000 });
  await expect(page.getByText("None yet.")).toBeVisible();
});
