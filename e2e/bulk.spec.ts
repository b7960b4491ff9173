import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { strFromU8, unzipSync } from "fflate";
import { expect, test, type Page } from "@playwright/test";
import { startFakeEntra, type FakeEntra } from "../tests/fakes/fake-entra";
import { CLIENT, SECRET, TENANT } from "../tests/fixtures/profiles";
import { DATA_DIR, ensureSignedIn, expectNoSeriousA11yViolations, openDb, screenshot } from "./helpers";

/**
 * Issue 16.2, bulk work in the profile list: select profiles (one by one, the whole page, by
 * keyboard, on a phone's card list), test their tokens with live progress per profile and a
 * summary, export them as one ZIP, delete them after typing the count.
 */
test.describe.configure({ mode: "serial" });

const RUN = Date.now().toString(36);
const PREFIX = `Bulk ${RUN}`;
const GOOD = `${PREFIX} good`;
const WRONG = `${PREFIX} wrong secret`;
const LOG = `${PREFIX} log only`;
const listUrl = `/profiles?q=${encodeURIComponent(PREFIX)}`;

let idp: FakeEntra;

test.beforeAll(async () => {
  idp = await startFakeEntra({ tenants: [TENANT], clients: [{ clientId: CLIENT, secret: [SECRET.graphClientSecret] }], users: [] });
});
test.afterAll(async () => {
  await idp?.close();
});

async function createGraphProfile(page: Page, name: string, secret: string): Promise<void> {
  await page.goto("/profiles/new?kind=m365-app-graph");
  await page.getByLabel("Profile name").fill(name);
  await page.getByLabel("Tenant ID").fill(TENANT);
  await page.getByLabel("Client ID").fill(CLIENT);
  await page.getByLabel("Token URL").fill(`${idp.url}/{TENANT_ID}/oauth2/v2.0/token`);
  await page.getByLabel("Client secret").fill(secret);
  await page.getByLabel("From address (mailbox)").fill("noreply@contoso.com");
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
}

function profileIdByName(name: string): string | undefined {
  const db = openDb();
  try {
    return (db.prepare("SELECT id FROM Profile WHERE name = ?").get(name) as { id: string } | undefined)?.id;
  } finally {
    db.close();
  }
}

/** The focused element shows a focus indicator (an outline or a ring). */
async function expectVisibleFocus(page: Page): Promise<void> {
  const style = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return null;
    const s = getComputedStyle(el);
    return { outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0, shadow: s.boxShadow !== "none", tag: el.tagName };
  });
  expect(style, "an element has focus").not.toBeNull();
  expect(style!.outline || style!.shadow, `focus on ${style!.tag} is visible`).toBe(true);
}

async function noSidewaysScroll(page: Page): Promise<void> {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(scroll, "no sideways scrolling").toBeLessThanOrEqual(0);
}

