// The first journey: first-run setup → organization → teams → user → membership, then the
// member signs in and sees only their own team; another team's pages are "not found".
import { expect, test } from "@playwright/test";
import { ADMIN, MEMBER, signIn, signOut, snapshot } from "./helpers";

test.describe.configure({ mode: "serial" });

let platformTeamUrl = "";
let researchTeamUrl = "";

test("first run: the setup page creates the platform admin, and only once", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await snapshot(page, "setup");
  await page.getByLabel("Name").fill(ADMIN.name);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Confirm password").fill("short");
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByText("Use at least 8 characters.")).toBeVisible();

  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Confirm password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  // The new platform administrator lands on the first steps, not on "ask an administrator".
  await expect(page.getByRole("heading", { name: `Welcome, ${ADMIN.name}` })).toBeVisible();
  await expect(page.getByTestId("first-run-checklist")).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await snapshot(page, "first-run-home");

  // Setup is closed for good once an account exists.
  await page.goto("/setup");
  await expect(page).not.toHaveURL(/\/setup$/);
});

test("the admin creates an organization, two teams, a user, and adds the user to one team", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/orgs");
  await page.getByLabel("Name").fill("Acme Corp!");
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page.getByText(/is not allowed/).first()).toBeVisible();
  await page.getByLabel("Name").fill("acme");
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page.getByRole("heading", { name: "acme", level: 1 })).toBeVisible();
  await snapshot(page, "organization");

  await page.getByLabel("New team name").fill("platform");
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page).toHaveURL(/\/t\/[0-9a-f-]+\/settings$/);
  platformTeamUrl = page.url().replace(/\/settings$/, "");

  await page.goto("/orgs");
  await page.getByRole("link", { name: "acme" }).click();
  await page.getByLabel("New team name").fill("research");
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page).toHaveURL(/\/t\/[0-9a-f-]+\/settings$/);
  researchTeamUrl = page.url().replace(/\/settings$/, "");
  expect(researchTeamUrl).not.toBe(platformTeamUrl);

  await page.goto("/admin/users");
  await page.getByLabel("Name").fill(MEMBER.name);
  await page.getByLabel("Email").fill(MEMBER.email);
  await page.getByLabel("Password").fill(MEMBER.password);
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("cell", { name: MEMBER.email, exact: true })).toBeVisible();
  await snapshot(page, "admin-users");

  await page.goto(`${platformTeamUrl}/settings`);
  await page.getByLabel("Email of an existing user").fill("nobody@example.test");
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /no user|not found|no such/i })).toBeVisible();
  await page.getByLabel("Email of an existing user").fill(MEMBER.email);
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByRole("cell", { name: MEMBER.email, exact: true })).toBeVisible();
  await snapshot(page, "team-settings");
  await signOut(page);
});

test("the member sees only their own team, and another team's pages are not found", async ({ page }) => {
  await signIn(page, MEMBER);
  await expect(page).toHaveURL(`${platformTeamUrl}/pods`);
  await expect(page.getByRole("heading", { name: "SSH pods" })).toBeVisible();
  const switcher = page.getByLabel("Current team");
  await expect(switcher.locator("option")).toHaveText(["acme / platform"]);
  await snapshot(page, "member-pods");

  await page.goto("/orgs");
  await expect(page.getByRole("link", { name: "platform" })).toBeVisible();
  await expect(page.getByText("research")).toHaveCount(0);

  for (const section of ["pods", "vms", "clusters", "settings"]) {
    const response = await page.goto(`${researchTeamUrl}/${section}`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(page.getByText("research")).toHaveCount(0);
  }
  await snapshot(page, "member-other-team-not-found");

  // A member cannot manage the team they are in.
  await page.goto(`${platformTeamUrl}/settings`);
  await expect(page.getByRole("button", { name: "Add member" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete team" })).toHaveCount(0);
  await signOut(page);
});

test("destroying asks first: members are removed after a confirmation, teams and orgs only by typing the name", async ({ page }) => {
  await signIn(page, ADMIN);

  // An organization that still has teams is refused, naming them.
  await page.goto("/orgs");
  await page.getByRole("link", { name: "acme" }).click();
  await page.getByRole("button", { name: "Delete organization" }).click();
  const orgDialog = page.getByRole("dialog");
  await orgDialog.getByLabel(/Type “acme” to confirm/).fill("acme");
  await orgDialog.getByRole("button", { name: "Delete organization" }).click();
  await expect(orgDialog.getByRole("alert")).toContainText(/platform|research/);
  await orgDialog.getByRole("button", { name: "Cancel" }).click();

  // A wrong name deletes nothing; the right one deletes the team.
  await page.goto(`${researchTeamUrl}/settings`);
  await page.getByRole("button", { name: "Delete team" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel(/Type “research” to confirm/).fill("reserch");
  await dialog.getByRole("button", { name: "Delete team" }).click();
  await expect(dialog.getByText("Type the team's name exactly to confirm.").first()).toBeVisible();
  await snapshot(page, "delete-team-confirm");
  await dialog.getByLabel(/Type “research” to confirm/).fill("research");
  await dialog.getByRole("button", { name: "Delete team" }).click();
  await expect(page).toHaveURL(/\/orgs$/);
  await expect(page.getByRole("link", { name: "research" })).toHaveCount(0);
  expect((await page.goto(`${researchTeamUrl}/pods`))?.status()).toBe(404);

  // Removing a member asks first; cancelling keeps them.
  await page.goto(`${platformTeamUrl}/settings`);
  await page.getByRole("button", { name: `Remove ${MEMBER.email}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("cell", { name: MEMBER.email, exact: true })).toBeVisible();
  await page.getByRole("button", { name: `Remove ${MEMBER.email}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("cell", { name: MEMBER.email, exact: true })).toHaveCount(0);
  await signOut(page);
});

test("signed out, panel pages send you to sign in", async ({ page }) => {
  await page.goto(`${platformTeamUrl}/pods`);
  await expect(page).toHaveURL(/\/sign-in$/);
  await snapshot(page, "sign-in");
});
