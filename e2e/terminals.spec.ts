// Browser terminals end to end: a developer opens a terminal on their SSH pod from the pods
// list; the exec tab echoes and follows the window's size (`stty size`); the SSH tab logs in
// through a port-forward to the local control plane's sshd and echoes too; when its socket
// drops, the status goes reconnecting → connected on a fresh ticket and the new session
// works. Then a platform admin sees the session among the live ones and ends it, and the
// developer's terminal says so and offers to reconnect. The organization records terminals,
// and the admin replays a recorded session from the audit log.
import { appendFileSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { expect, test, type Locator, type Page, type WebSocketRoute } from "@playwright/test";
import { signInAsAdmin } from "./ensure-admin";
import { ADMIN, signIn, signOut, snapshot } from "./helpers";
import { requiredEnv, setUpTeamWithCluster } from "./team-with-cluster";

const suffix = randomBytes(3).toString("hex");
const ORG = `term-${suffix}`;
const TEAM = "shells";
const CLUSTER = `term-local-${suffix}`;
const POD = `box-${suffix}`;
/** The developer's pod page, for the admin who looks at its pinned host key. */
let podPageUrl = "";
/** The exec tab's last output line (`stty size` after the resize), looked for again in its replay. */
let execLastLine = "";
const DEV = { name: "Tess Terminal", email: `tess-${suffix}@example.test`, password: "tess's long password" };

/**
 * The local control plane forwards every pod's port 22 to one sshd on this machine: let it
 * accept the keys the panel put into the team's pod Secrets (the owner's and the panel's own
 * terminal key), as a real pod's sshd would.
 */
async function trustPodKeys(namespace: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(requiredEnv("E2E_KUBECONFIG"));
  const secrets = await kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace, labelSelector: "app.kubernetes.io/managed-by=minicloud" });
  const file = requiredEnv("E2E_SSHD_AUTHORIZED_KEYS");
  const present = new Set(readFileSync(file, "utf8").split("\n"));
  const lines = secrets.items.flatMap((s) => Buffer.from(s.data?.authorized_keys ?? "", "base64").toString("utf8").split("\n")).filter((l) => l.trim() && !present.has(l));
  expect(lines.length).toBeGreaterThan(0);
  appendFileSync(file, lines.map((l) => `${l}\n`).join(""));
}

/** The terminal in the visible tab. */
const activeTerminal = (page: Page) => page.locator('[role="tabpanel"]:not([hidden]) [data-testid="terminal"]');

/** The terminal's screen, one string per row (xterm's DOM renderer draws rows as text). */
function screenRows(terminal: Locator): Promise<string[]> {
  return terminal.locator(".xterm-rows").evaluate((rows) => Array.from(rows.children, (row) => (row.textContent ?? "").replace(/\u00a0/g, " ").trim()));
}

/** Types a command into the terminal and presses Enter. */
async function run(page: Page, terminal: Locator, command: string) {
  await terminal.locator(".terminal-screen").click();
  await page.keyboard.type(command);
  await page.keyboard.press("Enter");
}

/** Waits until a row of the screen is exactly `line` (output, not the echoed command line). */
async function expectLine(terminal: Locator, line: string) {
  await expect.poll(() => screenRows(terminal), { timeout: 15_000 }).toContain(line);
}

/** The size the terminal shows (columns × rows), as fitted to its element. */
async function shownSize(terminal: Locator) {
  const screen = terminal.getByTestId("terminal-screen");
  return { cols: Number(await screen.getAttribute("data-cols")), rows: Number(await screen.getAttribute("data-rows")) };
}

/**
 * Runs `stty size` until the PTY reports the terminal's own size (rows, columns): right after
 * a window resize the terminal may refit once more, so a stale answer is asked again.
 */
