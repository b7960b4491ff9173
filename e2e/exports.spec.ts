import fs from "node:fs";
import { expect, request, test, type Download, type Page } from "@playwright/test";
import { strFromU8, unzipSync } from "fflate";
import { startFakeEntra } from "../tests/fakes/fake-entra";
import { ADMIN, collectResponses, ensureSignedIn, openDb, screenshot } from "./helpers";

/**
 * Import → doctor → export, end to end: the reference DELEGATE iMailOAuth.config (with the
 * documented $TENANT_ID mistake) goes through the Import page's Check step, is fixed in the
 * textarea, imported, previewed and downloaded without secrets (never cached), then exported with
 * secrets after the password is asked again — refused when wrong — and every export is logged.
 */
test.describe.configure({ mode: "serial" });

const PORT = Number(process.env.E2E_PORT ?? 3210);
const REFERENCE = fs.readFileSync("lib/export/__fixtures__/reference-imail-delegate.config", "utf8");
const RUN = Date.now().toString(36);
const NAME = `Exports delegate ${RUN}`;
/** The DELEGATED_PASSWORD written into the imported file: it must only appear after "include secrets". */
const PASSWORD = `Imported-Delegated-Pw-${RUN}`;
const TENANT = "0b1c2d3e-4f50-4617-8a9b-c0d1e2f3a4b5";
const CLIENT = "9e8d7c6b-5a49-4837-a261-504f3e2d1c0b";

let profileId = "";

function profileIdOf(page: Page): string {
  const m = new URL(page.url()).pathname.match(/^\/profiles\/([0-9a-f-]{36})/);
  if (!m) throw new Error(`not on a profile page: ${page.url()}`);
  return m[1];
}

test("import: Check shows the format, warnings with lines and the AADSTS900023 finding; fixed and imported", async ({ page, context }) => {
  const seen = collectResponses(context);
  await ensureSignedIn(page);
  await page.goto("/import");
  await expect(page.getByRole("heading", { level: 1, name: "Import" })).toBeVisible();
  await expect(page.getByTestId("import-empty")).toContainText("iMailOAuth.config");
  const importButton = page.getByRole("button", { name: "Import", exact: true });
  await expect(importButton).toBeDisabled();

  // The guide's example with the classic mistake: $TENANT_ID in TOKEN_URL.
  const broken = REFERENCE.replace("{TENANT_ID}", "$TENANT_ID").replace("your-password", PASSWORD);
  await page.getByLabel("File contents").fill(broken);
  await page.getByLabel("Profile name").fill(NAME);
  await page.getByRole("button", { name: "Check" }).click();

  const summary = page.getByTestId("import-summary");
  await expect(summary).toContainText("iMailOAuth.config");
  await expect(summary).toContainText("Microsoft 365 · delegated");
  await expect(summary).toContainText(NAME);
  // Parser warnings carry line numbers (the guide's wrapped comment lines).
  await expect(page.getByTestId("import-warnings")).toContainText("line 16");
  // The doctor explains the $TENANT_ID mistake, with its line and the Azure error it causes.
  const tenantFinding = page.locator('[data-rule="token-url-shell-placeholder"]');
  await expect(tenantFinding).toContainText("AADSTS900023");
  await expect(tenantFinding).toContainText("line 8");
  await expect(tenantFinding).toContainText("{TENANT_ID}");
  // Not importable: every problem names its line; the placeholders are asked for as values.
  await expect(page.getByTestId("import-status")).toContainText("Cannot import yet");
  await expect(page.getByTestId("import-issues")).toContainText("Line 6 (CLIENT_ID) is the placeholder");
  await expect(page.getByText("Values the file does not contain")).toBeVisible();
  await expect(page.locator("#set-clientId-error")).toContainText("Line 6 (CLIENT_ID) is the placeholder");
  await expect(page.locator("#set-tenantId-error")).toContainText("Line 7 (TENANT_ID) is the placeholder");
  // The guide's sender@yourdomain.com is a placeholder too: flagged once, on its own input.
  await expect(page.locator("#set-loginUser-error")).toContainText('Line 12 (DELEGATED_USER) is the placeholder "sender@yourdomain.com"');
  await expect(page.getByTestId("import-issues").getByText("sender@yourdomain.com")).toHaveCount(1);
  await expect(page.locator('[data-rule="placeholder-values"]')).toHaveCount(0);
  await expect(importButton).toBeDisabled();
  await screenshot(page, "doctor");

  // Supply what the file lacks and check again: now the token URL itself is refused, by line.
  await page.getByLabel("Client ID", { exact: true }).fill(CLIENT);
  await page.getByLabel("Tenant ID", { exact: true }).fill(TENANT);
  await page.getByLabel("Login user (DELEGATED_USER)", { exact: true }).fill("sender@contoso.com");
  await expect(page.getByTestId("import-status")).toContainText("check again");
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByTestId("import-issues")).toContainText("Line 8 (TOKEN_URL)");
  await expect(page.locator("#import-text-error")).toContainText("$TENANT_ID");
  await expect(page.locator('[data-rule="placeholder-values"]')).toHaveCount(0);
  await expect(tenantFinding).toContainText("AADSTS900023");
  await expect(importButton).toBeDisabled();

  // Fix it in the textarea, check again.
  await page.getByLabel("File contents").fill(broken.replace("$TENANT_ID", "{TENANT_ID}"));
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByTestId("import-status")).toContainText(`Ready to import as "${NAME}"`);
  await expect(page.locator('[data-rule="token-url-shell-placeholder"]')).toHaveCount(0);
  await expect(page.locator('[data-rule="placeholder-values"]')).toHaveCount(0);
  await expect(importButton).toBeEnabled();
  await screenshot(page, "import");

  await importButton.click();
  await page.waitForURL(/\/profiles\/[0-9a-f-]{36}\?created=1$/);
  await expect(page.getByRole("heading", { level: 1, name: NAME })).toBeVisible();
  profileId = profileIdOf(page);
  // The password went to the server in the form, never back: not in a Check result, the redirect or the page.
  await seen.settled();
  expect(seen.bodies.join("\n")).not.toContain(PASSWORD);

  // Exactly what was checked was saved: the typed ids won over the file's placeholders.
  const db = openDb();
  try {
    const row = db.prepare("SELECT settings FROM Profile WHERE id = ?").get(profileId) as { settings: string };
    const settings = JSON.parse(row.settings);
    expect(settings).toMatchObject({ kind: "m365-delegated", clientId: CLIENT, tenantId: TENANT, loginUser: "sender@contoso.com" });
    expect(settings.tokenUrl).toContain("{TENANT_ID}");
    const imported = db.prepare("SELECT summary FROM Activity WHERE action = 'import' AND profileId = ?").get(profileId) as { summary: string };
    expect(imported.summary).toContain("from imail-config with password");
  } finally {
    db.close();
  }
});

