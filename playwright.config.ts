import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

// The e2e suite runs the built panel (server.ts, production mode) on a loopback port with a
// fresh PGlite data directory, driven by Debian's Chromium — never a downloaded browser.
const port = Number(process.env.E2E_PORT ?? 3197);
const baseURL = `http://127.0.0.1:${port}`;
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), "minicloud-e2e-"));
process.env.E2E_DATA_DIR = dataDir; // workers re-evaluate this file: keep one directory

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/playwright.json" }]],
  globalSetup: "./e2e/global-setup.ts",
  // The first-run journey needs a fresh panel, so it runs before every other spec. The built-in
  // cluster's journey starts its own panel with its own empty data folder (e2e/first-run.spec.ts).
  projects: [
    { name: "first-run", testMatch: "foundation.spec.ts" },
    { name: "screens", testIgnore: ["foundation.spec.ts", "first-run.spec.ts"], dependencies: ["first-run"] },
    { name: "built-in-cluster", testMatch: "first-run.spec.ts" },
  ],
  use: {
    baseURL,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: {
    command: "tsx server.ts",
    url: `${baseURL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      MINICLOUD_PUBLIC_URL: baseURL,
      MINICLOUD_DATA_DIR: dataDir,
      MINICLOUD_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      DATABASE_URL: "",
      // The local control plane's API server is on loopback; production refuses that by default.
      MINICLOUD_ALLOW_LOOPBACK_CLUSTERS: "true",
      // Every pod's port 22 reaches the local control plane's one sshd, which runs as this user.
      MINICLOUD_SSH_POD_LOGIN: userInfo().username,
    },
  },
});
