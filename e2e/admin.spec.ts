// Platform administration and the audit log: creating, disabling and re-enabling users (with
// messages next to the fields), who may open the admin page, and who sees which audit events.
import { expect, test, type Page } from "@playwright/test";
import { signInAsAdmin } from "./ensure-admin";
import { ADMIN, signIn, signOut, snapshot } from "./helpers";

test.describe.configure({ mode: "serial" });

// Our own people and names, so nothing here collides with the foundation journey.
const CARL = { name: "Carl Auditor", email: "carl@initech.test", password: "carl's long password" };
const DANA = { name: "Dana Sso", email: "dana@initech.test" };
let tpsTeamId = "";
let printersTeamId = "";

const createUserForm = (page: Page) => page.locator("form", { has: page.getByRole("button", { name: "Create user" }) });
const userRow = (page: Page, email: string) => page.getByRole("row").filter({ has: page.getByRole("cell", { name: email, exact: true }) });
const disabledBadge = (page: Page, email: string) => userRow(page, email).locator(".badge", { hasText: /^disabled$/ });
const auditFilters = (page: Page) => page.getByRole("search", { name: "Filter the audit log" });

test("the admin creates users; bad input gets a message next to its field and creates nothing", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/admin/users");
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  const form = createUserForm(page);

  await form.getByLabel("Name").fill(CARL.name);
  await form.getByLabel("Email").fill("carl-at-initech");
  await form.getByLabel("Password (optional)").fill("short");
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(form.getByText("Enter a valid email address.")).toBeVisible();
  await expect(form.getByText("Use at least 8 characters.")).toBeVisible();
  await expect(page.getByRole("cell", { name: "carl-at-initech" })).toHaveCount(0);

  await form.getByLabel("Name").fill(CARL.name);
  await form.getByLabel("Email").fill(CARL.email);
  await form.getByLabel("Password (optional)").fill(CARL.password);
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(userRow(page, CARL.email)).toBeVisible();

  // The same address again (case does not matter) is refused next to the email field.
  await form.getByLabel("Name").fill("Carl Again");
  await form.getByLabel("Email").fill(CARL.email.toUpperCase());
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(form.getByText(`${CARL.email} already has an account.`)).toBeVisible();
  await expect(page.getByRole("cell", { name: "Carl Again" })).toHaveCount(0);

  // No password: an account for single sign-on only; this one is a platform admin.
  await form.getByLabel("Name").fill(DANA.name);
  await form.getByLabel("Email").fill(DANA.email);
  await form.getByLabel(/Platform admin/).check();
  await form.getByRole("button", { name: "Create user" }).click();
  const dana = userRow(page, DANA.email);
  await expect(dana).toBeVisible();
  await expect(dana.getByText("platform admin")).toBeVisible();
  await expect(dana.getByText("single sign-on only")).toBeVisible();
  await expect(userRow(page, CARL.email).getByText("platform admin")).toHaveCount(0);
  await snapshot(page, "admin-users-created");
});

