// Signing in as the helpers' platform admin. The first-run project normally creates that account;
// run alone (`--no-deps`), the admin and profile specs do the first-run setup themselves.
import { expect, type Page } from "@playwright/test";
import { ADMIN, signIn } from "./helpers";

/** Signs in as ADMIN, creating the account through the setup page when the panel is fresh. */
export async function signInAsAdmin(page: Page) {
  await page.goto("/");
  if (!page.url().endsWith("/setup")) return signIn(page, ADMIN);
  await page.getByLabel("Name").fill(ADMIN.name);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Confirm password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** Creates a user with a password on the admin page (the page must be signed in as an admin). */
export async function createUser(page: Page, who: { name: string; email: string; password: string }) {
  await page.goto("/admin/users");
  const form = page.locator("form", { has: page.getByRole("button", { name: "Create user" }) });
  await form.getByLabel("Name").fill(who.name);
  await form.getByLabel("Email").fill(who.email);
  await form.getByLabel("Password (optional)").fill(who.password);
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("cell", { name: who.email, exact: true })).toBeVisible();
}
