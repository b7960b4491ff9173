import { expect, test, type Page } from "@playwright/test";
import { startFakeEntra, type FakeEntra } from "../tests/fakes/fake-entra";
import { CLIENT, SECRET, TENANT } from "../tests/fixtures/profiles";
import { ensureSignedIn } from "./helpers";

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
