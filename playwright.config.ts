import path from "node:path";
import { defineConfig } from "@playwright/test";

// Debian's Chromium, never a Playwright browser download (scripts/ensure-test-deps.mjs installs it).
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const port = Number(process.env.E2E_PORT ?? 3210);
export const E2E_DATA_DIR = path.resolve(".tmp/e2e-data");

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: ".tmp/playwright-report.json" }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"],
    },
  },
  // One server and database for all specs, in three stages: the first-run flow needs a fresh
  // console; the feature specs build on it in any order; the leak sweep runs after everything.
  projects: [
    { name: "foundation", testMatch: /foundation\.spec\.ts/, use: { browserName: "chromium" } },
    { name: "features", testMatch: /\.spec\.ts$/, testIgnore: /(foundation|leaks)\.spec\.ts$/, dependencies: ["foundation"], use: { browserName: "chromium" } },
    { name: "leaks", testMatch: /leaks\.spec\.ts/, dependencies: ["features"], use: { browserName: "chromium" } },
  ],
  webServer: {
    command: "node scripts/e2e-server.mjs",
    url: `http://127.0.0.1:${port}/login`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: { DATA_DIR: E2E_DATA_DIR, E2E_PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
    stdout: "ignore",
    stderr: "pipe",
  },
});