test("the admin cannot disable themselves; disabling asks first and stops sign-in until re-enabled", async ({ page, browser }) => {
  await signInAsAdmin(page);
  await page.goto("/admin/users");

  await userRow(page, ADMIN.email).getByRole("button", { name: `Disable ${ADMIN.email}` }).click();
  const selfDialog = page.getByRole("dialog", { name: `Disable ${ADMIN.email}?` });
  await selfDialog.getByRole("button", { name: "Disable" }).click();
  await expect(selfDialog.getByText("You cannot disable your own account.")).toBeVisible();
  await snapshot(page, "admin-users-disable-self");
  await selfDialog.getByRole("button", { name: "Cancel" }).click();
  await expect(disabledBadge(page, ADMIN.email)).toHaveCount(0);

  // Cancelling changes nothing.
  await userRow(page, CARL.email).getByRole("button", { name: `Disable ${CARL.email}` }).click();
  await page.getByRole("dialog", { name: `Disable ${CARL.email}?` }).getByRole("button", { name: "Cancel" }).click();
  await expect(disabledBadge(page, CARL.email)).toHaveCount(0);

  await userRow(page, CARL.email).getByRole("button", { name: `Disable ${CARL.email}` }).click();
  await page.getByRole("dialog", { name: `Disable ${CARL.email}?` }).getByRole("button", { name: "Disable" }).click();
  await expect(disabledBadge(page, CARL.email)).toBeVisible();

  const carl = await browser.newPage();
  await carl.goto("/sign-in");
  await carl.getByLabel("Email").fill(CARL.email);
  await carl.getByLabel("Password").fill(CARL.password);
  await carl.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(carl.getByRole("alert").filter({ hasText: /account is disabled/ })).toBeVisible();

  await userRow(page, CARL.email).getByRole("button", { name: "Re-enable" }).click();
  await expect(disabledBadge(page, CARL.email)).toHaveCount(0);
  await signIn(carl, CARL);
  await carl.close();
});

test("only platform admins see the admin page", async ({ page }) => {
  await signIn(page, CARL);
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
  const response = await page.goto("/admin/users");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(page.getByText(ADMIN.email)).toHaveCount(0);

  // In no organization or team yet: the audit log says why it is empty.
  await page.goto("/audit");
  await expect(page.getByText("You cannot read the audit log of any organization or team.", { exact: false })).toBeVisible();
  await signOut(page);
});

test("the admin sees every event, filtered by team, actor and action", async ({ page }) => {
  await signInAsAdmin(page);
  // An organization with two teams; Carl administers one of them.
  await page.goto("/orgs");
  await page.getByLabel("Name").fill("initech");
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page.getByRole("heading", { name: "initech", level: 1 })).toBeVisible();
  const orgUrl = page.url();
  for (const team of ["tps", "printers"]) {
    await page.goto(orgUrl);
    await page.getByLabel("New team name").fill(team);
    await page.getByRole("button", { name: "Create team" }).click();
    await expect(page).toHaveURL(/\/t\/[0-9a-f-]+\/settings$/);
    const id = new URL(page.url()).pathname.split("/")[2]!;
    if (team === "tps") tpsTeamId = id;
    else printersTeamId = id;
  }
  await page.goto(`/t/${tpsTeamId}/settings`);
  await page.getByLabel("Email of an existing user").fill(CARL.email);
  await page.getByLabel("Role", { exact: true }).selectOption("admin");
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByRole("cell", { name: CARL.email, exact: true })).toBeVisible();
  await page.goto(`/t/${printersTeamId}/settings`);
  await page.getByLabel("Name", { exact: true }).fill("printers-2");
  await page.getByRole("button", { name: "Rename team" }).click();
  await expect(page.getByRole("heading", { name: "printers-2", level: 1 })).toBeVisible();

  await page.goto("/audit");
  const events = page.getByRole("table", { name: "Audit events" });
  await expect(events.getByRole("row").filter({ hasText: "user.disable" }).filter({ hasText: CARL.email })).toBeVisible();
  await expect(events.getByRole("row").filter({ hasText: "team.rename" })).toBeVisible();
  await snapshot(page, "audit-admin");

  const filters = auditFilters(page);
  await filters.getByLabel("Team").selectOption({ label: "initech / tps" });
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(new RegExp(`team=${tpsTeamId}`));
  await expect(events.getByRole("row").filter({ hasText: "team.member.add" })).toBeVisible();
  await expect(events.getByRole("row").filter({ hasText: "team.rename" })).toHaveCount(0);
  await expect(events.getByRole("row").filter({ hasText: "user.create" })).toHaveCount(0);
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(auditFilters(page).getByLabel("Team")).toHaveValue("");
  await expect(events.getByRole("row").filter({ hasText: "team.rename" })).toBeVisible();

  await page.goto("/audit?action=user.*");
  await expect(events.getByRole("row").filter({ hasText: "user.disable" }).first()).toBeVisible();
  await expect(events.getByRole("row").filter({ hasText: "team." })).toHaveCount(0);
  await expect(auditFilters(page).getByLabel("Action")).toHaveValue("user.*");

  await page.goto("/audit?action=no.such.action");
  await expect(page.getByText("No events match these filters.")).toBeVisible();
});

