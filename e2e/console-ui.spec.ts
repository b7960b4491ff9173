import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type Page } from "@playwright/test";
import { startFakeEntra, type FakeEntra } from "../tests/fakes/fake-entra";
import { CLIENT, SECRET, TENANT } from "../tests/fixtures/profiles";
import { ADMIN, DATA_DIR, ensureSignedIn, expectNoSeriousA11yViolations, openDb, screenshot, sweepPage } from "./helpers";

/**
 * The console's shell and pages as an admin uses them (issue 11 points 12–15, issue 16):
 * hydration without errors, the dashboard layout, narrow screens, the session end, keyboard.
 */
test.describe.configure({ mode: "serial" });
test.use({ ignoreHTTPSErrors: true });

let idp: FakeEntra;
let tokenProfileUrl = "";

test.beforeAll(async () => {
  idp = await startFakeEntra({ tenants: [TENANT], clients: [{ clientId: CLIENT, secret: [SECRET.graphClientSecret] }], users: [] });
});
test.afterAll(async () => {
  await idp?.close();
});

/** Console errors and uncaught page errors (a hydration mismatch is reported as both in production: "Minified React error #418"). */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

test("11.14 a profile page with a cached token hydrates without errors", async ({ page }) => {
  await ensureSignedIn(page);
  await page.goto("/profiles/new?kind=m365-app-graph");
  await page.getByLabel("Profile name").fill("UI cached token");
  await page.getByLabel("Tenant ID").fill(TENANT);
  await page.getByLabel("Client ID").fill(CLIENT);
  await page.getByLabel("Token URL").fill(`${idp.url}/{TENANT_ID}/oauth2/v2.0/token`);
  await page.getByLabel("Client secret").fill(SECRET.graphClientSecret);
  await page.getByLabel("From address (mailbox)").fill("noreply@contoso.com");
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("heading", { name: "UI cached token" })).toBeVisible();
  tokenProfileUrl = new URL(page.url()).pathname;
  await page.getByRole("button", { name: "Get token now" }).click();
  await expect(page.getByTestId("token-source")).toHaveText("new");

  // A fresh load (server render + hydration) of the page with the cached token, several times:
  // the seconds of the countdown change between the server's render and the browser's clock.
  for (let i = 0; i < 3; i++) {
    const errors = collectErrors(page);
    await page.goto(tokenProfileUrl);
    await expect(page.getByTestId("token-countdown").first()).toBeVisible();
    // Hydration is over when the countdown ticks (the browser clock drives it from then on).
    const first = await page.getByTestId("token-countdown").first().getAttribute("data-seconds");
    await expect(page.getByTestId("token-countdown").first()).not.toHaveAttribute("data-seconds", first ?? "");
    await page.waitForLoadState("networkidle");
    expect(errors, errors.join("\n")).toEqual([]);
    page.removeAllListeners("console");
    page.removeAllListeners("pageerror");
  }
  // The token cache page shows the same countdown.
  const errors = collectErrors(page);
  await page.goto("/tokens");
  await expect(page.getByTestId("token-countdown").first()).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(errors, errors.join("\n")).toEqual([]);
});

type Box = { x: number; y: number; width: number; height: number };
function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
}

const LONG_NAME = "Payroll.notifications.Chicago-distribution-centre.night-shift.01";