test("a second import under the same name is refused next to the name, and nothing is created", async ({ page }) => {
  await ensureSignedIn(page);
  await page.goto("/import");
  await page.getByLabel("File contents").fill(REFERENCE.replace(/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxxx/g, CLIENT));
  await page.getByLabel("Profile name").fill(NAME);
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.locator("#import-name-error")).toContainText(`A profile named "${NAME}" already exists`);
  await expect(page.getByRole("button", { name: "Import", exact: true })).toBeDisabled();
  const db = openDb();
  try {
    expect((db.prepare("SELECT COUNT(*) AS n FROM Profile WHERE name = ?").get(NAME) as { n: number }).n).toBe(1);
  } finally {
    db.close();
  }
});

test("the iMail APP example imports without a From address (iMail fills {FROM_ADDRESS}): marked incomplete, the send test asks for it", async ({ page }) => {
  const name = `Exports app ${RUN}`;
  await ensureSignedIn(page);
  // The guide's APP example byte for byte (wrapped TOKEN_URL and ENDPOINT, trailing blanks, CRLF), real ids and secret.
  const text = fs
    .readFileSync("lib/export/__fixtures__/reference-imail-app.config", "utf8")
    .replace("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", CLIENT)
    .replace("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", TENANT)
    .replace("your-client-secret", `App-Secret-${RUN}`)
    .replace(/\n/g, "\r\n");
  await page.goto("/import");
  await page.getByLabel("File contents").fill(text);
  await page.getByLabel("Profile name").fill(name);
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByTestId("import-status")).toContainText(`Ready to import as "${name}"`);
  await expect(page.getByTestId("import-warnings")).toContainText("Incomplete: From address (fromAddress) is not set");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.waitForURL(/\/profiles\/[0-9a-f-]{36}\?created=1$/);
  await expect(page.getByText("Incomplete", { exact: true }).first()).toBeVisible();
  const note = page.getByRole("note").filter({ hasText: "From address is not set on this profile" });
  await expect(note).toBeVisible();
  await expect(note.getByRole("link", { name: "set From address on the profile" })).toHaveAttribute("href", `/profiles/${profileIdOf(page)}/edit`);

  // The profile list's "incomplete" filter finds it.
  await page.goto(`/profiles?status=incomplete&q=${encodeURIComponent(name)}`);
  await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
});