async function expectSttySizeMatches(page: Page, terminal: Locator) {
  let size = await shownSize(terminal);
  await expect(async () => {
    size = await shownSize(terminal);
    expect(size.cols).toBeGreaterThan(10);
    await run(page, terminal, "clear; stty size");
    await expect.poll(async () => (await screenRows(terminal)).filter((r) => /^\d+ \d+$/.test(r)).at(-1), { timeout: 3_000 }).toBe(`${size.rows} ${size.cols}`);
  }).toPass({ timeout: 15_000 });
  return size;
}

test.describe.configure({ mode: "serial" });

test("the admin sets up a team with the local cluster and a developer in it", async ({ page }) => {
  await setUpTeamWithCluster(page, { org: ORG, team: TEAM, cluster: CLUSTER, developer: DEV, quota: { cores: "2", memoryGib: "4", pods: "4" } });

  // Recording is off until an org admin turns it on.
  await page.goto("/orgs");
  await page.getByRole("link", { name: ORG, exact: true }).click();
  await expect(page.getByTestId("recording-setting")).toHaveAttribute("data-enabled", "false");
  await page.getByRole("button", { name: "Record browser terminals" }).click();
  await expect(page.getByTestId("recording-setting")).toHaveAttribute("data-enabled", "true");
  await snapshot(page, "org-terminals");
  await signOut(page);
});

