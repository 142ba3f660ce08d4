// The path from an empty panel to a running SSH pod: the admin registers the local control
// plane by uploading its kubeconfig and assigns it to a team with a quota; a developer of
// that team creates an SSH pod and watches it turn Running live (no reload, no list refetch),
// then deletes it. Screenshots of each screen are kept.
import { randomBytes } from "node:crypto";
import { CoreV1Api, KubeConfig, type V1Taint } from "@kubernetes/client-node";
import { expect, test } from "@playwright/test";
import { signIn, signOut, snapshot } from "./helpers";
import { requiredEnv, setUpTeamWithCluster } from "./team-with-cluster";

const suffix = randomBytes(3).toString("hex");
const ORG = `ops-${suffix}`;
const TEAM = "devs";
const CLUSTER = `local-${suffix}`;
const DEV = { name: "Dee Developer", email: `dee-${suffix}@example.test`, password: "dee's long password" };
const HOLD: V1Taint = { key: "minicloud.test/hold", value: "true", effect: "NoSchedule" };

/** Adds or removes a NoSchedule taint on every node, so a new pod waits until released. */
async function holdScheduling(hold: boolean) {
  const kc = new KubeConfig();
  kc.loadFromFile(requiredEnv("E2E_KUBECONFIG"));
  const core = kc.makeApiClient(CoreV1Api);
  for (const node of (await core.listNode()).items) {
    const others = (node.spec?.taints ?? []).filter((t) => t.key !== HOLD.key);
    node.spec = { ...node.spec, taints: hold ? [...others, HOLD] : others };
    await core.replaceNode({ name: node.metadata!.name!, body: node });
  }
}

test.describe.configure({ mode: "serial" });

test("the admin registers the local cluster from its kubeconfig and assigns it to a team with a quota", async ({ page }) => {
  await setUpTeamWithCluster(page, {
    org: ORG,
    team: TEAM,
    cluster: CLUSTER,
    developer: DEV,
    quota: { cores: "4", memoryGib: "8", pods: "10" },
    screenshots: { registered: "cluster-registered", assigned: "cluster-assigned" },
  });
  await signOut(page);
});

test("a developer creates an SSH pod, sees it turn Running live, and deletes it", async ({ page }) => {
  await signIn(page, DEV);
  await page.getByRole("link", { name: "Pods", exact: true }).first().click();
  await expect(page.getByRole("heading", { name: "SSH pods" })).toBeVisible();
  const podsUrl = page.url();

  // Hold scheduling so the new pod is visibly Pending first; released below.
  await holdScheduling(true);
  try {
    await page.getByRole("link", { name: "New SSH pod" }).click();
    await page.getByTestId("pod-name").fill("scratch");
    await page.getByRole("button", { name: "Create SSH pod" }).click();
    await expect(page.getByRole("heading", { name: "scratch" })).toBeVisible();

    await page.goto(podsUrl);
    const row = page.getByTestId("pod-row-scratch");
    await expect(row.getByTestId("pod-status")).toHaveAttribute("data-status", "Pending");
    await expect(row).toContainText("Unschedulable");
    await snapshot(page, "pod-pending");

    // From here on the page must not reload nor refetch the list: the change arrives over SSE.
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    const listFetches: string[] = [];
    page.on("request", (request) => {
      if (/\/api\/teams\/[^/]+\/pods(\?|$)/.test(request.url())) listFetches.push(request.url());
    });
    await holdScheduling(false);
    await expect(row.getByTestId("pod-status")).toHaveAttribute("data-status", "Running", { timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(listFetches).toEqual([]);
    await expect(row).toContainText(/127\.0\.0\.1|10\.\d+\.\d+\.\d+/); // the pod's IP is shown
    await snapshot(page, "pod-running");
  } finally {
    await holdScheduling(false);
  }

  await page.getByTestId("pod-row-scratch").getByRole("link", { name: "scratch", exact: true }).click();
  await page.getByRole("button", { name: /^Delete/ }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel(/Type “scratch” to confirm/).fill("scratch");
  await snapshot(page, "pod-delete-confirm");
  await dialog.getByRole("button", { name: /Delete/ }).click();
  await expect(page).toHaveURL(podsUrl);
  await expect(page.getByTestId("pod-row-scratch")).toHaveCount(0);
  await snapshot(page, "pods-after-delete");
});
