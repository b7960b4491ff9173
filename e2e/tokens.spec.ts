import { expect, test, type Locator, type Page } from "@playwright/test";
import { startFakeEntra, type FakeEntra } from "../tests/fakes/fake-entra";
import { verifyTestAccessToken } from "../tests/fakes/idp-keys";
import { CLIENT, SECRET, TENANT } from "../tests/fixtures/profiles";
import { ADMIN, collectResponses, ensureSignedIn, rawDbBytes, screenshot } from "./helpers";

/**
 * The token UI end to end: a client-credentials profile and an authorization-code profile get
 * tokens from a fake Entra ID (real HTTPS on 127.0.0.1, started here) through the profile's token
 * panel and the Token cache page; the authorize flow runs through the fake's consent page in the
 * browser. No access or refresh token may reach the browser before an explicit reveal, nor the
 * database file in clear.
 */
test.describe.configure({ mode: "serial" });
// The fake IdP's certificate comes from the test CA, which the browser does not know (the console does, via NODE_EXTRA_CA_CERTS).
test.use({ ignoreHTTPSErrors: true });

const PORT = Number(process.env.E2E_PORT ?? 3210);
const CALLBACK = `http://127.0.0.1:${PORT}/api/oauth/callback`;
const APP_PROFILE = "Tokens app graph";
const CODE_PROFILE = "Tokens listener";
const MAILBOX = "listener@contoso.com";
/** A JWT (header.payload.signature): what every access token of the fake looks like. */
const JWT = /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/;
/** The fake's refresh tokens all start like this. */
const REFRESH = "fake-rt-";

let idp: FakeEntra;
let appProfileUrl = "";
let codeProfileUrl = "";
/** Every response body the console sent to the browser before the reveal test. */
const bodies: string[] = [];

test.beforeAll(async () => {
  idp = await startFakeEntra({
    tenants: [TENANT],
    clients: [{ clientId: CLIENT, secret: [SECRET.graphClientSecret, SECRET.authCodeClientSecret], redirectUris: [CALLBACK] }],
    users: [{ username: MAILBOX, password: "not-used-by-the-code-flow-1" }],
  });
});

test.afterAll(async () => {
  await idp?.close();
});

const tokenUrl = () => `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`;

function panelOf(page: Page): Locator {
  return page.locator("section", { has: page.locator("#token-panel") });
}

async function secondsLeft(scope: Locator): Promise<number> {
  return Number(await scope.getByTestId("token-countdown").first().getAttribute("data-seconds"));
}

async function createProfile(page: Page, kind: string, name: string, fill: () => Promise<void>): Promise<string> {
  await page.goto(`/profiles/new?kind=${kind}`);
  await page.getByLabel("Profile name").fill(name);
  await page.getByLabel("Tenant ID").fill(TENANT);
  await page.getByLabel("Client ID").fill(CLIENT);
  await page.getByLabel("Token URL").fill(tokenUrl());
  await fill();
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  return new URL(page.url()).pathname;
}

