// From an empty data folder to a shell in a pod, with nothing but the browser: setup → the
// first-run checklist → "Start the built-in local cluster" (the binaries are cached by then:
// e2e/global-setup.ts built or reused them) → its progress reaches ready → a personal
// organization and team in one click → assign the cluster → an SSH pod turns Running → its
// terminal shows a prompt and runs a command → the checklist is gone. This spec runs its own
// panel (server.ts on another loopback port, its own fresh PGlite data folder), because the
// shared e2e panel has had its setup done by the foundation spec.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { snapshot } from "./helpers";

const ADMIN = { name: "Frida First", email: "frida@example.test", password: "frida's long password" };
const POD = "first";

interface Panel {
  url: string;
  process: ChildProcess;
  dataDir: string;
  output: string[];
}

let panel: Panel;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts the built panel (as `npm start` serves it) with a fresh data folder; resolves once /api/health answers. */
async function startPanel(): Promise<Panel> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), "minicloud-first-run-"));
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      MINICLOUD_PUBLIC_URL: url,
      MINICLOUD_DATA_DIR: dataDir,
      MINICLOUD_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      DATABASE_URL: "",
      MINICLOUD_LOCAL_CLUSTER: "",
      // Every pod's port 22 reaches the built-in cluster's one sshd, which runs as this user.
      MINICLOUD_SSH_POD_LOGIN: userInfo().username,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => output.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the panel exited (${child.exitCode}):\n${output.join("\n")}`);
    const healthy = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (healthy) return { url, process: child, dataDir, output };
    await delay(500);
  }
  child.kill("SIGKILL");
  throw new Error(`the panel did not answer /api/health within 120 s:\n${output.join("\n")}`);
}

/** Stops the panel the way an operator does (SIGTERM): it stops the built-in cluster with it. */
async function stopPanel(p: Panel): Promise<void> {
  if (p.process.exitCode === null) {
    const exited = new Promise((resolve) => p.process.once("exit", resolve));
    p.process.kill("SIGTERM");
    await Promise.race([exited, delay(15_000)]);
    if (p.process.exitCode === null) p.process.kill("SIGKILL");
  }
  rmSync(p.dataDir, { recursive: true, force: true });
}

/** The terminal in the visible tab, one string per screen row. */
function screenRows(page: Page): Promise<string[]> {
  return page
    .locator('[role="tabpanel"]:not([hidden]) [data-testid="terminal"] .xterm-rows')
    .evaluate((rows) => Array.from(rows.children, (row) => (row.textContent ?? "").replace(/\u00a0/g, " ").trim()));
}

/** A checklist step's row. */
const step = (page: Page, id: string): Locator => page.getByTestId("first-run-checklist").locator(`li[data-step="${id}"]`);

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(150_000);
  panel = await startPanel();
});

test.afterAll(async () => {
  if (panel) await stopPanel(panel);
});

test("from an empty data folder to a prompt in an SSH pod's terminal, in the browser only", async ({ page }) => {
  test.setTimeout(300_000);
  const url = (p: string) => `${panel.url}${p}`;

  // Setup: the first account is the platform administrator, who lands on the first steps.
  await page.goto(url("/"));
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel("Name").fill(ADMIN.name);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Confirm password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByRole("heading", { name: `Welcome, ${ADMIN.name}` })).toBeVisible();
  await expect(page.getByText(/Ask an administrator/)).toHaveCount(0);
  for (const id of ["team", "cluster", "assign", "pod", "terminal"]) await expect(step(page, id)).toHaveAttribute("data-done", "false");

  // The built-in cluster: its start streams its steps live until it is ready.
  await step(page, "cluster").getByRole("link", { name: "Start the built-in local cluster" }).click();
  await expect(page.getByRole("heading", { name: "Built-in local cluster" })).toBeVisible();
  const progress = page.getByTestId("local-cluster-progress");
  await expect(progress).toHaveAttribute("data-phase", "idle");
  await progress.getByRole("button", { name: "Start the built-in local cluster" }).click();
  // Binaries are cached here: the build steps say so, and the start's own steps follow.
  await expect(progress.locator('li[data-step="compile-kube-apiserver"]')).toHaveAttribute("data-state", "cached", { timeout: 30_000 });
  await expect(progress.getByRole("progressbar")).toBeVisible();
  await snapshot(page, "local-cluster-progress");
  await expect(progress).toHaveAttribute("data-phase", "ready", { timeout: 120_000 });
  for (const id of ["etcd", "apiserver", "controllers", "nodes", "standins", "register"]) {
    await expect(progress.locator(`li[data-step="${id}"]`)).toHaveAttribute("data-state", "done");
  }
  await expect(progress.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  await expect(progress.getByTestId("elapsed")).toBeVisible();
  await snapshot(page, "local-cluster-ready");

  // It is a registered cluster with its badge.
  await page.goto(url("/admin/clusters"));
  const row = page.getByRole("row").filter({ has: page.getByTestId("built-in-badge") });
  await expect(row).toContainText("local (built-in)");
  await expect(row).toContainText("v1.35.4");

  // The checklist has ticked the cluster off; one click makes an organization and a team.
  await page.goto(url("/"));
  await expect(step(page, "cluster")).toHaveAttribute("data-done", "true");
  await expect(step(page, "team").getByLabel("Organization name")).toHaveValue("frida");
  await snapshot(page, "first-run-checklist");
  await step(page, "team").getByRole("button", { name: "Create a personal organization and team for me" }).click();
  await expect(step(page, "team")).toHaveAttribute("data-done", "true");

  // Assign it to the new team, with a quota.
  await step(page, "assign").getByRole("link", { name: /Assign .* to a team/ }).click();
  const assign = page.getByTestId("assign-cluster-form");
  await assign.getByLabel("Team").selectOption({ label: "frida / personal" });
  await assign.getByLabel("CPU (cores)").fill("2");
  await assign.getByLabel("Memory", { exact: true }).fill("4");
  await assign.getByLabel("Memory unit").selectOption("GiB");
  await assign.getByLabel("Pods").fill("4");
  await assign.getByRole("button", { name: "Assign cluster" }).click();
  await expect(page.getByText("mc-frida-personal").first()).toBeVisible();

  // An SSH pod, Running.
  await page.goto(url("/"));
  await expect(step(page, "assign")).toHaveAttribute("data-done", "true");
  await step(page, "pod").getByRole("link", { name: "New SSH pod" }).click();
  await page.getByTestId("pod-name").fill(POD);
  await page.getByRole("button", { name: "Create SSH pod" }).click();
  await expect(page.getByRole("heading", { name: POD })).toBeVisible();
  await page.getByRole("link", { name: "Back to SSH pods" }).click();
  await expect(page.getByTestId(`pod-row-${POD}`).getByTestId("pod-status")).toHaveAttribute("data-status", "Running", { timeout: 30_000 });

  // Its terminal: a prompt, and a command that answers.
  await page.goto(url("/"));
  await expect(step(page, "pod")).toHaveAttribute("data-done", "true");
  await step(page, "terminal").getByRole("link", { name: "Open its terminal" }).click();
  await expect(page.getByRole("tab", { name: "Shell (exec)" })).toHaveAttribute("aria-selected", "true");
  await expect.poll(async () => (await screenRows(page)).some((r) => /[$#>]$/.test(r)), { timeout: 20_000, message: "a shell prompt on the terminal" }).toBe(true);
  await page.locator('[role="tabpanel"]:not([hidden]) [data-testid="terminal"] .terminal-screen').click();
  await page.keyboard.type("echo first-run-$((6*7))");
  await page.keyboard.press("Enter");
  await expect.poll(() => screenRows(page), { timeout: 15_000 }).toContain("first-run-42");
  await snapshot(page, "first-run-terminal");

  // Every step is done: home is the team's pods now, without a checklist.
  await page.goto(url("/"));
  await expect(page).toHaveURL(/\/t\/[0-9a-f-]+\/pods$/);
  await expect(page.getByTestId("first-run-checklist")).toHaveCount(0);
});