test("a developer's terminal: exec echoes and follows resizes, ssh echoes, a dropped socket reconnects; an admin ends the session", async ({ page, browser }) => {
  // Every terminal socket goes through this route, so the test can cut one as a network drop would.
  const sockets: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
  await page.routeWebSocket(/\/ws\/terminal/, (ws) => {
    sockets.push({ page: ws, server: ws.connectToServer() });
  });

  await signIn(page, DEV);
  await page.getByRole("link", { name: "Pods", exact: true }).first().click();
  await page.getByRole("link", { name: "New SSH pod" }).click();
  await page.getByTestId("pod-name").fill(POD);
  await page.getByRole("button", { name: "Create SSH pod" }).click();
  await expect(page.getByRole("heading", { name: POD })).toBeVisible();
  podPageUrl = page.url();
  await page.getByRole("link", { name: "Back to SSH pods" }).click();
  const row = page.getByTestId(`pod-row-${POD}`);
  await expect(row.getByTestId("pod-status")).toHaveAttribute("data-status", "Running", { timeout: 20_000 });
  await trustPodKeys(`mc-${ORG}-${TEAM}`);

  // Exec: the first tab connects by itself.
  await row.getByRole("link", { name: `Open a terminal on ${POD}` }).click();
  await expect(page.getByRole("tab", { name: "Shell (exec)" })).toHaveAttribute("aria-selected", "true");
  let terminal = activeTerminal(page);
  await expect(terminal.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected");
  await expect(terminal.getByText("Recorded", { exact: true })).toBeVisible();
  const word = `hello-${randomBytes(4).toString("hex")}`;
  await run(page, terminal, `echo ${word}`);
  await expectLine(terminal, word);
  const before = await expectSttySizeMatches(page, terminal);
  await snapshot(page, "terminal-exec");

  // A smaller window: the terminal refits and the PTY hears of it.
  await page.setViewportSize({ width: 1000, height: 560 });
  await expect(terminal.getByTestId("terminal-screen")).not.toHaveAttribute("data-cols", String(before.cols));
  const after = await expectSttySizeMatches(page, terminal);
  expect(after.cols).toBeLessThan(before.cols);
  expect(after.rows).toBeLessThan(before.rows);
  execLastLine = `${after.rows} ${after.cols}`;
  await snapshot(page, "terminal-exec-resized");

  // SSH: the second tab connects when first shown; the exec tab stays connected meanwhile.
  await page.getByRole("tab", { name: "SSH" }).click();
  terminal = activeTerminal(page);
  await expect(terminal).toHaveAttribute("data-mode", "ssh");
  await expect(terminal.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected", { timeout: 15_000 });
  const sshWord = `hello-${randomBytes(4).toString("hex")}`;
  await run(page, terminal, `echo ${sshWord}`);
  await expectLine(terminal, sshWord);
  await snapshot(page, "terminal-ssh");

  // The network drops: the socket closes without an exit message. A fresh ticket and session follow.
  const socketsBefore = sockets.length;
  const dropped = sockets.at(-1)!;
  await dropped.page.close({ code: 4000, reason: "network drop" });
  await dropped.server.close();
  await expect(terminal.locator('[data-testid="terminal-status"][data-state="reconnecting"]')).toHaveText(/reconnecting in \d+ s/);
  await snapshot(page, "terminal-reconnecting");
  await expect(terminal.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected", { timeout: 15_000 });
  expect(sockets.length).toBe(socketsBefore + 1);
  const againWord = `hello-${randomBytes(4).toString("hex")}`;
  await run(page, terminal, `echo ${againWord}`);
  await expectLine(terminal, againWord);
  await snapshot(page, "terminal-reconnected");

  // A platform admin lists live sessions and ends the developer's ssh session.
  const adminContext = await browser.newContext();
  try {
    const admin = await adminContext.newPage();
    await signIn(admin, ADMIN);
    await admin.goto("/admin/sessions");
    const sessions = admin.getByRole("table", { name: "Live terminal sessions" }).locator("tbody tr").filter({ hasText: DEV.email });
    await expect(sessions).toHaveCount(2); // the exec tab and the reconnected ssh tab
    const sshRow = sessions.filter({ has: admin.getByRole("cell", { name: /^ssh( Recorded)?$/ }) });
    await snapshot(admin, "admin-live-sessions");
    await sshRow.getByRole("button", { name: /^End .* session on / }).click();
    await admin.getByRole("dialog").getByRole("button", { name: "End session" }).click();
    await expect(sessions).toHaveCount(1);
  } finally {
    await adminContext.close();
  }
  await expect(terminal.getByTestId("terminal-status")).toHaveAttribute("data-state", "ended");
  await expect(terminal.getByTestId("terminal-status")).toHaveText("An administrator ended this session.");
  await expect(terminal.getByRole("button", { name: "Reconnect" })).toBeVisible();
  await snapshot(page, "terminal-ended-by-admin");
});

test("the admin replays the recorded exec session from the audit log", async ({ page }) => {
  await signInAsAdmin(page);
  // The developer's page closed at the end of the last test, which ended the exec session; its audit row follows.
  const execRow = page.getByRole("table", { name: "Audit events" }).locator("tbody tr").filter({ hasText: DEV.email }).filter({ hasText: "mode: exec" });
  await expect(async () => {
    await page.goto("/audit?action=terminal.session");
    await expect(execRow.first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await execRow.first().getByRole("link", { name: "Replay" }).click();
  await expect(page.getByRole("heading", { name: /Replay:/ })).toBeVisible();
  await page.getByRole("button", { name: "Skip to end" }).click();
  await expect(page.getByTestId("replay-status")).toHaveAttribute("data-state", "ended");
  const replay = page.locator(".terminal-frame");
  await expectLine(replay, execLastLine);
  await snapshot(page, "terminal-replay");
});

test("the ssh tab pinned the pod's host key; an admin forgets it after a confirmation", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto(podPageUrl);
  const card = page.getByRole("region", { name: "SSH host key" });
  const fingerprint = card.getByTestId("host-key-fingerprint");
  await expect(fingerprint).toHaveText(/^SHA256:[A-Za-z0-9+/]{43}$/);
  const pinned = await fingerprint.textContent();
  await card.getByRole("button", { name: /^Forget the SSH host key of / }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(pinned!);
  await snapshot(page, "pod-forget-host-key");
  await dialog.getByRole("button", { name: "Forget host key" }).click();
  await expect(card).toContainText("No key pinned yet");
  await expect(card.getByRole("button", { name: /^Forget the SSH host key of / })).toHaveCount(0);
  await page.goto("/audit?action=pod.host-key.forget");
  await expect(page.getByRole("table", { name: "Audit events" }).locator("tbody tr").filter({ hasText: POD }).first()).toContainText(pinned!);
});
