import { expect, test } from "@playwright/test";
import nodemailer from "nodemailer";
import { freePort } from "../tests/helpers/relay-process";
import fs from "node:fs";
import path from "node:path";
import { DATA_DIR, collectResponses, ensureSignedIn, screenshot, sweepPage } from "./helpers";

/**
 * The Relay page in the browser: enable the listener in the settings (the console then starts
 * the relay as its supervised child), add a device (its password shown once), a message
 * from nodemailer with that password, the listener status with the certificate fingerprint, the
 * queue, the message detail with its attempt, the device card with the IBM i CL, and the
 * password never appearing again in any page.
 */
test.describe.configure({ mode: "serial" });

const PROFILE = "Relay log-only";
let port = 0;
let password = "";

test("set up the relay, add a device, relay a message, follow it in the queue", async ({ page, context }) => {
  test.setTimeout(240_000);
  const seen = collectResponses(context);
  await ensureSignedIn(page);
  await page.goto("/profiles/new?kind=log-only");
  await page.getByLabel("Profile name").fill(PROFILE);
  await page.getByLabel("From address").fill("scanner@contoso.com");
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("heading", { name: PROFILE })).toBeVisible();

  port = await freePort();
  await page.goto("/relay");
  await expect(page.getByRole("heading", { name: "Relay", level: 1 })).toBeVisible();
  await expect(page.getByTestId("relay-listener")).toContainText("Off");
  await page.getByText("Settings and certificate").click();
  await page.getByLabel("Run the relay with the console").check();
  await page.getByLabel("Listen address").fill("127.0.0.1");
  await page.getByLabel("Port (STARTTLS)").fill(String(port));
  await page.getByRole("button", { name: "Save relay settings" }).click();
  await expect(page.getByText("Relay settings saved")).toBeVisible();

  // Bad input names the field.
  await page.getByLabel("Name (the SMTP username)").fill("scanner-1");
  await page.getByLabel("Sends through profile").selectOption(PROFILE);
  await page.getByLabel("Allowed source IPs").fill("10.0.0.0/99");
  await page.getByRole("button", { name: "Add device" }).click();
  await expect(page.getByText(/Allowed IPs: each entry must be an IP address or a CIDR/).first()).toBeVisible();
  await page.getByLabel("Allowed source IPs").fill("127.0.0.1");
  await page.getByLabel("Allowed senders").fill("@contoso.com");
  await page.getByRole("button", { name: "Add device" }).click();
  password = (await page.getByTestId("device-password").textContent()) ?? "";
  expect(password.length).toBeGreaterThanOrEqual(24);
  // For the leak sweep (e2e/leaks.spec.ts): the password is stored nowhere, so it must be told.
  fs.appendFileSync(path.join(DATA_DIR, "test-device-passwords.txt"), `${password}\n`);
  const createdAt = seen.bodies.length;

  // Enabled in the console: the running console starts the relay as its supervised child.
  await expect(async () => {
    await page.goto("/relay");
    await expect(page.getByTestId("relay-listener")).toContainText("Running", { timeout: 1000 });
  }).toPass({ timeout: 60_000 });
  const t = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, requireTLS: true, auth: { user: "scanner-1", pass: password }, tls: { rejectUnauthorized: false } });
  const info = await t.sendMail({ from: "scanner@contoso.com", to: "someone@example.net", subject: "Scan from the 2nd floor", text: "scanned page" });
  expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as /);

  await page.goto("/relay");
  await expect(page.getByTestId("relay-listener")).toContainText("Running");
  await expect(page.getByTestId("relay-fingerprint")).toContainText(/SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("table", { name: "Relay queue" }).getByRole("row").filter({ hasText: "Scan from the 2nd floor" })).toContainText("delivered", { timeout: 2000 });
  }).toPass({ timeout: 60_000 });
  await expect(page.getByRole("table", { name: "Relay devices" })).toContainText("scanner-1");
  await screenshot(page, "relay");

  await page.getByRole("table", { name: "Relay queue" }).getByRole("row").filter({ hasText: "Scan from the 2nd floor" }).getByRole("link").click();
  await expect(page.getByRole("heading", { name: "Scan from the 2nd floor" })).toBeVisible();
  await expect(page.getByTestId("relay-headers")).toContainText("Subject: Scan from the 2nd floor");
  await expect(page.getByRole("region", { name: "Attempt 1" })).toContainText("log-only");
  await screenshot(page, "relay-message");
  await sweepPage(page, "relay-message");

  // Filter by state.
  await page.goto("/relay?state=failed");
  await expect(page.getByText("No message matches the filter")).toBeVisible();

  await page.goto("/relay/devices/scanner-1");
  await expect(page.getByTestId("device-guide")).toContainText("scanner-1");
  await expect(page.getByTestId("device-guide")).toContainText(String(port));
  await expect(page.getByTestId("device-ibmi-cl")).toContainText("CHGSMTPA FWDHUBSVR(");
  await expect(page.getByTestId("device-ibmi-cl")).toContainText(`QIBM_SMTP_MAILHUB_PORT) VALUE('${port}')`);
  await screenshot(page, "relay-device");
  await sweepPage(page, "relay-device");
  await page.goto("/relay");
  await sweepPage(page, "relay-running");

  // The password was shown once: no page or payload after that one carries it.
  for (const body of seen.bodies.slice(createdAt + 1)) expect(body.includes(password)).toBe(false);
});