test("export: preview and download without secrets (no-store), include secrets refused then shown, all logged", async ({ page, context }) => {
  test.skip(!profileId, "needs the imported profile");
  const seen = collectResponses(context);
  await ensureSignedIn(page);
  await page.goto(`/profiles/${profileId}`);
  const exportLink = page.getByRole("link", { name: "Export", exact: true });
  if (await exportLink.count()) await exportLink.first().click();
  else await page.goto(`/profiles/${profileId}/export`);
  await expect(page.getByRole("heading", { level: 1, name: "Export" })).toBeVisible();

  // Formats of this kind, grouped; pick iMailOAuth.config.
  const formats = page.getByRole("navigation", { name: "Export formats" });
  await expect(formats.getByRole("heading", { name: "iMail", exact: true })).toBeVisible();
  await expect(formats.getByRole("link", { name: /IBM i JSON/ })).toHaveCount(0);
  await formats.getByRole("link", { name: /QIBM_RPG_JAVA_PROPERTIES/ }).click();
  await expect(page).toHaveURL(/format=java-properties-list/);
  await formats.getByRole("link", { name: /^iMailOAuth\.config/ }).click();
  await expect(page).toHaveURL(/format=imail-config/);
  await expect(formats.getByRole("link", { name: /^iMailOAuth\.config/ })).toHaveAttribute("aria-current", "page");

  const preview = page.getByTestId("export-preview");
  await expect(preview).toContainText("DELEGATED_USER");
  await expect(preview).toContainText("<DELEGATED_PASSWORD>");
  await expect(preview).toContainText(CLIENT);
  await expect(page.getByTestId("export-filename")).toHaveText("iMailOAuth.config");
  await expect(preview).not.toContainText(PASSWORD);
  await screenshot(page, "export");

  // Download without secrets: a plain link to the route, saved as the file iMail reads.
  const downloadLink = page.getByRole("link", { name: "Download", exact: true });
  const href = await downloadLink.getAttribute("href");
  expect(href).toBe(`/profiles/${profileId}/export/imail-config`);
  const [download] = await Promise.all([page.waitForEvent("download"), downloadLink.click()]);
  expect(download.suggestedFilename()).toBe("iMailOAuth.config");
  const file = fs.readFileSync((await download.path())!, "utf8");
  expect(file).toMatch(/^CLIENT_ID\s+= 9e8d7c6b-5a49-4837-a261-504f3e2d1c0b$/m);
  expect(file).toMatch(/^TENANT_ID\s+= 0b1c2d3e-4f50-4617-8a9b-c0d1e2f3a4b5$/m);
  expect(file).toMatch(/^TOKEN_URL\s+= https:\/\/login\.microsoftonline\.com\/\{TENANT_ID\}\/oauth2\/v2\.0\/token$/m);
  expect(file).toMatch(/^DELEGATED_USER\s+= sender@contoso\.com$/m);
  expect(file).toMatch(/^DELEGATED_PASSWORD\s+= <DELEGATED_PASSWORD>$/m);
  expect(file).not.toContain(PASSWORD);

  // The same URL: never cached, an attachment, the right type.
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  expect(res.headers()["cache-control"]).toBe("no-store");
  expect(res.headers()["content-disposition"]).toContain('attachment; filename="iMailOAuth.config"');
  expect(res.headers()["content-type"]).toBe("text/plain; charset=utf-8");
  // Without a valid session: 401 in plain text, not a redirect into the login page.
  const anonymous = await request.newContext({ baseURL: `http://127.0.0.1:${PORT}`, extraHTTPHeaders: { cookie: "omc_session=forged-session-token" } });
  const refused = await anonymous.get(href!, { maxRedirects: 0 });
  expect(refused.status()).toBe(401);
  expect(refused.headers()["content-type"]).toContain("text/plain");
  expect(await refused.text()).not.toContain("DELEGATED_USER");
  await anonymous.dispose();

  // Nothing the browser received so far holds the password.
  await seen.settled();
  expect(seen.bodies.join("\n")).not.toContain(PASSWORD);

  // Include secrets: the wrong password is refused, nothing is shown.
  const password = page.getByLabel("Your password");
  await password.fill("not-the-admin-password");
  await page.getByRole("button", { name: "Show with secrets" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Refused: secrets were not exported." })).toBeVisible();
  await expect(page.locator("#export-password-error")).toContainText("not your password");
  await expect(page.getByTestId("secret-export-content")).toHaveCount(0);
  await expect(password).toHaveValue("not-the-admin-password");
  await seen.settled();
  expect(seen.bodies.join("\n")).not.toContain(PASSWORD);

  // The right password: the real values, the token note, and a download from memory.
  await password.fill(ADMIN.password);
  await page.getByRole("button", { name: "Show with secrets" }).click();
  const withSecrets = page.getByTestId("secret-export-content");
  await expect(withSecrets).toContainText(new RegExp(`DELEGATED_PASSWORD\\s+= ${PASSWORD}`));
  await expect(page.getByTestId("token-note")).toContainText("No access token included");
  await expect(password).toHaveValue("");

  await password.fill(ADMIN.password);
  const [secretDownload] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download with secrets" }).click()]);
  expect(secretDownload.url()).toMatch(/^blob:/);
  expect(secretDownload.suggestedFilename()).toBe("iMailOAuth.config");
  const secretFile = fs.readFileSync((await secretDownload.path())!, "utf8");
  expect(secretFile).toMatch(new RegExp(`^DELEGATED_PASSWORD\\s+= ${PASSWORD}$`, "m"));

  await page.getByRole("button", { name: "Hide secrets" }).click();
  await expect(page.getByTestId("secret-export-content")).toHaveCount(0);

  // Every export is in the activity log: both downloads (browser and request), the refusal, both
  // exports with secrets. Previews are not exports and are not logged.
  await page.goto(`/logs?profile=${profileId}&action=export`);
  await expect(page.getByText(`Exported "${NAME}" as iMailOAuth.config (iMailOAuth.config) without secrets (placeholders)`)).toHaveCount(2);
  await expect(page.getByText(`Exported "${NAME}" as iMailOAuth.config (iMailOAuth.config) WITH secrets`)).toHaveCount(2);
  await expect(page.getByText(`Refused to export "${NAME}" as iMailOAuth.config with secrets: password not confirmed`)).toBeVisible();
  const db = openDb();
  try {
    const rows = db.prepare("SELECT summary FROM Activity WHERE action = 'export' AND profileId = ?").all(profileId) as { summary: string }[];
    expect(rows.map((r) => r.summary).join("\n")).not.toContain(PASSWORD);
  } finally {
    db.close();
  }
});

test("export all: the list's selection as one ZIP, placeholders first, then with secrets after the password", async ({ page }) => {
  test.skip(!profileId, "needs the imported profile");
  await ensureSignedIn(page);
  await page.goto(`/profiles?q=${encodeURIComponent(NAME)}`);
  await page.getByRole("link", { name: "Export these" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Export all profiles" })).toBeVisible();
  await expect(page.getByText(`1 profile matching “${NAME}”`)).toBeVisible();
  const format = page.getByLabel("Format");
  await expect(format.locator("option", { hasText: "iMailOAuth.config — 1 profile" })).toHaveCount(1);
  await format.selectOption("imail-config");
  await screenshot(page, "export-all");

  const entry = `${NAME}/iMailOAuth.config`;
  const read = async (d: Download) => unzipSync(new Uint8Array(fs.readFileSync((await d.path())!)));
  const [plain] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download ZIP" }).click()]);
  expect(plain.suggestedFilename()).toMatch(/^imail-config-1-profiles-\d{4}-\d{2}-\d{2}\.zip$/);
  const plainFiles = await read(plain);
  expect(Object.keys(plainFiles)).toEqual([entry]);
  expect(strFromU8(plainFiles[entry])).toMatch(/^DELEGATED_PASSWORD\s+= <DELEGATED_PASSWORD>\r?$/m);
  expect(strFromU8(plainFiles[entry])).not.toContain(PASSWORD);
  await expect(page.getByRole("status").filter({ hasText: "Exported 1 of 1 profile(s) as iMailOAuth.config." })).toBeVisible();

  await page.getByLabel("Include secrets").check();
  const password = page.getByLabel("Your password");
  await password.fill("not-the-admin-password");
  await page.getByRole("button", { name: "Download ZIP with secrets" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Refused: nothing was exported." })).toBeVisible();
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await password.fill(ADMIN.password);
  const [secret] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download ZIP with secrets" }).click()]);
  expect(secret.suggestedFilename()).toMatch(/-with-secrets\.zip$/);
  expect(strFromU8((await read(secret))[entry])).toContain(`DELEGATED_PASSWORD  = ${PASSWORD}`);
  await expect(password).toHaveValue("");

  await page.goto("/logs?action=export");
  await expect(page.getByText(/Bulk export batch 1: 1 of 1 profile\(s\) .* as iMailOAuth\.config WITH secrets/).first()).toBeVisible();
  await expect(page.getByText("Refused to export 1 profile(s) as iMailOAuth.config with secrets: password not confirmed").first()).toBeVisible();
});

test("iMail export with secrets carries the cached token and its expiry in the IBM i's format", async ({ page }) => {
  const name = `Exports token ${RUN}`;
  const userPassword = `Token-Delegated-Pw-${RUN}`;
  const idp = await startFakeEntra({ tenants: [TENANT], clients: [{ clientId: CLIENT, publicClient: true }], users: [{ username: "sender@contoso.com", password: userPassword }] });
  try {
    await ensureSignedIn(page);
    // The reference example, pointed at the fake Entra ID, imported as is.
    const text = REFERENCE.replace("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxxx", CLIENT)
      .replace("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxxx", TENANT)
      .replace("https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token", `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`)
      .replace("sender@yourdomain.com", "sender@contoso.com")
      .replace("your-password", userPassword);
    await page.goto("/import");
    await page.getByLabel("File contents").fill(text);
    await page.getByLabel("Profile name").fill(name);
    await page.getByRole("button", { name: "Check" }).click();
    await expect(page.getByTestId("import-status")).toContainText("Ready to import");
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.waitForURL(/\/profiles\/[0-9a-f-]{36}\?created=1$/);
    const id = profileIdOf(page);

    // Before a token is cached the export says so.
    await page.goto(`/profiles/${id}/export?format=imail-config`);
    await page.getByLabel("Your password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Show with secrets" }).click();
    await expect(page.getByTestId("token-note")).toContainText("No access token included");
    await expect(page.getByTestId("secret-export-content")).not.toContainText("DELEGATED_TOKEN");

    // A token is acquired on the profile page (ROPC against the fake), then exported with its expiry.
    await page.goto(`/profiles/${id}`);
    await page.getByRole("button", { name: "Get token now" }).click();
    const acquiredNote = page.getByTestId("acquire-result");
    await expect(acquiredNote).toContainText(/Expires \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    const expiresUtc = (await acquiredNote.innerText()).match(/Expires (\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2}) UTC/)!;

    // With a token cached, a wrong password still reveals nothing.
    await page.goto(`/profiles/${id}/export?format=imail-config`);
    await page.getByLabel("Your password").fill("not-the-admin-password");
    await page.getByRole("button", { name: "Show with secrets" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Refused: secrets were not exported." })).toBeVisible();
    await expect(page.getByTestId("secret-export-content")).toHaveCount(0);

    await page.getByLabel("Your password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Show with secrets" }).click();
    await expect(page.getByTestId("token-note")).toContainText("The cached access token is included");
    const content = page.getByTestId("secret-export-content");
    await expect(content).toContainText(/DELEGATED_TOKEN\s+= eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
    // yyyy-MM-dd-HH.mm.ss in the profile's IBM i time zone (UTC by default).
    const [, day, hh, mm, ss] = expiresUtc;
    await expect(content).toContainText(new RegExp(`DELEGATED_EXPIRY_TIME\\s+= ${day}-${hh}\\.${mm}\\.${ss}`));

    // The token left the console: logged as a reveal next to the export.
    const db = openDb();
    try {
      const actions = (db.prepare("SELECT action, outcome FROM Activity WHERE profileId = ? ORDER BY at").all(id) as { action: string; outcome: string }[]).map((r) => `${r.action}:${r.outcome}`);
      expect(actions).toContain("token.reveal:info");
      expect(actions.filter((a) => a === "export:success")).toHaveLength(2);
      // The refusal is logged once, and the token was not revealed for it.
      expect(actions.filter((a) => a === "export:failure")).toHaveLength(1);
      expect(actions).not.toContain("token.reveal:failure");
    } finally {
      db.close();
    }
  } finally {
    await idp.close();
  }
});