test("client credentials: Get token now shows claims and a live countdown; the cache answers the second click; Clear", async ({ page, context }) => {
  const seen = collectResponses(context);
  await ensureSignedIn(page);

  await page.getByRole("link", { name: "Token cache" }).click();
  await expect(page.getByRole("heading", { name: "Token cache" })).toBeVisible();
  if (await page.getByText("No cached tokens").isVisible()) {
    await expect(page.getByText("open a profile and press Get token now")).toBeVisible();
    await screenshot(page, "tokens-empty");
  }

  appProfileUrl = await createProfile(page, "m365-app-graph", APP_PROFILE, async () => {
    await page.getByLabel("Client secret").fill(SECRET.graphClientSecret);
    await page.getByLabel("From address (mailbox)").fill("noreply@contoso.com");
  });
  const panel = panelOf(page);
  await expect(panel.getByTestId("token-none")).toBeVisible();

  // First click: a new token from the IdP, with its claims and a countdown.
  const before = idp.tokenRequests().length;
  await panel.getByRole("button", { name: "Get token now" }).click();
  await expect(panel.getByTestId("token-source")).toHaveText("new");
  await expect(panel.getByText(/New token from the identity provider, valid for 60 min/)).toBeVisible();
  expect(idp.tokenRequests().length).toBe(before + 1);
  expect(idp.tokenRequests().at(-1)?.grantType).toBe("client_credentials");
  const claims = panel.getByTestId("token-claims");
  await expect(claims.locator('[data-claim="aud"]')).toHaveText("https://graph.microsoft.com");
  await expect(claims.locator('[data-claim="tid"]')).toHaveText(TENANT);
  await expect(claims.locator('[data-claim="appid"]')).toHaveText(CLIENT);
  await expect(claims.locator('[data-claim="roles"]')).toHaveText("Mail.Send");
  await expect(panel.getByTestId("token-state")).toHaveText("Valid");
  await expect(panel.getByText("client credentials", { exact: true })).toBeVisible();

  // The countdown runs in the browser, without the network.
  const first = await secondsLeft(panel);
  expect(first).toBeGreaterThan(3500);
  expect(first).toBeLessThanOrEqual(3600);
  await expect(panel.getByTestId("token-countdown")).toHaveText(/^expires in (59|60) min \d{2} s$/);
  await expect.poll(() => secondsLeft(panel), { timeout: 5_000 }).toBeLessThan(first);
  await screenshot(page, "token-panel");

  // Second click: served from the cache, no request at the IdP.
  await panel.getByRole("button", { name: "Get token now" }).click();
  await expect(panel.getByTestId("token-source")).toHaveText("cache");
  await expect(panel.getByText(/Served from the cache/)).toBeVisible();
  expect(idp.tokenRequests().length).toBe(before + 1);

  // Force asks the IdP even though the cached token is valid.
  await panel.getByRole("button", { name: "Force new token" }).click();
  await expect(panel.getByTestId("token-source")).toHaveText("new");
  expect(idp.tokenRequests().length).toBe(before + 2);

  // Clear drops the cached token; the next click asks the IdP again.
  await panel.getByRole("button", { name: "Clear" }).click();
  await expect(panel.getByText("Cleared 1 cached token entry.")).toBeVisible();
  await expect(panel.getByTestId("token-none")).toBeVisible();
  await panel.getByRole("button", { name: "Get token now" }).click();
  // The result still says "new" from the forced request: wait for the IdP request and the entry instead.
  await expect.poll(() => idp.tokenRequests().length).toBe(before + 3);
  await expect(panel.getByTestId("token-entry")).toHaveCount(1);
  await expect(panel.getByTestId("token-source")).toHaveText("new");

  // The activity list on the profile page shows the acquisitions (claims, never the token).
  await page.reload();
  await expect(page.getByText(/Token acquired for "Tokens app graph" \(client_credentials\)/).first()).toBeVisible();
  bodies.push(...seen.bodies);
});