test("11.12 dashboard: failures do not collapse the panels, long names do not overlap the mailbox, tiles open filtered lists", async ({ page }) => {
  await ensureSignedIn(page);
  // A profile whose token request fails (wrong secret): a failure in the log and status "failing".
  await page.goto("/profiles/new?kind=m365-app-graph");
  await page.getByLabel("Profile name").fill(LONG_NAME);
  await page.getByLabel("Tenant ID").fill(TENANT);
  await page.getByLabel("Client ID").fill(CLIENT);
  await page.getByLabel("Token URL").fill(`${idp.url}/{TENANT_ID}/oauth2/v2.0/token`);
  await page.getByLabel("Client secret").fill("Wrong~Secret~For~The~Dashboard~Test");
  await page.getByLabel("From address (mailbox)").fill("payroll.notifications.chicago.night-shift@contoso-distribution-centres.example.com");
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("heading", { name: LONG_NAME })).toBeVisible();
  await page.getByRole("button", { name: "Get token now" }).click();
  await expect(page.getByText(/AADSTS7000215/).first()).toBeVisible();

  for (const width of [1024, 1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto("/");
    const profiles = page.locator("section", { has: page.getByRole("heading", { name: "Profiles", exact: true }) });
    const failures = page.locator("section", { has: page.getByRole("heading", { name: "Recent failures" }) });
    await expect(failures.getByText(/AADSTS7000215|client secret/i).first()).toBeVisible();
    const pb = (await profiles.boundingBox())!;
    const fb = (await failures.boundingBox())!;
    expect(fb.width, `failures panel at ${width}px`).toBeGreaterThan(300);
    expect(overlaps(pb, fb), `panels overlap at ${width}px`).toBe(false);
    // Nothing inside a panel sticks out of it.
    const sticking = await failures.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
    expect(sticking, `failures panel content overflows at ${width}px`).toBe(false);
    // The long name and its mailbox do not overlap.
    const row = page.getByTestId("dashboard-profiles").locator("li", { hasText: LONG_NAME });
    const nb = (await row.getByTestId("dashboard-profile-name").boundingBox())!;
    const ab = (await row.getByTestId("dashboard-profile-account").boundingBox())!;
    expect(overlaps(nb, ab), `name overlaps mailbox at ${width}px`).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  }
  // Failures first on the dashboard.
  await expect(page.getByTestId("dashboard-profile-name").first()).toHaveText(LONG_NAME);

  // The tile opens the profile list filtered to the failing profiles.
  await page.getByRole("link", { name: /Failing or need re-authorization/ }).click();
  await expect(page).toHaveURL(/\/profiles\?status=problems$/);
  await expect(page.getByLabel("Status")).toHaveValue("problems");
  const rows = page.getByRole("table").getByRole("row");
  await expect(rows.filter({ hasText: LONG_NAME })).toHaveCount(1);
  await expect(rows.filter({ hasText: "UI cached token" })).toHaveCount(0);
  await page.goto("/");
  await page.getByRole("link", { name: /^Working/ }).click();
  await expect(page).toHaveURL(/\/profiles\?status=ok$/);
  await expect(page.getByRole("table").getByRole("row").filter({ hasText: "UI cached token" })).toHaveCount(1);
  await expect(page.getByRole("table").getByRole("row").filter({ hasText: LONG_NAME })).toHaveCount(0);

  // The list: failures first by default, name order on request.
  await page.goto("/profiles");
  await expect(page.getByLabel("Sort")).toHaveValue("status");
  await expect(page.getByRole("table").getByRole("row").nth(1)).toContainText(LONG_NAME);
  await page.getByLabel("Sort").selectOption("name");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/sort=name/);
  const names = await page.getByRole("table").getByRole("row").locator("td:first-child a").allTextContents();
  expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
});

