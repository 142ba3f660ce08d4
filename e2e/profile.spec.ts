// The profile page: ssh public keys (parsed, fingerprinted, duplicates and garbage refused with
// a message next to the field) and personal API tokens (shown once, listed, revocable). Each
// user acts only on their own rows, even with a forged id in the form.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { createUser, signInAsAdmin } from "./ensure-admin";
import { signIn, signOut, snapshot } from "./helpers";
import { ed25519PublicKey, rsaPublicKey } from "./ssh-keys";

test.describe.configure({ mode: "serial" });

const PAT = { name: "Pat Profile", email: "pat@profile.test", password: "pat's long password" };
const QUINN = { name: "Quinn Other", email: "quinn@profile.test", password: "quinn's long password" };
const patKey = ed25519PublicKey("pat@laptop");

const keyForm = (page: Page) => page.locator("form", { has: page.getByRole("button", { name: "Add key" }) });
const tokenForm = (page: Page) => page.locator("form", { has: page.getByRole("button", { name: "Create token" }) });
const keyRows = (page: Page) => page.getByRole("table", { name: "SSH keys" }).locator("tbody tr");
// Puts another id into a hidden form field, as a tampering client would.
const forge = (input: Locator, id: string) => input.evaluate((el, value) => ((el as HTMLInputElement).value = value), id);
const tokenRow = (page: Page, name: string) =>
  page.getByRole("table", { name: "API tokens" }).getByRole("row").filter({ has: page.getByRole("cell", { name, exact: true }) });

test("set up two users", async ({ page }) => {
  await signInAsAdmin(page);
  await createUser(page, PAT);
  await createUser(page, QUINN);
});

test("ssh keys: garbage and short keys are refused next to the field; a key is listed with its fingerprint", async ({ page }) => {
  await signIn(page, PAT);
  await page.goto("/profile");
  await expect(page.getByText("No ssh keys yet.")).toBeVisible();
  await expect(page.getByText("No API tokens yet.")).toBeVisible();
  await snapshot(page, "profile-empty");
  const form = keyForm(page);

  await form.getByLabel("Public key").fill("hello, I am not a key");
  await form.getByRole("button", { name: "Add key" }).click();
  await expect(form.getByText("That does not look like an OpenSSH public key", { exact: false })).toBeVisible();
  await expect(form.getByLabel("Public key")).toHaveValue("hello, I am not a key");

  await form.getByLabel("Public key").fill(rsaPublicKey(1024, "old").line);
  await form.getByRole("button", { name: "Add key" }).click();
  await expect(form.getByText("This RSA key has 1024 bits; at least 2048 are required", { exact: false })).toBeVisible();
  await expect(page.getByText("No ssh keys yet.")).toBeVisible();

  await form.getByLabel("Public key").fill(patKey.line);
  await form.getByRole("button", { name: "Add key" }).click();
  await expect(keyRows(page)).toHaveCount(1);
  const row = keyRows(page).first();
  await expect(row).toContainText("pat@laptop"); // the name defaults to the key's comment
  await expect(row).toContainText("ssh-ed25519");
  await expect(row).toContainText(patKey.fingerprint);

  // The same key again, under another name: refused, with the fingerprint in the message.
  await form.getByLabel("Public key").fill(patKey.line);
  await form.getByLabel("Name (optional)").fill("the same key");
  await form.getByRole("button", { name: "Add key" }).click();
  await expect(form.getByText(`You already added this key (${patKey.fingerprint}).`)).toBeVisible();
  await expect(keyRows(page)).toHaveCount(1);

  const rsa = rsaPublicKey(2048, "build-box");
  await form.getByLabel("Public key").fill(rsa.line);
  await form.getByLabel("Name (optional)").fill("build server");
  await form.getByRole("button", { name: "Add key" }).click();
  await expect(keyRows(page)).toHaveCount(2);
  await expect(keyRows(page).filter({ hasText: "build server" })).toContainText(rsa.fingerprint);
  await snapshot(page, "profile-ssh-keys");
});

