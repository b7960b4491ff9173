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