/** Every page of the console, signed in (the profile pages are those of the profile made above). */
function fromDb<T>(sql: string, ...params: string[]): T | undefined {
  const db = openDb();
  try {
    return db.prepare(sql).get(...params) as T | undefined;
  } finally {
    db.close();
  }
}
const profileId = () => fromDb<{ id: string }>("SELECT id FROM Profile WHERE name = ?", "UI cached token")?.id ?? "missing";
const PAGES: { name: string; url: () => string }[] = [
  { name: "dashboard", url: () => "/" },
  { name: "profiles", url: () => "/profiles" },
  { name: "profile-new", url: () => "/profiles/new" },
  { name: "profile-new-form", url: () => "/profiles/new?kind=m365-app-smtp" },
  { name: "profile", url: () => `/profiles/${profileId()}` },
  { name: "profile-edit", url: () => `/profiles/${profileId()}/edit` },
  { name: "profile-export", url: () => `/profiles/${profileId()}/export` },
  { name: "profiles-export", url: () => "/profiles/export" },
  { name: "tokens", url: () => "/tokens" },
  { name: "logs", url: () => "/logs" },
  { name: "transcript", url: () => `/logs/${fromDb<{ id: string }>("SELECT id FROM Activity WHERE detail IS NOT NULL ORDER BY at DESC LIMIT 1")?.id ?? ""}` },
  { name: "import", url: () => "/import" },
  { name: "settings", url: () => "/settings" },
  { name: "admins", url: () => "/settings/admins" },
  { name: "monitoring", url: () => "/monitoring" },
  { name: "monitoring-alerts", url: () => "/monitoring/alerts" },
  { name: "relay", url: () => "/relay" },
  // The relay's message and device pages are swept in relay.spec.ts (where they have a device
  // and a message), the setup page in foundation.spec.ts (it exists only before the first admin).
];
test.describe("every page", () => {
  // Independent tests: one page failing does not hide the others.
  test.describe.configure({ mode: "default" });
  for (const p of PAGES) {
    test(`${p.name} at 1440 and 390 px: no sideways scrolling at 390 px, axe clean; screenshots`, async ({ page }) => {
      await ensureSignedIn(page);
      await page.goto(p.url());
      await expect(page.locator("main h1").first()).toBeVisible();
      await sweepPage(page, p.name);
    });
  }
});

test("the sign-in page at 1440 and 390 px, signed out: no sideways scrolling, axe clean; screenshots", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await sweepPage(page, "login");
});

