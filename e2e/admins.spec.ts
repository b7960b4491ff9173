import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from "@playwright/test";
import { FIXTURE_SECRETS } from "../tests/fixtures/profiles";
import { ADMIN, BASE_URL, DATA_DIR, ensureSignedIn, openDb, screenshot } from "./helpers";

/**
 * Settings → Admins (issue 16.4), in Chromium. The specs share one server and the main e2e admin:
 * every account this file locks, disables, resets, signs out or deletes is one it created itself;
 * the main admin only acts (and re-enters its password once wrongly, which its next right
 * password clears).
 */

test.describe.configure({ mode: "serial" });

const RUN = Date.now().toString(36);
const A = { username: `adm-a-${RUN}`, password: "Adm-A-Password-2026!" };
const B = { username: `adm-b-${RUN}`, password: "Adm-B-Password-2026!" };
const A_NEW = "Adm-A-Reset-Password-2026!";
const FAKE_IP = "198.51.100.23";

let main: Page;
const contexts: BrowserContext[] = [];

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext();
  contexts.push(context);
  main = await context.newPage();
  await ensureSignedIn(main);
});
test.afterAll(async () => {
  for (const c of contexts) await c.close();
});

async function signInAs(browser: Browser, creds: { username: string; password: string }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ userAgent: `adm-e2e-browser-${contexts.length}` });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Username").fill(creds.username);
  await page.getByLabel("Password").fill(creds.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  return { context, page };
}

/** A sign-in that must be refused, with the message the login form shows. */
async function expectSignInRefused(browser: Browser, creds: { username: string; password: string }, message: string | RegExp): Promise<void> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Username").fill(creds.username);
  await page.getByLabel("Password").fill(creds.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText(message).first()).toBeVisible();
  await context.close();
}

/** The page of another browser after its session ended: the next navigation lands on /login with the "Session expired" banner. */
async function expectSessionEnded(page: Page): Promise<void> {
  await page.goto("/profiles");
  await page.waitForURL((u) => u.pathname === "/login");
  await expect(page.getByRole("status").filter({ hasText: "Session expired" })).toBeVisible();
}

/** A DateTime as Prisma's SQLite adapter stores it (ISO text with +00:00). */
function prismaDate(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+00:00");
}

async function sessionRef(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === "omc_session")!;
  return createHash("sha256").update(cookie.value).digest("hex").slice(0, 12);
}

function card(username: string): Locator {
  return main.getByRole("listitem", { name: `Admin ${username}`, exact: true });
}

async function openAdmins(): Promise<void> {
  await main.goto("/settings/admins");
  await expect(main.getByRole("heading", { name: "Admins", level: 1 })).toBeVisible();
}

async function addAdmin(creds: { username: string; password: string }): Promise<void> {
  await openAdmins();
  await main.locator("#admin-username").fill(creds.username);
  await main.getByLabel("Initial password").fill(creds.password);
  await main.getByRole("button", { name: "Add admin" }).click();
  await expect(main.getByText(`Admin "${creds.username}" created.`)).toBeVisible();
  await expect(card(creds.username)).toBeVisible();
}

