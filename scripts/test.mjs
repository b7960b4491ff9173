// `npm test`: typecheck, lint, unit + integration (vitest), production build, e2e (Playwright in
// Debian's Chromium against `next start`). Installs/locates system test dependencies first and
// creates the test CA that the HTTPS/TLS fakes use; NODE_EXTRA_CA_CERTS points every test
// process at a bundle of the system CAs plus that test CA.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureTestDeps } from "./ensure-test-deps.mjs";
import { ensureTestCa } from "./test-ca.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
process.chdir(root);
const only = process.argv.slice(2); // e.g. `npm test -- unit e2e`
const want = (name) => only.length === 0 || only.includes(name);
const bin = (pkg, file) => path.join(root, "node_modules", pkg, file);
const started = Date.now();
const timings = [];

ensureTestDeps();
const ca = ensureTestCa();
const env = { ...process.env, NODE_EXTRA_CA_CERTS: ca.bundle, NEXT_TELEMETRY_DISABLED: "1", FORCE_COLOR: process.env.CI ? "0" : process.env.FORCE_COLOR };
fs.mkdirSync(".tmp", { recursive: true });

function run(label, args) {
  const t = Date.now();
  console.log(`\n[test] ── ${label} ──`);
  const res = spawnSync(process.execPath, args, { stdio: "inherit", env });
  timings.push(`${label} ${((Date.now() - t) / 1000).toFixed(0)} s`);
  if (res.status !== 0) {
    console.error(`[test] ${label} failed (exit ${res.status ?? res.signal}).`);
    summary();
    process.exit(res.status || 1);
  }
}

function countsFrom(file, pick) {
  try {
    return pick(JSON.parse(fs.readFileSync(file, "utf8")));
  } catch {
    return { passed: 0, failed: 0, skipped: 0 };
  }
}

function summary() {
  const unit = countsFrom(".tmp/vitest-report.json", (r) => ({ passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + (r.numTodoTests ?? 0) }));
  const e2e = countsFrom(".tmp/playwright-report.json", (r) => ({ passed: r.stats.expected, failed: r.stats.unexpected + (r.stats.flaky ?? 0), skipped: r.stats.skipped }));
  console.log(`\n[test] timings: ${timings.join(", ")}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`[test] vitest: ${unit.passed} passed, ${unit.failed} failed; playwright: ${e2e.passed} passed, ${e2e.failed} failed`);
  console.log(`${unit.passed + e2e.passed} passed, ${unit.failed + e2e.failed} failed, ${unit.skipped + e2e.skipped} skipped`);
}

for (const f of [".tmp/vitest-report.json", ".tmp/playwright-report.json"]) fs.rmSync(f, { force: true });
if (want("typecheck")) run("typecheck", [bin("typescript", "bin/tsc"), "--noEmit"]);
if (want("lint")) run("lint", [bin("eslint", "bin/eslint.js"), "--max-warnings", "0", "."]);
if (want("unit")) run("unit + integration (vitest)", [bin("vitest", "vitest.mjs"), "run", "--reporter=default", "--reporter=json", "--outputFile.json=.tmp/vitest-report.json"]);
if (want("e2e")) {
  run("build", [bin("next", "dist/bin/next"), "build"]);
  run("e2e (playwright, chromium)", [bin("@playwright/test", "cli.js"), "test"]);
}
summary();
