// The common start of the cluster specs, through the real UI: the platform admin creates an
// organization with one team and a developer in it, registers the local control plane by
// uploading its kubeconfig, and assigns it to the team with a quota.
import { readFileSync } from "node:fs";
import { expect, type Page } from "@playwright/test";
import { createUser, signInAsAdmin } from "./ensure-admin";
import { snapshot } from "./helpers";

export interface TeamWithCluster {
  org: string;
  team: string;
  cluster: string;
  developer: { name: string; email: string; password: string };
  quota: { cores: string; memoryGib: string; pods: string };
  /** Keep screenshots of the register and assign screens under these names. */
  screenshots?: { registered: string; assigned: string };
}

/** A variable e2e/global-setup.ts sets once the local control plane is up. */
export function requiredEnv(name: "E2E_KUBECONFIG" | "E2E_SSHD_AUTHORIZED_KEYS"): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: e2e/global-setup.ts starts the local control plane`);
  return value;
}

/** Sets it all up as the admin (signed in on `page` afterwards). */
export async function setUpTeamWithCluster(page: Page, setup: TeamWithCluster) {
  await signInAsAdmin(page);
  await page.goto("/orgs");
  await page.getByLabel("Name").fill(setup.org);
  await page.getByRole("button", { name: "Create organization" }).click();
  await page.getByLabel("New team name").fill(setup.team);
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page).toHaveURL(/\/t\/[0-9a-f-]+\/settings$/);
  const teamSettings = page.url();
  await createUser(page, setup.developer);
  await page.goto(teamSettings);
  await page.getByLabel("Email of an existing user").fill(setup.developer.email);
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByRole("cell", { name: setup.developer.email, exact: true })).toBeVisible();

  await page.goto("/admin/clusters");
  const form = page.getByTestId("register-cluster-form");
  await form.getByLabel("Name").fill(setup.cluster);
  await form.getByTestId("kubeconfig-file").setInputFiles({ name: "kubeconfig", mimeType: "text/plain", buffer: readFileSync(requiredEnv("E2E_KUBECONFIG")) });
  await expect(form.getByTestId("context-select")).toBeEnabled();
  await form.getByRole("button", { name: /Register/ }).click();
  // One cluster is registered once per panel: when an earlier spec registered it, the panel
  // says under which name, and this setup goes on with that registration.
  const existing = form.getByText(/This cluster is already registered as “[^”]+”/);
  await expect(page.getByTestId("cluster-check").or(existing)).toBeVisible();
  if (await existing.isVisible()) {
    const earlier = /as “([^”]+)”/.exec((await existing.textContent()) ?? "")![1]!;
    await page.goto("/admin/clusters");
    await page.getByRole("link", { name: earlier, exact: true }).click();
  }
  // The check ran on save: the server's version, and the health of its nodes.
  await expect(page.getByTestId("cluster-check")).toContainText("v1.35.4");
  await expect(page.getByTestId("cluster-health")).toBeVisible();
  if (setup.screenshots) await snapshot(page, setup.screenshots.registered);

  const assign = page.getByTestId("assign-cluster-form");
  await assign.getByLabel("Team").selectOption({ label: `${setup.org} / ${setup.team}` });
  await assign.getByLabel("CPU (cores)").fill(setup.quota.cores);
  await assign.getByLabel("Memory", { exact: true }).fill(setup.quota.memoryGib);
  await assign.getByLabel("Memory unit").selectOption("GiB");
  await assign.getByLabel("Pods").fill(setup.quota.pods);
  await assign.getByRole("button", { name: "Assign cluster" }).click();
  await expect(page.getByText(`mc-${setup.org}-${setup.team}`).first()).toBeVisible();
  if (setup.screenshots) await snapshot(page, setup.screenshots.assigned);
}
