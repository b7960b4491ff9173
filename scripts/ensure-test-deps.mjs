// Finds (or, as root, installs from Debian) what the tests need outside npm: Chromium for the
// Playwright e2e tests (never a Playwright browser download), Dovecot for the IMAP tests and
// swaks, the SMTP client the relay tests drive it with.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

export function chromiumPath() {
  return process.env.CHROMIUM_PATH || "/usr/bin/chromium";
}

function missingPackages() {
  const missing = [];
  if (!fs.existsSync(chromiumPath())) missing.push("chromium");
  if (!fs.existsSync("/usr/sbin/dovecot")) missing.push("dovecot-imapd");
  if (!fs.existsSync("/usr/bin/swaks")) missing.push("swaks");
  return missing;
}

export function ensureTestDeps() {
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (!isRoot) {
    console.error(`[test] missing system packages: ${missing.join(", ")}.\n[test] Install them with:  sudo apt-get install -y ${missing.join(" ")}\n[test] (or set CHROMIUM_PATH to an existing Chromium binary).`);
    process.exit(1);
  }
  console.log(`[test] installing Debian packages: ${missing.join(", ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update"], { stdio: "inherit", env });
  // policy-rc.d keeps the packaged Dovecot service from starting: the tests run their own.
  const policy = "/usr/sbin/policy-rc.d";
  const hadPolicy = fs.existsSync(policy);
  if (!hadPolicy) fs.writeFileSync(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    const res = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { stdio: "inherit", env });
    if (res.status !== 0) {
      console.error(`[test] apt-get install failed (exit ${res.status}).`);
      process.exit(1);
    }
  } finally {
    if (!hadPolicy) fs.rmSync(policy, { force: true });
  }
  const still = missingPackages();
  if (still.length) {
    console.error(`[test] still missing after install: ${still.join(", ")}`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) ensureTestDeps();