test("16.6 the menu button on narrow screens", async ({ page }) => {
  await ensureSignedIn(page);
  // The menu: closed at first, opened by its button (keyboard too), links reachable, closed after following one.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/");
  const menu = page.getByRole("button", { name: "Menu" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Settings" })).toBeVisible();
  await screenshot(page, "menu-open-390");
  await expectNoSeriousA11yViolations(page, "open menu at 390 px");
  await nav.getByRole("link", { name: "Token cache" }).click();
  await expect(page.getByRole("heading", { name: "Token cache", level: 1 })).toBeVisible();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  // At 1440 px the sidebar shows the links and there is no menu button.
  await page.setViewportSize({ width: 1440, height: 900 });
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Logs" })).toBeVisible();
  await expect(menu).toBeHidden();
});

test("16.6 theme toggle: light, dark and system, kept across reloads", async ({ page }) => {
  await ensureSignedIn(page);
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/");
  const html = page.locator("html");
  const bodyBg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const toggle = page.getByRole("button", { name: /^Theme: / });
  // Cycle to "dark" whatever the starting choice.
  for (let i = 0; i < 3; i++) {
    const before = await html.getAttribute("data-theme");
    if (before === "dark") break;
    await toggle.click();
    await expect(html).not.toHaveAttribute("data-theme", before ?? "");
  }
  await expect(html).toHaveAttribute("data-theme", "dark");
  const dark = await bodyBg();
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", "dark");
  expect(await bodyBg()).toBe(dark);
  await expect(page.getByRole("button", { name: "Theme: Dark. Switch to System" })).toBeVisible();
  await page.getByRole("button", { name: "Theme: Dark. Switch to System" }).click();
  await expect(html).toHaveAttribute("data-theme", "system");
  const systemLight = await bodyBg();
  expect(systemLight).not.toBe(dark);
  await page.emulateMedia({ colorScheme: "dark" });
  await expect.poll(bodyBg).toBe(dark);
  await page.getByRole("button", { name: "Theme: System. Switch to Light" }).click();
  await expect(html).toHaveAttribute("data-theme", "light");
  await expect.poll(bodyBg).toBe(systemLight);
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", "light");
  await expect.poll(bodyBg).toBe(systemLight);
  await page.getByRole("button", { name: "Theme: Light. Switch to Dark" }).click();
  await page.getByRole("button", { name: "Theme: Dark. Switch to System" }).click();
  await page.emulateMedia({ colorScheme: "light" });
});

/** Ends the admin's sessions the way the idle timeout does: last seen three hours ago. */
function ageSessions(): void {
  const db = new Database(path.join(DATA_DIR, "console.db"));
  try {
    db.prepare("UPDATE Session SET lastSeenAt = ? WHERE adminId = (SELECT id FROM Admin WHERE username = ?)").run(new Date(Date.now() - 3 * 3600_000).toISOString().replace("Z", "+00:00"), ADMIN.username);
  } finally {
    db.close();
  }
}

test("11.13 a form submitted after the idle timeout: 'session expired', back to the page after sign-in, fields restored except the secret", async ({ page }) => {
  await ensureSignedIn(page);
  const SECRET_TYPED = "Typed~Secret~Never~Stored~0c4f";
  await page.goto("/profiles/new?kind=m365-app-graph");
  await page.getByLabel("Profile name").fill("UI draft survives");
  await page.getByLabel("Description").fill("typed before the session ended");
  await page.getByLabel("Tenant ID").fill(TENANT);
  await page.getByLabel("Client ID").fill(CLIENT);
  await page.getByLabel("Client secret").fill(SECRET_TYPED);
  await page.getByLabel("From address (mailbox)").fill("draft@contoso.com");
  ageSessions();
  await page.getByRole("button", { name: "Create profile" }).click();

  await page.waitForURL((u) => u.pathname === "/login");
  const url = new URL(page.url());
  expect(url.searchParams.get("reason")).toBe("expired");
  expect(url.searchParams.get("next")).toBe("/profiles/new?kind=m365-app-graph");
  await expect(page.getByRole("status").filter({ hasText: "Session expired" })).toBeVisible();
  // What the browser kept: the non-secret fields, never the secret.
  const stored = await page.evaluate(() => JSON.stringify(Object.entries(sessionStorage)));
  expect(stored).toContain("UI draft survives");
  expect(stored).not.toContain(SECRET_TYPED);

  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname === "/profiles/new" && u.searchParams.get("kind") === "m365-app-graph");
  await expect(page.getByRole("status").filter({ hasText: "what you typed is back" })).toContainText("Client secret");
  await expect(page.getByLabel("Profile name")).toHaveValue("UI draft survives");
  await expect(page.getByLabel("Description")).toHaveValue("typed before the session ended");
  await expect(page.getByLabel("Tenant ID")).toHaveValue(TENANT);
  await expect(page.getByLabel("From address (mailbox)")).toHaveValue("draft@contoso.com");
  await expect(page.getByLabel("Client secret")).toHaveValue("");
  expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith("omc-draft:")))).toEqual([]);
  await page.getByLabel("Client secret").fill(SECRET_TYPED);
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("heading", { name: "UI draft survives" })).toBeVisible();
  // A later visit to the form starts empty: the draft was used once.
  await page.goto("/profiles/new?kind=m365-app-graph");
  await expect(page.getByLabel("Profile name")).toHaveValue("");
});

test("16.6 a page opened after the idle timeout: /login says so and returns to it; Sign out says 'signed out'", async ({ page }) => {
  await ensureSignedIn(page);
  ageSessions();
  await page.goto("/logs?outcome=failure");
  await page.waitForURL((u) => u.pathname === "/login");
  expect(new URL(page.url()).searchParams.get("next")).toBe("/logs?outcome=failure");
  await expect(page.getByText("Session expired")).toBeVisible();
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname === "/logs" && u.search === "?outcome=failure");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((u) => u.pathname === "/login");
  await expect(page.getByRole("status").filter({ hasText: "Signed out" })).toBeVisible();
  await screenshot(page, "login-signed-out-1280");
  await expectNoSeriousA11yViolations(page, "login page");
  await expect(page.getByText("Session expired")).toHaveCount(0);
});