test("authorization code: Authorize through the IdP's page, back authorized, then Get token now", async ({ page, context }) => {
  const seen = collectResponses(context);
  await ensureSignedIn(page);
  codeProfileUrl = await createProfile(page, "m365-auth-code", CODE_PROFILE, async () => {
    await page.getByLabel("Client secret").fill(SECRET.authCodeClientSecret);
    await page.getByLabel("Mailbox", { exact: true }).fill(MAILBOX);
  });
  const panel = panelOf(page);
  await expect(panel.getByTestId("redirect-uri")).toHaveText(CALLBACK);
  await expect(panel.getByText("Not authorized yet")).toBeVisible();

  // Before authorizing: a decoded cause and what to do, and no request at the IdP.
  const before = idp.tokenRequests().length;
  await panel.getByRole("button", { name: "Get token now" }).click();
  const refusal = panel.getByTestId("acquire-result").getByRole("alert");
  await expect(refusal).toContainText("has no refresh token: it needs authorization");
  await expect(refusal).toContainText("click Authorize");
  await expect(refusal).toContainText("code: needs_authorization");
  expect(idp.tokenRequests().length).toBe(before);

  // Authorize → the fake Entra's consent page in this browser → Accept → back on the profile.
  await panel.getByRole("button", { name: "Authorize" }).click();
  await page.waitForURL((u) => u.origin === idp.url && u.pathname === `/${TENANT}/oauth2/v2.0/authorize`);
  const authorizeUrl = new URL(page.url());
  expect(authorizeUrl.searchParams.get("redirect_uri")).toBe(CALLBACK);
  expect(authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
  expect(authorizeUrl.searchParams.get("login_hint")).toBe(MAILBOX);
  await expect(page.getByRole("heading", { name: "Permissions requested" })).toBeVisible();
  await page.getByRole("button", { name: "Accept" }).click();
  await page.waitForURL((u) => u.pathname === codeProfileUrl && u.searchParams.get("authorized") === "1");
  await expect(panel.getByRole("status").filter({ hasText: "Authorized" })).toBeVisible();
  expect(idp.tokenRequests().at(-1)?.grantType).toBe("authorization_code");
  await expect(panel.getByText("kept (encrypted)")).toBeVisible();
  await expect(panel.getByText("authorization code", { exact: true })).toBeVisible();
  await expect(panel.getByTestId("token-claims").locator('[data-claim="upn"]')).toHaveText(MAILBOX);
  await expect(panel.getByRole("button", { name: "Authorize again" })).toBeVisible();

  // Get token now: the claims of the mailbox's token and a countdown.
  await panel.getByRole("button", { name: "Get token now" }).click();
  await expect(panel.getByTestId("token-source")).toHaveText("cache");
  const claims = panel.getByTestId("token-claims");
  await expect(claims.locator('[data-claim="aud"]')).toHaveText("https://outlook.office365.com");
  await expect(claims.locator('[data-claim="scp"]')).toHaveText("SMTP.Send IMAP.AccessAsUser.All");
  await expect(claims.locator('[data-claim="upn"]')).toHaveText(MAILBOX);
  expect(await secondsLeft(panel)).toBeGreaterThan(3500);

  // Forced: the stored refresh token is redeemed (and rotated by the fake).
  const refreshBefore = idp.tokenRequests().filter((r) => r.grantType === "refresh_token").length;
  await panel.getByRole("button", { name: "Force new token" }).click();
  await expect(panel.getByTestId("token-source")).toHaveText("new");
  expect(idp.tokenRequests().filter((r) => r.grantType === "refresh_token").length).toBe(refreshBefore + 1);
  await expect(panel.getByText("refresh token", { exact: true })).toBeVisible();
  await expect(claims.locator('[data-claim="upn"]')).toHaveText(MAILBOX);
  await screenshot(page, "token-panel-auth-code");

  // An error from the IdP comes back as an alert with the decoded cause.
  await page.goto(`${codeProfileUrl}?authError=${encodeURIComponent("The user declined consent. Ask the mailbox owner to accept.")}`);
  await expect(panel.getByRole("alert").filter({ hasText: "Authorization failed" })).toContainText("The user declined consent.");
  bodies.push(...seen.bodies);
});

test("the Token cache page lists both profiles with claims, countdown and actions", async ({ page, context }) => {
  const seen = collectResponses(context);
  await ensureSignedIn(page);
  await page.goto("/tokens");
  const appRow = page.getByTestId("token-row").filter({ has: page.getByRole("link", { name: APP_PROFILE, exact: true }) });
  const codeRow = page.getByTestId("token-row").filter({ has: page.getByRole("link", { name: CODE_PROFILE, exact: true }) });
  await expect(appRow).toHaveCount(1);
  await expect(codeRow).toHaveCount(1);
  await expect(appRow.locator('[data-claim="roles"]')).toHaveText("Mail.Send");
  await expect(appRow.locator('[data-claim="appid"]')).toHaveText(CLIENT);
  await expect(codeRow.locator('[data-claim="upn"]')).toHaveText(MAILBOX);
  await expect(codeRow.getByText(/refresh token kept/)).toBeVisible();
  await expect(appRow.getByTestId("token-state")).toHaveText("Valid");
  const first = await secondsLeft(appRow);
  await expect.poll(() => secondsLeft(appRow), { timeout: 5_000 }).toBeLessThan(first);

  // Get token now from the list: the cache answers.
  const before = idp.tokenRequests().length;
  await appRow.getByRole("button", { name: "Get token now" }).click();
  await expect(appRow.getByTestId("token-source")).toHaveText("cache");
  expect(idp.tokenRequests().length).toBe(before);
  await screenshot(page, "token-cache");

  // Clearing an authorization-code profile asks first (the refresh token goes too).
  await codeRow.getByRole("button", { name: "Clear" }).click();
  await expect(codeRow.getByText("the profile must be authorized again")).toBeVisible();
  await codeRow.getByRole("button", { name: "Cancel" }).click();
  await expect(codeRow.getByRole("button", { name: "Clear" })).toBeVisible();

  // The profile link leads to the panel.
  await appRow.getByRole("link", { name: APP_PROFILE, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${appProfileUrl}#token-panel$`));
  bodies.push(...seen.bodies);
});

test("no token in any page, RSC payload or action response before the reveal, nor in the database file", async () => {
  // Bodies arrive asynchronously; the last ones of the previous test are in by now.
  expect(bodies.length).toBeGreaterThan(20);
  const payload = bodies.join("\n");
  expect(payload.match(JWT)?.[0]?.slice(0, 24), "an access token reached the browser").toBeUndefined();
  expect(payload.includes(REFRESH), "a refresh token reached the browser").toBe(false);
  for (const rt of idp.validRefreshTokens()) expect(payload.includes(rt)).toBe(false);
  // The pages did show the claims: the check above is not vacuous.
  expect(payload).toContain("Mail.Send");

  const db = rawDbBytes();
  expect(db.length).toBeGreaterThan(10_000);
  expect(db.match(JWT)?.[0]?.slice(0, 24), "an access token is in the DB file in clear").toBeUndefined();
  expect(db.includes(REFRESH), "a refresh token is in the DB file in clear").toBe(false);
});

test("Reveal token asks for the password again: a wrong one is refused, the right one shows the token once", async ({ page, context }) => {
  const seen = collectResponses(context);
  await ensureSignedIn(page);
  await page.goto(appProfileUrl);
  const panel = panelOf(page);
  await panel.getByRole("button", { name: "Reveal token" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("heading", { name: "Reveal the access token?" })).toBeVisible();

  // Empty and wrong passwords: refused, nothing revealed.
  await dialog.getByRole("button", { name: "Reveal" }).click();
  await expect(dialog.getByText("Enter your admin password.")).toBeVisible();
  await dialog.getByLabel("Your admin password").fill("not-the-admin-password");
  await dialog.getByRole("button", { name: "Reveal" }).click();
  await expect(dialog.getByText("Password is wrong; the token was not revealed.")).toBeVisible();
  await expect(dialog.getByTestId("revealed-token")).toHaveCount(0);
  await expect(dialog.getByLabel("Your admin password")).toHaveValue("not-the-admin-password");
  await screenshot(page, "token-reveal-refused");
  await seen.settled();
  const beforeReveal = seen.bodies.join("\n");
  expect(beforeReveal.match(JWT)).toBeNull();

  await dialog.getByLabel("Your admin password").fill(ADMIN.password);
  await dialog.getByRole("button", { name: "Reveal" }).click();
  const revealed = dialog.getByTestId("revealed-token");
  await expect(revealed).toBeVisible();
  const token = await revealed.inputValue();
  expect(token).toMatch(JWT);
  expect(await verifyTestAccessToken(token, "https://graph.microsoft.com")).toMatchObject({ appid: CLIENT, roles: ["Mail.Send"] });
  await expect(dialog.getByText("This was logged (token.reveal)")).toBeVisible();

  // The revealed token was never sent before, and is not stored in clear.
  expect(bodies.join("\n").includes(token)).toBe(false);
  expect(beforeReveal.includes(token)).toBe(false);
  expect(rawDbBytes().includes(token)).toBe(false);

  // Closing hides it again; reopening asks for the password again.
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(page.getByTestId("revealed-token")).toHaveCount(0);
  await panel.getByRole("button", { name: "Reveal token" }).click();
  await expect(page.getByRole("dialog").getByLabel("Your admin password")).toHaveValue("");
  await page.keyboard.press("Escape");

  // Both attempts are in the log.
  await page.goto("/logs?action=token.reveal");
  await expect(page.getByText(`Access token of "${APP_PROFILE}" revealed to ${ADMIN.username} (web)`)).toBeVisible();
  await expect(page.getByText(`Refused to reveal the access token of "${APP_PROFILE}": wrong password`)).toBeVisible();
});
