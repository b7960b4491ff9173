import { expect, test, type Page } from "@playwright/test";
import { startFakeEntra, type FakeEntra } from "../tests/fakes/fake-entra";
import { startWebhookReceiver, type WebhookReceiver } from "../tests/fakes/webhook-receiver";
import { CLIENT, SECRET, TENANT } from "../tests/fixtures/profiles";
import { collectResponses, ensureSignedIn, openDb, screenshot } from "./helpers";

/**
 * Monitoring in the browser: a profile whose client secret is wrong, its token check run from
 * the Monitoring page, an alert channel added with a signing secret generated in the browser,
 * the failing alert and a test alert arriving signed at a webhook receiver, the alert history,
 * the profile's monitoring section (token interval limits), and the dashboard sections.
 */
test.describe.configure({ mode: "serial" });

const PROFILE = "Monitor payroll";
let idp: FakeEntra;
let hook: WebhookReceiver;
let secret = "";
const bodies: string[] = [];

test.beforeAll(async () => {
  idp = await startFakeEntra({ tenants: [TENANT], clients: [{ clientId: CLIENT, secret: [SECRET.graphClientSecret] }] });
});
test.afterAll(async () => {
  await idp?.close();
  await hook?.close();
});

async function createGraphProfile(page: Page, name: string, clientSecret: string): Promise<string> {
  await page.goto("/profiles/new?kind=m365-app-graph");
  await page.getByLabel("Profile name").fill(name);
  await page.getByLabel("Tenant ID").fill(TENANT);
  await page.getByLabel("Client ID").fill(CLIENT);
  await page.getByLabel("Token URL").fill(`${idp.url}/{TENANT_ID}/oauth2/v2.0/token`);
  await page.getByLabel("From address").fill("noreply@contoso.com");
  await page.getByLabel("Client secret").fill(clientSecret);
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  return new URL(page.url()).pathname;
}

test("add a signed webhook channel, run a failing check, the alert arrives signed; test alert; history", async ({ page, context }) => {
  const store = collectResponses(context);
  await ensureSignedIn(page);
  await createGraphProfile(page, PROFILE, "Wrong~client~secret~e2e~0001");

  await page.goto("/monitoring");
  await expect(page.getByRole("heading", { name: "Monitoring", level: 1 })).toBeVisible();
  // The e2e server is `next start` like npm start: instrumentation.ts started the scheduler.
  await expect(page.getByText("(scheduler running)")).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill("ops webhook");
  await page.getByRole("button", { name: "Generate" }).click();
  secret = await page.getByLabel("Signing secret").inputValue();
  expect(secret).toMatch(/^[0-9a-f]{64}$/);
  hook = await startWebhookReceiver({ signingSecret: secret });
  await page.getByLabel("Webhook URL").fill(hook.url);
  await page.getByRole("button", { name: "Add channel" }).click();
  await expect(page.getByRole("status").filter({ hasText: 'Alert channel "ops webhook" added' })).toBeVisible();
  const list = page.getByTestId("channel-list");
  await expect(list).toContainText("generic webhook at 127.0.0.1");

  const row = page.getByTestId("check-table").getByRole("row").filter({ hasText: PROFILE }).filter({ hasText: "Token health" });
  await row.getByRole("button", { name: "Run now" }).click();
  await expect(row.getByRole("alert")).toContainText("FAILING", { timeout: 30_000 });
  await expect.poll(() => hook.received.length).toBe(1);
  expect(hook.received[0].signatureValid).toBe(true);
  expect(hook.received[0].json).toMatchObject({ event: "failing", profile: PROFILE, check: "token", status: "failing" });

  await list.getByRole("button", { name: "Send a test alert" }).click();
  await expect(list.getByRole("status")).toContainText('Test alert delivered to "ops webhook"');
  await expect.poll(() => hook.received.length).toBe(2);
  expect(hook.received[1].json).toMatchObject({ event: "test" });

  await page.goto("/monitoring/alerts");
  const history = page.getByTestId("alert-history");
  await expect(history.getByRole("listitem").filter({ hasText: "Turned failing" }).first()).toContainText(PROFILE);
  await expect(history).toContainText("ops webhook: delivered");
  await screenshot(page, "monitoring-alerts");
  bodies.push(...store.bodies);
});

test("profile page: the monitoring section validates the token interval and the canary, and saves", async ({ page }) => {
  await ensureSignedIn(page);
  await page.goto("/profiles");
  await page.getByRole("link", { name: PROFILE }).first().click();
  const section = page.locator("section", { has: page.getByRole("heading", { name: "Monitoring" }) });
  await expect(section.getByTestId("check-table")).toContainText("Token health");
  await section.getByLabel("Token check every (hours)").fill("0.1");
  await section.getByRole("button", { name: "Save monitoring" }).click();
  await expect(section.getByText("Token check interval must be at least 0.25 hours")).toBeVisible();
  await section.getByLabel("Token check every (hours)").fill("12");
  await section.getByLabel("Send a canary message on a schedule and confirm it arrives").check();
  await section.getByRole("button", { name: "Save monitoring" }).click();
  await expect(section.getByText("Canary recipient must be an email address")).toBeVisible();
  await section.getByLabel("Send a canary message on a schedule and confirm it arrives").uncheck();
  await section.getByRole("button", { name: "Save monitoring" }).click();
  await expect(section.getByRole("status")).toContainText("Monitoring settings saved.");
  const db = openDb();
  try {
    const row = db.prepare("SELECT c.intervalMinutes FROM \"Check\" c JOIN Profile p ON p.id = c.profileId WHERE p.name = ? AND c.type = 'token'").get(PROFILE) as { intervalMinutes: number };
    expect(row.intervalMinutes).toBe(720);
  } finally {
    db.close();
  }
});

test("dashboard: traffic light, failing channel, expiry calendar, canary chart, Exchange Online timeline", async ({ page }) => {
  await ensureSignedIn(page);
  hook.setMode("500");
  await page.goto("/monitoring");
  await page.getByTestId("channel-list").getByRole("button", { name: "Send a test alert" }).click();
  await expect(page.getByTestId("channel-list").getByRole("alert")).toContainText("answered 500");
  await page.goto("/");
  const lights = page.getByTestId("traffic-lights");
  await expect(lights.getByRole("listitem").filter({ hasText: PROFILE }).getByRole("img", { name: "a check is failing" })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: 'Alert channel "ops webhook" is failing' })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Expiry calendar" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Canary delivery latency" })).toBeVisible();
  await expect(page.getByTestId("exchange-timeline")).toContainText("Second half of 2027");
  await expect(page.getByTestId("basic-auth-count")).toContainText("still on Basic authentication");
  await screenshot(page, "dashboard-monitoring");
  hook.setMode("ok");
});

test("no webhook URL or signing secret reached the browser", async () => {
  expect(bodies.length).toBeGreaterThan(5);
  for (const b of bodies) {
    expect(b).not.toContain(secret);
    expect(b).not.toContain(hook.url);
  }
});