test("ssh keys: deleting asks first", async ({ page }) => {
  await signIn(page, PAT);
  await page.goto("/profile");
  await page.getByRole("button", { name: "Delete ssh key “build server”" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete ssh key “build server”?" });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(keyRows(page)).toHaveCount(2);

  await page.getByRole("button", { name: "Delete ssh key “build server”" }).click();
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(keyRows(page)).toHaveCount(1);
  await expect(keyRows(page).first()).toContainText("pat@laptop");
});

test("API tokens: the secret is shown once; tokens are listed and revocable", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, PAT);
  await page.goto("/profile");
  const form = tokenForm(page);

  await form.getByRole("button", { name: "Create token" }).click();
  await expect(form.getByText("Enter a name.")).toBeVisible();

  await form.getByLabel("Name").fill("ci deploy");
  await form.getByLabel("Expires").selectOption({ label: "Never" });
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByText("Copy it now — you will not see it again.")).toBeVisible();
  const secret = (await page.getByLabel("New API token").textContent())!.trim();
  expect(secret).toMatch(/^mc_[A-Za-z0-9_-]{43}$/);
  await page.getByRole("button", { name: "Copy", exact: true }).click();
  await expect(page.getByRole("button", { name: "Copied", exact: true })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await snapshot(page, "profile-token-created");

  const row = tokenRow(page, "ci deploy");
  await expect(row).toContainText(secret.slice(0, 11));
  await expect(row.getByText("active")).toBeVisible();
  await expect(row.getByRole("cell").nth(4)).toHaveText("never"); // expires

  // Gone for good after a reload: only the prefix remains.
  await page.reload();
  await expect(page.getByLabel("New API token")).toHaveCount(0);
  await expect(page.getByText(secret)).toHaveCount(0);

  await form.getByLabel("Name").fill("short lived");
  await form.getByLabel("Expires").selectOption({ label: "In 7 days" });
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByText("Token “short lived” created.", { exact: false })).toBeVisible();
  await expect(tokenRow(page, "short lived").getByRole("cell").nth(4)).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);

  await page.getByRole("button", { name: "Revoke token “ci deploy”" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke token “ci deploy”?" });
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await expect(tokenRow(page, "ci deploy").getByText("revoked")).toBeVisible();
  await expect(page.getByRole("button", { name: "Revoke token “ci deploy”" })).toHaveCount(0);
  await expect(tokenRow(page, "short lived").getByText("active")).toBeVisible();
  await snapshot(page, "profile-tokens");
  await signOut(page);
});

test("another user sees none of these, and a forged key or token id changes nothing", async ({ page, browser }) => {
  // Pat's ids, as they appear in Pat's own page.
  const pat = await browser.newPage();
  await signIn(pat, PAT);
  await pat.goto("/profile");
  const patKeyId = await pat.locator("dialog input[name=keyId]").first().getAttribute("value");
  const patTokenId = await pat.locator("dialog input[name=tokenId]").first().getAttribute("value");
  expect(patKeyId).toBeTruthy();
  expect(patTokenId).toBeTruthy();

  await signIn(page, QUINN);
  await page.goto("/profile");
  await expect(page.getByText("No ssh keys yet.")).toBeVisible();
  await expect(page.getByText("No API tokens yet.")).toBeVisible();
  await expect(page.getByText("pat@laptop")).toHaveCount(0);

  // Quinn adds the same public key: allowed (keys are per user), and Pat keeps theirs.
  await keyForm(page).getByLabel("Public key").fill(patKey.line);
  await keyForm(page).getByLabel("Name (optional)").fill("quinn's copy");
  await keyForm(page).getByRole("button", { name: "Add key" }).click();
  await expect(keyRows(page)).toHaveCount(1);

  // Quinn's delete form, pointed at Pat's key: "no such key", nothing deleted.
  await page.getByRole("button", { name: "Delete ssh key “quinn's copy”" }).click();
  const keyDialog = page.getByRole("dialog", { name: "Delete ssh key “quinn's copy”?" });
  await forge(keyDialog.locator("input[name=keyId]"), patKeyId!);
  await keyDialog.getByRole("button", { name: "Delete" }).click();
  await expect(keyDialog.getByText("No such key.")).toBeVisible();
  await keyDialog.getByRole("button", { name: "Cancel" }).click();
  await expect(keyRows(page)).toHaveCount(1);

  await tokenForm(page).getByLabel("Name").fill("quinn token");
  await tokenForm(page).getByRole("button", { name: "Create token" }).click();
  await expect(tokenRow(page, "quinn token")).toBeVisible();
  await page.getByRole("button", { name: "Revoke token “quinn token”" }).click();
  const tokenDialog = page.getByRole("dialog", { name: "Revoke token “quinn token”?" });
  await forge(tokenDialog.locator("input[name=tokenId]"), patTokenId!);
  await tokenDialog.getByRole("button", { name: "Revoke" }).click();
  await expect(tokenDialog.getByText("No such token.")).toBeVisible();
  await tokenDialog.getByRole("button", { name: "Cancel" }).click();
  await expect(tokenRow(page, "quinn token").getByText("active")).toBeVisible();

  await pat.reload();
  await expect(keyRows(pat)).toHaveCount(1);
  await expect(tokenRow(pat, "short lived").getByText("active")).toBeVisible();
  await pat.close();
});

test("the API reference renders the OpenAPI document the panel serves", async ({ page, request }) => {
  await signIn(page, PAT);
  await page.goto("/profile");
  await page.getByRole("link", { name: "API reference" }).click();
  await expect(page.getByRole("heading", { name: "API reference" })).toBeVisible();
  await expect(page.getByText("GET /api/teams/{teamId}/pods", { exact: true })).toBeVisible();
  await snapshot(page, "api-reference");
  const served = await request.get("/api/openapi.json");
  expect(served.ok()).toBe(true);
  const document = (await served.json()) as { openapi: string; paths: Record<string, unknown> };
  expect(document.openapi).toBe("3.1.0");
  expect(Object.keys(document.paths)).toContain("/api/teams/{teamId}/pods");
});
