// Shared steps for the end-to-end specs: signing in and out, and page screenshots kept as artifacts.
import { expect, type Page } from "@playwright/test";

export const ADMIN = { name: "Ada Admin", email: "ada@example.test", password: "correct horse battery" };
export const MEMBER = { name: "Bob Builder", email: "bob@example.test", password: "bob's long password" };

/** Signs in through the sign-in form and waits until the panel shows. */
export async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

/** A full-page screenshot kept under test-results/e2e/screenshots/. */
export async function snapshot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/e2e/screenshots/${name}.png`, fullPage: true });
}
