// VM consoles end to end, in Chromium against the local control plane's real QEMU guest: a
// developer creates a VM from the harness's tiny image; its serial console logs in and answers
// `hostname`, stays open idle for more than a minute and answers again; the platform admin opens
// the same console, is told who has it and takes it over, and the developer's page says who took
// it; the ssh terminal (over the VMI's port-forward) shows the host name cloud-init set; the VNC
// console draws the guest's screen, typing pasted text changes it (screenshots compared before
// and after), and Ctrl+Alt+Del from the VNC console reboots the guest, seen on the serial console.
import { randomBytes } from "node:crypto";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { ADMIN, signIn, snapshot } from "./helpers";
import { setUpTeamWithCluster } from "./team-with-cluster";

const suffix = randomBytes(3).toString("hex");
const ORG = `vmc-${suffix}`;
const TEAM = "guests";
const CLUSTER = `vmc-local-${suffix}`;
const DEV = { name: "Vera Console", email: `vera-${suffix}@example.test`, password: "vera's long password" };
const TINY = "minicloud.dev/guests/tiny:latest";

/** The terminal's screen, one string per row (xterm's DOM renderer draws rows as text). */
function screenRows(terminal: Locator): Promise<string[]> {
  return terminal.locator(".xterm-rows").evaluate((rows) => Array.from(rows.children, (row) => (row.textContent ?? "").replace(/\u00a0/g, " ").trimEnd()));
}