test("reachable from the nav; lists admins with created, last sign-in and lock state; keyboard and axe", async ({ browser }) => {
  await main.goto("/settings");
  await main.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admins" }).click();
  await expect(main.getByRole("heading", { name: "Admins", level: 1 })).toBeVisible();
  await expect(main.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admins" })).toHaveAttribute("aria-current", "page");
  await expect(main.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" })).not.toHaveAttribute("aria-current", "page");

  await addAdmin(A);
  await addAdmin(B);
  await expect(card(A.username).getByTestId("last-sign-in")).toHaveText("never");
  await signInAs(browser, A);
  await openAdmins();
  await expect(card(A.username).getByTestId("last-sign-in")).toContainText("from 127.0.0.1");
  await expect(card(A.username).getByTestId("lock-state")).toHaveText("not locked (0 recent failures)");
  await expect(card(A.username)).toContainText("Created");
  // The signed-in admin's own card: marked, and no disable/delete/reset on it.
  const me = card(ADMIN.username);
  await expect(me.getByText("you", { exact: true })).toBeVisible();
  await expect(me).toContainText("This is you");
  await expect(me.getByRole("button", { name: "Disable" })).toHaveCount(0);
  await expect(me.getByText("Delete…")).toHaveCount(0);

  // Keyboard: open "Reset password…" of A with Enter; the focused control shows a ring.
  const summary = card(A.username).getByText("Reset password…");
  await summary.focus();
  const ring = await summary.evaluate((el) => {
    const s = getComputedStyle(el);
    return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || (s.boxShadow !== "none" && s.boxShadow !== "");
  });
  expect(ring, "visible focus on the Reset password disclosure").toBe(true);
  await main.keyboard.press("Enter");
  await expect(card(A.username).getByLabel("New password", { exact: true })).toBeVisible();
  await main.keyboard.press("Enter");
  const result = await new AxeBuilder({ page: main }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  expect(result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes[0]?.target}`)).toEqual([]);
});

test("a user locked by failed sign-ins shows the lock and failure count; Unlock lifts it", async ({ browser }) => {
  for (let i = 0; i < 5; i++) await expectSignInRefused(browser, { username: A.username, password: `wrong-${i}-password` }, "Wrong username or password.");
  await expectSignInRefused(browser, A, "Too many failed sign-ins.");
  await openAdmins();
  await expect(card(A.username).getByTestId("lock-state")).toContainText(/locked until .* \(5 failures\)/);
  await card(A.username).getByRole("button", { name: "Unlock" }).click();
  await expect(card(A.username).getByTestId("lock-state")).toHaveText("not locked (0 recent failures)");
  await signInAs(browser, A);
});

test("a client address lock is listed and Unlock address lifts it", async () => {
  // A lock of a documentation address (never 127.0.0.1: every spec signs in from there).
  const db = new Database(path.join(DATA_DIR, "console.db"), { fileMustExist: true, timeout: 10_000 });
  try {
    db.prepare("INSERT OR REPLACE INTO LoginThrottle (key, failures, windowStart, lockedUntil) VALUES (?, ?, ?, ?)").run(`ip:${FAKE_IP}`, 50, prismaDate(Date.now()), prismaDate(Date.now() + 15 * 60_000));
  } finally {
    db.close();
  }
  await openAdmins();
  const row = main.getByRole("listitem", { name: `Address ${FAKE_IP}` });
  await expect(row).toContainText("locked until");
  await expect(row).toContainText("50 failures");
  await row.getByRole("button", { name: "Unlock address" }).click();
  await expect(row).toHaveCount(0);
  const check = openDb();
  try {
    expect(check.prepare("SELECT COUNT(*) AS n FROM LoginThrottle WHERE key = ?").get(`ip:${FAKE_IP}`)).toEqual({ n: 0 });
  } finally {
    check.close();
  }
});

test("disable ends A's sessions (its browser sees 'Session expired') and refuses sign-in; enable lets A back in", async ({ browser }) => {
  const a = await signInAs(browser, A);
  await openAdmins();
  await card(A.username).getByRole("button", { name: "Disable" }).click();
  await expect(card(A.username).getByText("disabled", { exact: true })).toBeVisible();
  await expectSessionEnded(a.page);
  await expectSignInRefused(browser, A, "This admin account is disabled.");
  await card(A.username).getByRole("button", { name: "Enable" }).click();
  await expect(card(A.username).getByText("active", { exact: true })).toBeVisible();
  await signInAs(browser, A);
});

test("sessions list: own and A's sessions with address and user agent; end one session, then sign A out everywhere", async ({ browser }) => {
  const one = await signInAs(browser, A);
  const two = await signInAs(browser, A);
  const refOne = await sessionRef(one.context);
  const refTwo = await sessionRef(two.context);
  await openAdmins();
  const mine = main.getByRole("listitem", { name: `Session ${await sessionRef(main.context())} of ${ADMIN.username}` });
  await expect(mine.getByText("this session")).toBeVisible();
  const sTwo = main.getByRole("listitem", { name: `Session ${refTwo} of ${A.username}` });
  await expect(sTwo).toContainText("from 127.0.0.1");
  await expect(sTwo).toContainText(/adm-e2e-browser-\d+/);
  await expect(sTwo).toContainText(/since .* · last seen /);
  await sTwo.getByRole("button", { name: "End session" }).click();
  await expect(sTwo).toHaveCount(0);
  await expectSessionEnded(two.page);
  await one.page.goto("/profiles");
  await expect(one.page).toHaveURL(/\/profiles$/);

  await openAdmins();
  // Grouped per admin, yours first.
  await expect(main.getByRole("region", { name: /^Sessions of / }).first()).toHaveAccessibleName(`Sessions of ${ADMIN.username}`);
  const group = main.getByRole("region", { name: `Sessions of ${A.username}` });
  await expect(group.getByRole("listitem", { name: `Session ${refOne} of ${A.username}` })).toBeVisible();
  await expect(card(A.username).getByRole("button", { name: "Sign out everywhere" })).toBeVisible();
  await group.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(group).toHaveCount(0);
  await expect(main.getByRole("listitem", { name: new RegExp(`of ${A.username}$`) })).toHaveCount(0);
  await expectSessionEnded(one.page);
  // The main admin is still signed in.
  await main.goto("/settings/admins");
  await expect(main).toHaveURL(/\/settings\/admins$/);
});

test("reset password of A needs the main admin's password; A's sessions end; the new password works, the old does not", async ({ browser }) => {
  const a = await signInAs(browser, A);
  await openAdmins();
  await card(A.username).getByText("Reset password…").click();
  const c = main.getByRole("form", { name: `Reset password of ${A.username}` });
  await c.getByLabel("New password", { exact: true }).fill(A_NEW);
  await c.getByLabel("Repeat new password").fill(A_NEW);
  await c.getByLabel("Your password").fill("not-my-password");
  await c.getByRole("button", { name: `Reset password of ${A.username}` }).click();
  await expect(c.getByText("That is not your password. Nothing was changed.").first()).toBeVisible();
  await c.getByLabel("Your password").fill(ADMIN.password);
  await c.getByRole("button", { name: `Reset password of ${A.username}` }).click();
  await expect(main.getByText(`Password of "${A.username}" reset; their sessions ended.`, { exact: false })).toBeVisible();
  await expectSessionEnded(a.page);
  await expectSignInRefused(browser, A, "Wrong username or password.");
  await signInAs(browser, { username: A.username, password: A_NEW });
  await openAdmins();
  await expect(card(ADMIN.username).getByTestId("lock-state")).toHaveText("not locked (0 recent failures)");
});

test("delete B after re-entering the password; B cannot sign in", async ({ browser }) => {
  await signInAs(browser, B);
  await openAdmins();
  await card(B.username).getByText("Delete…").click();
  const c = main.getByRole("form", { name: `Delete admin ${B.username}` });
  await c.getByLabel("Your password").fill(ADMIN.password);
  await c.getByRole("button", { name: `Delete ${B.username}` }).click();
  await expect(card(B.username)).toHaveCount(0);
  await expectSignInRefused(browser, B, "Wrong username or password.");
});

test("logs: the actor column and the actor filter (URL and form)", async () => {
  await main.goto(`/logs?actor=${encodeURIComponent(ADMIN.username)}&action=admin`);
  const list = main.getByRole("list", { name: "Activity" });
  await expect(list.getByText(`Deleted admin "${B.username}"`)).toBeVisible();
  await expect(list.getByText(`Reset password of "${A.username}"; all sessions ended`)).toBeVisible();
  const actors = await list.getByTestId("activity-actor").allInnerTexts();
  expect(actors.length).toBeGreaterThan(3);
  expect(new Set(actors.map((t) => t.replace(/^by\s+/, "").trim()))).toEqual(new Set([ADMIN.username]));

  await main.goto("/logs");
  await main.getByLabel("Actor").selectOption(A.username);
  await main.getByRole("button", { name: "Filter" }).click();
  await main.waitForURL((u) => u.searchParams.get("actor") === A.username);
  await expect(list.getByText("Signed in from 127.0.0.1").first()).toBeVisible();
  const aActors = await list.getByTestId("activity-actor").allInnerTexts();
  expect(new Set(aActors.map((t) => t.replace(/^by\s+/, "").trim()))).toEqual(new Set([A.username]));
  await screenshot(main, "logs-actor-filter-1440");
});

test("backup download needs the password again; the file is a SQLite database with the console's tables and no plaintext secret", async () => {
  await main.goto("/settings");
  const form = main.getByRole("form", { name: "Download backup" });
  await form.getByLabel("Your password").fill("not-my-password");
  await form.getByRole("button", { name: "Download backup" }).click();
  await expect(form.getByText("That is not your password. Nothing was changed.").first()).toBeVisible();

  await form.getByLabel("Your password").fill(ADMIN.password);
  const [download] = await Promise.all([main.waitForEvent("download"), form.getByRole("button", { name: "Download backup" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^console-\d{4}-\d{2}-\d{2}T[\d-]+Z\.db$/);
  const file = path.join(test.info().outputDir, "backup.db");
  await download.saveAs(file);
  await expect(form.getByText(/Backup downloaded as console-/)).toBeVisible();
  const bytes = fs.readFileSync(file);
  expect(bytes.subarray(0, 16).toString("latin1")).toBe("SQLite format 3\0");
  for (const secret of [...FIXTURE_SECRETS, ADMIN.password, A.password, A_NEW, B.password]) expect(bytes.includes(Buffer.from(secret)), `plaintext secret in the backup: ${secret.slice(0, 6)}…`).toBe(false);
  const copy = new Database(file, { readonly: true });
  try {
    const tables = (copy.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(["Profile", "Admin", "Activity", "TokenCacheEntry", "Setting", "Session", "_prisma_migrations"]));
    const secrets = copy.prepare("SELECT secrets FROM Profile WHERE secrets IS NOT NULL").all() as { secrets: string }[];
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) expect(s.secrets).toMatch(/^v1\./);
  } finally {
    copy.close();
  }
  // Logged with the actor; refused attempt too.
  const db = openDb();
  try {
    const rows = db.prepare("SELECT outcome, actor FROM Activity WHERE action = 'backup' ORDER BY at DESC LIMIT 2").all() as { outcome: string; actor: string }[];
    expect(rows).toEqual([{ outcome: "success", actor: ADMIN.username }, { outcome: "failure", actor: ADMIN.username }]);
  } finally {
    db.close();
  }
  // Signed in but posted from another origin (a cross-site form): refused before anything runs.
  const res = await main.request.post(`${BASE_URL}/settings/backup`, { form: { current: ADMIN.password }, headers: { Origin: "https://evil.example" } });
  expect(res.status()).toBe(403);
});