test("a team admin sees only the audit events of teams they may audit", async ({ page }) => {
  await signIn(page, CARL);
  await page.goto("/audit");
  const filters = auditFilters(page);
  await expect(filters.getByLabel("Team").locator("option")).toHaveText(["All teams", "initech / tps"]);
  const events = page.getByRole("table", { name: "Audit events" });
  await expect(events.getByRole("row").filter({ hasText: "team.member.add" })).toBeVisible();
  await expect(events.getByRole("row").filter({ hasText: "team.rename" })).toHaveCount(0);
  await expect(events.getByRole("row").filter({ hasText: "user.create" })).toHaveCount(0);
  await expect(page.getByText("printers")).toHaveCount(0);
  await snapshot(page, "audit-team-admin");

  // Asking for another team's events is "not found", not someone else's data.
  const response = await page.goto(`/audit?team=${printersTeamId}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(page.getByText("printers")).toHaveCount(0);
  await signOut(page);
});

test("a forged cross-team action is refused, changes nothing, and shows as denied to the admin", async ({ page }) => {
  await signIn(page, CARL);
  await page.goto(`/t/${tpsTeamId}/settings`);
  const rename = page.locator("form", { has: page.getByRole("button", { name: "Rename team" }) });
  await rename.locator("input[name=teamId]").evaluate((el, id) => ((el as HTMLInputElement).value = id), printersTeamId);
  await rename.getByLabel("Name", { exact: true }).fill("pwned");
  await rename.getByRole("button", { name: "Rename team" }).click();
  await expect(rename.getByRole("alert").filter({ hasText: "Not found." })).toBeVisible();
  await signOut(page);

  await signInAsAdmin(page);
  await page.goto(`/t/${printersTeamId}/settings`);
  await expect(page.getByRole("heading", { name: "printers-2", level: 1 })).toBeVisible();
  await page.goto(`/audit?team=${printersTeamId}&action=team.rename`);
  const denied = page.getByRole("table", { name: "Audit events" }).getByRole("row").filter({ hasText: CARL.name });
  await expect(denied.locator(".badge", { hasText: "denied" })).toBeVisible();
  await expect(denied).toContainText("permission: team:rename");
  await snapshot(page, "audit-denied");
});

test("the audit log pages through older events", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAsAdmin(page);
  // Enough renames to fill more than one page (50 events).
  await page.goto(`/t/${printersTeamId}/settings`);
  for (let i = 0; i < 51; i++) {
    await page.getByLabel("Name", { exact: true }).fill(`printers-${i % 2 === 0 ? "a" : "b"}`);
    await page.getByRole("button", { name: "Rename team" }).click();
    await expect(page.getByRole("heading", { name: `printers-${i % 2 === 0 ? "a" : "b"}`, level: 1 })).toBeVisible();
  }
  await page.goto(`/audit?team=${printersTeamId}&action=team.rename`);
  const rows = page.getByRole("table", { name: "Audit events" }).locator("tbody tr");
  await expect(rows).toHaveCount(50);
  await page.getByRole("link", { name: "Older »" }).click();
  await expect(page).toHaveURL(/before=/);
  await expect(rows).toHaveCount(3); // 51 + the rename and the refused rename of the earlier tests
  await expect(page.getByRole("link", { name: "Older »" })).toHaveCount(0);
  await page.getByRole("link", { name: "« Newest" }).click();
  await expect(rows).toHaveCount(50);
});