test("16.6 a warning before the idle timeout; 'Stay signed in' renews the session", async ({ page }) => {
  await page.clock.install();
  await ensureSignedIn(page);
  await page.goto("/profiles");
  await expect(page.getByRole("heading", { name: "Mail profiles" })).toBeVisible();
  const warning = page.getByTestId("idle-warning");
  await expect(warning).toHaveCount(0);
  // The e2e server runs with the default idle timeout (120 min): the warning shows 5 min before the end.
  await page.clock.fastForward("01:50:00");
  await expect(warning).toHaveCount(0);
  await page.clock.fastForward("00:06:00");
  await expect(warning).toContainText(/signed out in \d:\d\d because of inactivity/);
  await screenshot(page, "idle-warning-390");
  await warning.getByRole("button", { name: "Stay signed in" }).click();
  await expect(warning).toHaveCount(0);
  await page.clock.fastForward("02:00:00");
  await expect(warning).toContainText("Session ended");
  await expect(warning.getByRole("link", { name: "Sign in again" })).toHaveAttribute("href", "/login?reason=expired&next=%2Fprofiles");
});

test("16.1 profile page: sticky section nav with deep links, Send test and the doctor's verdict in the header", async ({ page }) => {
  await ensureSignedIn(page);
  const url = `/profiles/${profileId()}`;
  await page.goto(url);
  const sections = page.getByRole("navigation", { name: "Profile sections" });
  for (const label of ["Overview", "Test", "Token", "Doctor", "Setup", "Exports", "Activity"]) await expect(sections.getByRole("link", { name: label, exact: true })).toBeVisible();
  await expect(page.getByTestId("doctor-verdict")).toHaveText(/^Doctor: (healthy|\d+ to fix|\d+ to review)$/);

  // A section link scrolls its section under the sticky nav, which stays visible.
  await sections.getByRole("link", { name: "Setup", exact: true }).click();
  await expect(page).toHaveURL(/#setup-guide$/);
  const heading = page.getByRole("heading", { name: "Guided setup" });
  await expect(heading).toBeInViewport();
  const navBox = (await sections.boundingBox())!;
  expect(navBox.y).toBeGreaterThanOrEqual(-1);
  expect((await heading.boundingBox())!.y).toBeGreaterThanOrEqual(navBox.y + navBox.height - 1);
  await expect(sections).toBeInViewport();

  // Deep link from another page.
  await page.goto(`${url}#activity`);
  await expect(page.getByRole("heading", { name: "Recent activity" })).toBeInViewport();
  // The header's Send test goes to the send form; the verdict badge to the doctor.
  await page.goto(url);
  await page.getByRole("link", { name: "Send test", exact: true }).click();
  await expect(page.getByRole("form", { name: "Test message" })).toBeInViewport();
  await page.getByTestId("doctor-verdict").click();
  await expect(page.getByRole("heading", { name: "Doctor", level: 2 })).toBeInViewport();
  await expect(sections.getByRole("link", { name: "Exports" })).toHaveAttribute("href", `${url}/export`);
});

test("16.7 keyboard: the skip link comes first and every focusable control shows a visible focus ring", async ({ page }) => {
  await ensureSignedIn(page);
  for (const url of ["/", `/profiles/${profileId()}`, "/profiles", "/settings", "/settings/admins"]) {
    await page.goto(url);
    await expect(page.locator("main h1").first()).toBeVisible();
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeInViewport();
    const seen: string[] = [];
    for (let i = 0; i < 45; i++) {
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const s = getComputedStyle(el);
        const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || (s.boxShadow !== "none" && s.boxShadow !== "");
        return { what: `${el.tagName.toLowerCase()} "${(el.getAttribute("aria-label") ?? el.textContent ?? "").trim().slice(0, 40)}"`, ring };
      });
      if (!focus) break;
      expect(focus.ring, `${url}: no visible focus on ${focus.what}`).toBe(true);
      seen.push(focus.what);
    }
    expect(seen.length, `${url}: focus moved through the page`).toBeGreaterThan(5);
  }
  // The Menu button and the theme toggle work from the keyboard (Enter / Space).
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/");
  await page.getByRole("button", { name: "Menu" }).focus();
  await page.keyboard.press("Space");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
});

