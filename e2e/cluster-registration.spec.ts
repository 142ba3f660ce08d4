// Registering a cluster safely, in the browser: a kubeconfig that turns TLS verification off
// shows a warning and needs the admin's explicit choice; the registered cluster carries a
// badge in the list and on its page; one that is too large is refused in the browser with the
// server's own message, before anything is sent. The registration is disconnected afterwards,
// so the other specs register the cluster as a fresh panel would.
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { parse, stringify } from "yaml";
import { signInAsAdmin } from "./ensure-admin";
import { snapshot } from "./helpers";
import { requiredEnv } from "./team-with-cluster";

test.describe.configure({ mode: "serial" });

const NAME = `insecure-${Date.now().toString(36)}`;

/** The local control plane's kubeconfig with TLS verification switched off (and its CA left out). */
function insecureKubeconfig(): string {
  const doc = parse(readFileSync(requiredEnv("E2E_KUBECONFIG"), "utf8")) as { clusters: { cluster: Record<string, unknown> }[] };
  delete doc.clusters[0]!.cluster["certificate-authority-data"];
  doc.clusters[0]!.cluster["insecure-skip-tls-verify"] = true;
  return stringify(doc);
}

test("a kubeconfig without TLS verification shows a warning, needs an explicit choice, and the cluster shows a badge", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/admin/clusters");
  const form = page.getByTestId("register-cluster-form");
  await form.getByLabel("Name").fill(NAME);
  await form.getByRole("textbox", { name: "Kubeconfig" }).fill(insecureKubeconfig());
  await expect(form.getByTestId("insecure-tls-warning")).toContainText("TLS is not verified for this cluster");
  await expect(form.getByTestId("context-select")).toContainText("(TLS not verified)");
  await snapshot(page, "cluster-register-insecure-warning");

  // Not chosen: refused, with the reason next to the choice.
  await form.getByRole("button", { name: /Register/ }).click();
  await expect(form.getByTestId("insecure-tls-warning")).toContainText("Tick “Connect without verifying TLS” to register it anyway.");
  await page.goto("/admin/clusters");
  await expect(page.getByRole("link", { name: NAME, exact: true })).toHaveCount(0);

  await form.getByLabel("Name").fill(NAME);
  await form.getByRole("textbox", { name: "Kubeconfig" }).fill(insecureKubeconfig());
  await form.getByTestId("allow-insecure-tls").check();
  await form.getByRole("button", { name: /Register/ }).click();
  await expect(page.getByTestId("cluster-check")).toContainText("v1.35.4");
  await expect(page.getByTestId("insecure-tls-badge")).toBeVisible();

  await page.goto("/admin/clusters");
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: NAME, exact: true }) });
  await expect(row.getByTestId("insecure-tls-badge")).toHaveText("TLS not verified");
  await snapshot(page, "cluster-list-insecure-badge");

  // The choice is in the audit log.
  await page.goto("/audit?action=cluster.register");
  await expect(page.getByText(NAME).first()).toBeVisible();
});

test("a kubeconfig over the size limit is refused in the browser with the server's message", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/admin/clusters");
  const form = page.getByTestId("register-cluster-form");
  await form.getByLabel("Name").fill("too-large");
  await form.getByRole("textbox", { name: "Kubeconfig" }).fill(`# ${"x".repeat(300 * 1024)}\n`);
  await expect(form.getByText("That kubeconfig is larger than 256 KiB; keep only the context you want to register.")).toBeVisible();
  await expect(form.getByRole("button", { name: /Register/ })).toBeDisabled();
});

test("the insecure registration is disconnected again (typed name)", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/admin/clusters");
  await page.getByRole("link", { name: NAME, exact: true }).click();
  await page.getByRole("button", { name: "Disconnect" }).click();
  await page.getByLabel(`Type “${NAME}” to confirm`).fill(NAME);
  await page.getByRole("dialog").getByRole("button", { name: "Disconnect" }).click();
  await expect(page).toHaveURL(/\/admin\/clusters$/);
  await expect(page.getByRole("link", { name: NAME, exact: true })).toHaveCount(0);
});