/** Types a line into the terminal (it has the focus after a click) and presses Enter. */
async function typeLine(page: Page, terminal: Locator, text: string) {
  await terminal.locator(".terminal-screen").click();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

/** Waits until some row of the screen matches. */
async function expectRow(terminal: Locator, pattern: RegExp, timeout = 30_000) {
  await expect.poll(async () => (await screenRows(terminal)).some((row) => pattern.test(row)), { timeout, message: `a row matching ${pattern}` }).toBe(true);
}

/** Pixels of the VNC canvas: how many distinct colours (a blank screen has one). */
function canvasColours(vnc: Locator): Promise<number> {
  return vnc.locator("canvas").evaluate((canvas: HTMLCanvasElement) => {
    const ctx = canvas.getContext("2d");
    if (!ctx || canvas.width === 0) return 0;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    for (let i = 0; i < data.length && colours.size < 16; i += 4 * 7) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return colours.size;
  });
}

test.describe.configure({ mode: "serial" });

test("VM consoles: serial (idle, take over), ssh, VNC (paste, Ctrl+Alt+Del → reboot on serial)", async ({ page, browser }) => {
  test.setTimeout(420_000);
  await setUpTeamWithCluster(page, { org: ORG, team: TEAM, cluster: CLUSTER, developer: DEV, quota: { cores: "4", memoryGib: "4", pods: "10" } });

  // The admin offers the harness's guest image in this cluster's VM disk catalog (on the page of the
  // cluster the setup assigned: an earlier spec may have registered the local cluster under its name).
  await expect(page).toHaveURL(/\/admin\/clusters\/[^/]+$/);
  await page.reload();
  const catalog = page.getByLabel("VM disk catalog");
  await catalog.fill(`tiny guest = ${TINY}\n${await catalog.inputValue()}`);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();

  // The developer creates a VM from it.
  const dev = await browser.newContext();
  const devPage = await dev.newPage();
  await signIn(devPage, DEV);
  await devPage.getByRole("link", { name: "VMs" }).first().click();
  await devPage.getByRole("link", { name: /New VM/ }).click();
  await devPage.getByTestId("vm-name").fill(`con ${suffix}`);
  await devPage.getByLabel("Disk image").selectOption(TINY);
  await devPage.getByLabel("Memory").selectOption("512");
  await devPage.getByRole("button", { name: "Create VM" }).click();
  await expect(devPage).toHaveURL(/\/vms\/[0-9a-f-]{36}$/);
  const vmUrl = devPage.url();
  const vmName = (await devPage.locator("dd").filter({ hasText: /^Host name / }).textContent())!.replace(/^Host name (\S+?),.*$/, "$1");
  expect(vmName).toMatch(new RegExp(`^con-${suffix}-`));
  await expect(async () => {
    await devPage.reload();
    await expect(devPage.getByTestId("vm-console-link-serial")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 90_000 });

  // Serial console: log in, hostname.
  await devPage.getByTestId("vm-console-link-serial").click();
  const serial = devPage.getByTestId("terminal");
  await expect(serial.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected", { timeout: 30_000 });
  await typeLine(devPage, serial, "");
  await expectRow(serial, /login: $|login:$/, 90_000);
  await typeLine(devPage, serial, "root");
  await expectRow(serial, /^root@.*# ?$/);
  await typeLine(devPage, serial, "hostname");
  await expectRow(serial, new RegExp(`^${vmName}$`));
  await snapshot(devPage, "vm-serial-console");

  // Idle for more than a minute (past the usual 20–60 s proxy idle cuts): still connected, still answers.
  await devPage.waitForTimeout(65_000);
  await expect(serial.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected");
  await typeLine(devPage, serial, "echo awake-$((6*7))");
  await expectRow(serial, /^awake-42$/);

  // The admin opens the same console: told who has it, takes it over; the developer's page says who.
  await page.goto(`${vmUrl}/console/serial`);
  const adminSerial = page.getByTestId("terminal");
  await expect(adminSerial.getByTestId("terminal-status")).toHaveAttribute("data-state", "busy", { timeout: 30_000 });
  await expect(adminSerial.getByTestId("terminal-status")).toContainText(`in use by ${DEV.email}`);
  await adminSerial.getByTestId("take-over").click();
  await expect(adminSerial.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected", { timeout: 30_000 });
  await expect(serial.getByTestId("terminal-status")).toHaveAttribute("data-state", "ended");
  await expect(serial.getByTestId("terminal-status")).toContainText(`${ADMIN.email} took over this console.`);
  await expect(serial.getByTestId("take-over")).toHaveText("Take back");
  await snapshot(devPage, "vm-serial-taken-over");

  // The ssh terminal: the panel's key, over the VMI's port-forward, shows the host name cloud-init set.
  await devPage.goto(`${vmUrl}/terminal`);
  const ssh = devPage.locator('[role="tabpanel"]:not([hidden]) [data-testid="terminal"]');
  await expect(ssh.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected", { timeout: 45_000 });
  await expectRow(ssh, /^root@.*# ?$/);
  await typeLine(devPage, ssh, "hostname");
  await expectRow(ssh, new RegExp(`^${vmName}$`));
  await snapshot(devPage, "vm-ssh-terminal");

  // VNC: the guest's screen, not blank.
  await devPage.goto(`${vmUrl}/console/vnc`);
  const vnc = devPage.getByTestId("vnc");
  await expect(vnc.getByTestId("vnc-status")).toHaveAttribute("data-state", "connected", { timeout: 30_000 });
  await expect.poll(() => canvasColours(vnc), { timeout: 30_000, message: "the VNC canvas shows more than one colour" }).toBeGreaterThan(1);
  // Log in on the VGA console by pasting, then paste `echo hi`: the screen changes.
  await vnc.getByTestId("vnc-paste").click();
  await vnc.getByTestId("vnc-paste-text").fill("root\n");
  await vnc.getByTestId("vnc-paste-send").click();
  await expect(vnc.getByTestId("vnc-paste-text")).toBeHidden({ timeout: 15_000 });
  const canvas = vnc.locator("canvas");
  // The prompt (and the cursor blink) settle; take the picture when two in a row agree.
  let before = await canvas.screenshot();
  await expect(async () => {
    const again = await canvas.screenshot();
    const same = again.equals(before);
    before = again;
    expect(same).toBe(true);
  }).toPass({ timeout: 20_000, intervals: [600, 600, 1_000] });
  await vnc.getByTestId("vnc-paste").click();
  await vnc.getByTestId("vnc-paste-text").fill("echo hi");
  await vnc.getByTestId("vnc-paste-send").click();
  await expect(vnc.getByTestId("vnc-paste-text")).toBeHidden({ timeout: 15_000 });
  await expect.poll(async () => (await canvas.screenshot()).equals(before), { timeout: 15_000, message: "the screen changed after the paste" }).toBe(false);
  await devPage.keyboard.press("Escape");
  await snapshot(devPage, "vm-vnc-console");

  // The screenshot download is the guest's screen as PNG.
  const download = await devPage.request.get(`${vmUrl.replace(/\/t\/[^/]+\/vms\//, "/api/vms/")}/screenshot`);
  expect(download.status()).toBe(200);
  expect(download.headers()["content-type"]).toBe("image/png");
  expect((await download.body()).subarray(1, 4).toString("latin1")).toBe("PNG");

  // Ctrl+Alt+Del from the VNC console: the guest reboots, as the admin's serial console shows.
  await typeLine(page, adminSerial, "clear");
  await expect.poll(async () => (await screenRows(adminSerial)).some((row) => /tiny guest: .* up/.test(row)), { timeout: 10_000 }).toBe(false);
  await vnc.getByTestId("vnc-ctrl-alt-del").click();
  await expectRow(adminSerial, /minicloud tiny guest: .* up, kernel/, 120_000);
  await expectRow(adminSerial, /login: ?$/, 60_000);
  await snapshot(page, "vm-serial-after-reboot");
  await dev.close();
});