test("16.3 the profile form flags the doctor's findings on the fields while typing, before saving", async ({ page }) => {
  await ensureSignedIn(page);
  await page.goto("/profiles/new?kind=m365-delegated");
  const hint = (id: string) => page.getByTestId(`hint-f-${id}`);
  await page.getByLabel("Profile name").fill("UI live validation");
  await page.getByLabel("Tenant ID").fill("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
  await expect(hint("tenantId")).toContainText("placeholder");
  await page.getByLabel("Token URL").fill("https://login.microsoftonline.com/$TENANT_ID/oauth2/v2.0/token");
  await expect(hint("tokenUrl")).toContainText("$TENANT_ID");
  await page.getByLabel("Client secret (CLIENT_SECRET)").fill("7c0a6a1e-1d2b-4c3d-8e9f-0a1b2c3d4e5f");
  await expect(hint("clientSecret")).toContainText("Secret ID");
  await page.getByLabel("Scope (DELEGATED_SCOPE)").fill("https://graph.microsoft.com/.default");
  await expect(hint("scope")).toContainText("outlook.office365.com");
  await page.getByLabel("SMTP port").fill("465");
  await page.getByLabel("Security").first().selectOption("starttls");
  await expect(hint("smtpSecurity")).toContainText("465 is implicit TLS");
  // The hint is announced with the field.
  await expect(page.getByLabel("Client secret (CLIENT_SECRET)")).toHaveAttribute("aria-describedby", /f-clientSecret-hint/);
  await screenshot(page, "profile-form-live-validation-1440");
  // Correcting a value clears its hint; nothing was saved.
  await page.getByLabel("SMTP port").fill("587");
  await expect(hint("smtpSecurity")).toHaveCount(0);
  await page.getByLabel("Token URL").fill("https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token");
  await expect(hint("tokenUrl")).toHaveCount(0);
  expect(fromDb("SELECT id FROM Profile WHERE name = ?", "UI live validation")).toBeUndefined();

  // A domain that does not match the mailbox (Google: the impersonated user outside the Workspace domain).
  await page.goto("/profiles/new?kind=google-service-account");
  await page.getByLabel("Workspace domain").fill("example.org");
  await page.getByLabel("User to impersonate").fill("sender@other.org");
  await expect(hint("impersonateUser")).toContainText("not in example.org");
  await page.getByLabel("User to impersonate").fill("sender@example.org");
  await expect(hint("impersonateUser")).toHaveCount(0);
});

test("16.5 a transcript names its profile, time and outcome; copy and download give the same text", async ({ page, context }) => {
  await ensureSignedIn(page);
  const row = fromDb<{ id: string; action: string; outcome: string; name: string | null }>(
    "SELECT a.id, a.action, a.outcome, p.name FROM Activity a LEFT JOIN Profile p ON p.id = a.profileId WHERE a.detail IS NOT NULL AND a.profileId IS NOT NULL ORDER BY a.at DESC LIMIT 1",
  );
  test.skip(!row, "no transcript with a profile in this run");
  await page.goto(`/logs/${row!.id}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Transcript: ${row!.action} · ${row!.name}`);
  const facts = page.getByTestId("transcript-facts");
  await expect(facts).toContainText(row!.outcome);
  await expect(facts).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
  await expect(facts.getByRole("link", { name: row!.name! })).toBeVisible();
  const text = await page.getByTestId("transcript").textContent();
  expect(text?.length).toBeGreaterThan(0);

  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByRole("button", { name: "Copy transcript" }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(text);

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download .txt" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^transcript-[A-Za-z0-9._-]+-\d{8}-\d{6}\.txt$/);
  const file = await download.path();
  expect(fs.readFileSync(file, "utf8")).toBe(text);
});