test("16.2 bulk test: select by keyboard, live progress per profile, summary with decoded reasons and links", async ({ page }) => {
  await ensureSignedIn(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await createGraphProfile(page, GOOD, SECRET.graphClientSecret);
  await createGraphProfile(page, WRONG, "Wrong~Secret~For~The~Bulk~Test~01");
  await page.goto("/profiles/new?kind=log-only");
  await page.getByLabel("Profile name").fill(LOG);
  await page.getByLabel("From address").fill("flows@example.com");
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("heading", { name: LOG, level: 1 })).toBeVisible();

  await page.goto(listUrl);
  const toolbar = page.getByRole("region", { name: "Bulk actions" });
  await expect(page.getByRole("checkbox", { name: /^Select Bulk / })).toHaveCount(3);
  await expect(toolbar.getByRole("button", { name: "Test tokens" })).toBeDisabled();

  // Keyboard only: the page checkbox with Space, Tab along to "Test tokens", Enter.
  const pageBox = toolbar.getByRole("checkbox", { name: "Select all 3 on this page" });
  await pageBox.focus();
  await page.keyboard.press("Space");
  await expectVisibleFocus(page);
  await expect(page.getByTestId("bulk-count")).toHaveText("3 selected");
  for (const name of [GOOD, WRONG, LOG]) await expect(page.getByRole("checkbox", { name: `Select ${name}` })).toBeChecked();
  const testButton = toolbar.getByRole("button", { name: "Test tokens" });
  for (let i = 0; i < 6 && !(await testButton.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(testButton).toBeFocused();
  await expectVisibleFocus(page);

  // The IdP holds its answers: the profile without OAuth is done at once, the other two wait —
  // the list shows each profile as it finishes, not all at the end.
  const before = idp.count();
  const release = idp.holdResponses();
  try {
    await page.keyboard.press("Enter");
    const panel = page.getByTestId("bulk-panel");
    await expect(panel.getByRole("heading", { name: "Test tokens: 3 profiles" })).toBeFocused();
    await expect(panel.getByText("No mail is sent to anyone.", { exact: false })).toBeVisible();
    const progress = panel.getByRole("list", { name: "Progress per profile" });
    await expect(progress.getByRole("listitem")).toHaveCount(1);
    await expect(progress.getByRole("listitem").first()).toContainText(LOG);
    await expect(progress.getByRole("listitem").first()).toContainText("Skipped");
    await expect(panel.getByTestId("bulk-done-count")).toHaveText("1 of 3");
    await expect.poll(() => idp.count() - before).toBe(2);
    await screenshot(page, "profiles-bulk-progress-1440");
    await expectNoSeriousA11yViolations(page, "bulk test in progress");
  } finally {
    release();
  }
  const panel = page.getByTestId("bulk-panel");
  const summary = panel.getByTestId("bulk-summary");
  await expect(panel.getByRole("status").filter({ hasText: "Test tokens finished: 1 ok, 1 failed, 1 skipped (of 3)" })).toBeVisible();
  await expect(panel.getByRole("list", { name: "Progress per profile" }).getByRole("listitem")).toHaveCount(3);
  await expect(summary).toContainText("AADSTS7000215");
  await expect(summary).toContainText("What to do:");
  await expect(summary.getByRole("link", { name: WRONG })).toHaveAttribute("href", `/profiles/${profileIdByName(WRONG)}`);
  await screenshot(page, "profiles-bulk-summary-1440");
  await expectNoSeriousA11yViolations(page, "bulk test summary");

  // The statuses in the list follow; the run is in the activity log.
  await expect(page.getByRole("row", { name: new RegExp(WRONG) })).toContainText("Failing");
  const db = openDb();
  try {
    const row = db.prepare("SELECT summary FROM Activity WHERE action = 'profile.bulk-test' ORDER BY at DESC LIMIT 1").get() as { summary: string };
    expect(row.summary).toContain("1 ok, 1 failed, 1 skipped (of 3)");
  } finally {
    db.close();
  }
  // Close returns focus to the button that opened the panel.
  await panel.getByRole("button", { name: "Close" }).click();
  await expect(testButton).toBeFocused();
});

test("16.2 bulk export: the ticked profiles as one ZIP, entries checked, skipped kinds counted", async ({ page }) => {
  await ensureSignedIn(page);
  await page.goto(listUrl);
  await page.getByRole("checkbox", { name: `Select ${GOOD}` }).check();
  await page.getByRole("checkbox", { name: `Select ${WRONG}` }).check();
  await page.getByRole("checkbox", { name: `Select ${LOG}` }).check();
  await expect(page.getByTestId("bulk-count")).toHaveText("3 selected");
  await page.getByRole("region", { name: "Bulk actions" }).getByRole("button", { name: "Export…" }).click();
  const panel = page.getByTestId("bulk-panel");
  const format = panel.getByLabel("Format");
  await expect(format.locator("option", { hasText: "iMailOAuth.config — 2 profiles" })).toHaveCount(1);
  await format.selectOption("imail-config");
  await screenshot(page, "profiles-bulk-export-1440");
  await expectNoSeriousA11yViolations(page, "bulk export form");
  const [download] = await Promise.all([page.waitForEvent("download"), panel.getByRole("button", { name: "Download ZIP" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^imail-config-2-profiles-\d{4}-\d{2}-\d{2}\.zip$/);
  const files = unzipSync(new Uint8Array(fs.readFileSync((await download.path())!)));
  expect(Object.keys(files).sort()).toEqual([`${GOOD}/iMailOAuth.config`, `${WRONG}/iMailOAuth.config`]);
  const good = strFromU8(files[`${GOOD}/iMailOAuth.config`]);
  expect(good).toContain(CLIENT);
  expect(good).not.toContain(SECRET.graphClientSecret);
  await expect(panel.getByTestId("bulk-export-summary")).toHaveText("2 exported, 0 failed, 1 skipped (the format is not available for their kind).");
});

test("16.2 bulk work on a phone: card list selection, no sideways scrolling, summary", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await ensureSignedIn(page);
  await page.context().addCookies([{ name: "omc_theme", value: "dark", url: new URL(page.url()).origin }]);
  await page.goto(listUrl);
  await page.getByRole("checkbox", { name: `Select ${GOOD}` }).check();
  await page.getByRole("checkbox", { name: `Select ${LOG}` }).check();
  await expect(page.getByTestId("bulk-count")).toHaveText("2 selected");
  await noSidewaysScroll(page);
  await page.getByRole("region", { name: "Bulk actions" }).getByRole("button", { name: "Refresh tokens" }).click();
  const panel = page.getByTestId("bulk-panel");
  await expect(panel.getByRole("status").filter({ hasText: "Refresh tokens finished: 1 ok, 0 failed, 1 skipped (of 2)" })).toBeVisible();
  await noSidewaysScroll(page);
  await screenshot(page, "profiles-bulk-summary-390");
  await expectNoSeriousA11yViolations(page, "bulk refresh summary at 390 px");
  await panel.getByRole("button", { name: "Close" }).click();

  // The export form and the delete dialog fit the phone too.
  await page.getByRole("region", { name: "Bulk actions" }).getByRole("button", { name: "Export…" }).click();
  await expect(panel.getByLabel("Format")).toBeVisible();
  await noSidewaysScroll(page);
  await screenshot(page, "profiles-bulk-export-390");
  await expectNoSeriousA11yViolations(page, "bulk export at 390 px");
  await panel.getByRole("button", { name: "Close" }).click();
  await page.getByRole("region", { name: "Bulk actions" }).getByRole("button", { name: "Delete…" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete 2 profiles?" });
  await expect(dialog.getByLabel("Type 2 to confirm")).toBeVisible();
  await noSidewaysScroll(page);
  await screenshot(page, "profiles-bulk-delete-dialog-390");
  await expectNoSeriousA11yViolations(page, "bulk delete dialog at 390 px");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
});

test("16.2 bulk delete: the dialog names the count, typing it is required, the list follows", async ({ page }) => {
  await ensureSignedIn(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(listUrl);
  const toolbar = page.getByRole("region", { name: "Bulk actions" });
  await toolbar.getByRole("checkbox", { name: "Select all 3 on this page" }).check();
  await toolbar.getByRole("button", { name: "Delete…" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete 3 profiles?" });
  await expect(dialog).toBeVisible();
  for (const name of [GOOD, WRONG, LOG]) await expect(dialog.getByRole("listitem").filter({ hasText: name })).toHaveCount(1);
  const confirm = dialog.getByRole("button", { name: "Delete 3 profiles" });
  await expect(confirm).toBeDisabled();
  const typed = dialog.getByLabel("Type 3 to confirm");
  await typed.fill("2");
  await expect(confirm).toBeDisabled();
  await screenshot(page, "profiles-bulk-delete-dialog-1440");
  await expectNoSeriousA11yViolations(page, "bulk delete dialog");
  // Escape cancels: nothing is deleted.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  expect(profileIdByName(GOOD)).toBeTruthy();

  await toolbar.getByRole("button", { name: "Delete…" }).click();
  await dialog.getByLabel("Type 3 to confirm").fill("3");
  await dialog.getByRole("button", { name: "Delete 3 profiles" }).click();
  const panel = page.getByTestId("bulk-panel");
  await expect(panel.getByRole("status").filter({ hasText: "Delete finished: 3 ok, 0 failed, 0 skipped (of 3)" })).toBeVisible();
  await expect(page.getByText("No profile matches")).toBeVisible();
  await screenshot(page, "profiles-bulk-deleted-1440");
  for (const name of [GOOD, WRONG, LOG]) expect(profileIdByName(name)).toBeUndefined();
  const db = openDb();
  try {
    const row = db.prepare("SELECT summary FROM Activity WHERE action = 'profile.bulk-delete' ORDER BY at DESC LIMIT 1").get() as { summary: string };
    expect(row.summary).toBe("Delete, 3 selected profile(s): 3 ok, 0 failed, 0 skipped (of 3)");
  } finally {
    db.close();
  }
});

test("16.2 all matching the filter: beyond the page, test and delete by the filter", async ({ page }) => {
  test.setTimeout(180_000);
  await ensureSignedIn(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  const many = `${PREFIX} many`;
  await page.goto("/profiles/new?kind=log-only");
  await page.getByLabel("Profile name").fill(`${many} 00`);
  await page.getByLabel("From address").fill("flows@example.com");
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("heading", { name: `${many} 00`, level: 1 })).toBeVisible();
  // 51 more like it, cloned in the database (the form would take minutes): a list of 52, two pages.
  const db = new Database(path.join(DATA_DIR, "console.db"));
  try {
    db.pragma("busy_timeout = 10000");
    const clone = db.prepare(
      `INSERT INTO Profile (id, name, nameKey, kind, description, account, settings, secrets, secretNames, status, statusDetail, statusCheck, version, createdAt, updatedAt, updatedBy)
       SELECT ?, ?, lower(?), kind, description, account, json_set(settings, '$.name', ?), secrets, secretNames, status, statusDetail, statusCheck, version, createdAt, updatedAt, updatedBy FROM Profile WHERE name = ?`,
    );
    db.transaction(() => {
      for (let i = 1; i <= 51; i++) {
        const name = `${many} ${String(i).padStart(2, "0")}`;
        clone.run(randomUUID(), name, name, name, `${many} 00`);
      }
    })();
  } finally {
    db.close();
  }

  await page.goto(`/profiles?q=${encodeURIComponent(many)}`);
  const toolbar = page.getByRole("region", { name: "Bulk actions" });
  await toolbar.getByRole("checkbox", { name: "Select all 50 on this page" }).check();
  await expect(page.getByTestId("bulk-count")).toHaveText("50 selected");
  await toolbar.getByRole("button", { name: "Select all 52 matching the filter" }).click();
  await expect(page.getByTestId("bulk-count")).toHaveText("All 52 matching selected");

  await toolbar.getByRole("button", { name: "Test tokens" }).click();
  const panel = page.getByTestId("bulk-panel");
  await expect(panel.getByRole("status").filter({ hasText: "Test tokens finished: 0 ok, 0 failed, 52 skipped (of 52)" })).toBeVisible();
  await expect(panel.getByRole("list", { name: "Progress per profile" }).getByRole("listitem")).toHaveCount(52);
  await panel.getByRole("button", { name: "Close" }).click();

  await toolbar.getByRole("button", { name: "Delete…" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete 52 profiles?" });
  await expect(dialog.getByText("All 52 profiles matching the list's search, kind and status.")).toBeVisible();
  await dialog.getByLabel("Type 52 to confirm").fill("52");
  await dialog.getByRole("button", { name: "Delete 52 profiles" }).click();
  await expect(panel.getByRole("status").filter({ hasText: "Delete finished: 52 ok, 0 failed, 0 skipped (of 52)" })).toBeVisible();
  await expect(page.getByText("No profile matches")).toBeVisible();
  const check = openDb();
  try {
    expect((check.prepare("SELECT count(*) AS n FROM Profile WHERE name LIKE ?").get(`${many}%`) as { n: number }).n).toBe(0);
    const row = check.prepare("SELECT summary FROM Activity WHERE action = 'profile.bulk-delete' ORDER BY at DESC LIMIT 1").get() as { summary: string };
    expect(row.summary).toBe(`Delete, all profiles matching search “${many}”: 52 ok, 0 failed, 0 skipped (of 52)`);
  } finally {
    check.close();
  }
});
