import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeEntra, type FakeEntra } from "@/tests/fakes/fake-entra";
import { CLIENT, TENANT } from "@/tests/fixtures/profiles";
import { decodeHttpStatus, decodeIdpError, decodeNetworkError } from "./errors";
import { acquireByClientCredentials } from "./client-credentials";
import { acquireByPassword } from "./ropc";
import { acquireByRefreshToken } from "./authorization-code";

const SECRET = "Fixture~SmtpAppClientSecret~5e0a";
const PUBLIC = "22222222-3333-4444-8555-666666666666";
const EXPIRED = "33333333-4444-4555-8666-777777777777";
const timeoutMs = 3000;
let idp: FakeEntra;
let tokenUrl: string;

beforeAll(async () => {
  idp = await startFakeEntra({
    tenants: [TENANT],
    clients: [
      { clientId: CLIENT, secret: SECRET },
      { clientId: PUBLIC, publicClient: true },
      { clientId: EXPIRED, secret: SECRET, secretExpired: true },
    ],
    users: [
      { username: "sender@contoso.com", password: "right" },
      { username: "mfa@contoso.com", password: "right", mfa: true },
      { username: "ca@contoso.com", password: "right", blockedByConditionalAccess: true },
    ],
  });
  tokenUrl = `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`;
});
afterAll(() => idp.close());

const app = (over: Partial<Parameters<typeof acquireByClientCredentials>[0]> = {}) =>
  acquireByClientCredentials({ tokenUrl, tenantId: TENANT, clientId: CLIENT, scope: "https://outlook.office365.com/.default", credential: { type: "secret", clientSecret: SECRET }, timeoutMs, ...over }).then(
    () => {
      throw new Error("expected a failure");
    },
    (e: { remoteCode?: string; hint?: string; userMessage: string; code: string; detail?: { correlationId?: string } }) => e,
  );
const ropc = (over: Partial<Parameters<typeof acquireByPassword>[0]> = {}) =>
  acquireByPassword({ tokenUrl, tenantId: TENANT, clientId: PUBLIC, username: "sender@contoso.com", password: "right", scope: "https://outlook.office365.com/SMTP.Send offline_access", timeoutMs, ...over }).then(
    () => {
      throw new Error("expected a failure");
    },
    (e: { remoteCode?: string; hint?: string; userMessage: string; detail?: { correlationId?: string } }) => e,
  );

describe("errors produced by the fake Entra for real misconfigurations are decoded", () => {
  it("AADSTS7000215 wrong secret → paste the Value, not the Secret ID", async () => {
    const e = await app({ credential: { type: "secret", clientSecret: "0f0c8a3e-secret-id-not-value" } });
    expect(e.remoteCode).toBe("AADSTS7000215");
    expect(e.hint).toMatch(/Value column \(not Secret ID\)/);
    expect(e.detail?.correlationId).toBeTruthy();
    expect(e.hint).toContain(String(e.detail?.correlationId));
    expect(JSON.stringify(e)).not.toContain("0f0c8a3e-secret-id-not-value");
  });
  it("AADSTS7000222 expired secret", async () => expect((await app({ clientId: EXPIRED })).remoteCode).toBe("AADSTS7000222"));
  it("AADSTS7000218 confidential app without secret (ROPC)", async () => {
    const e = await ropc({ clientId: CLIENT });
    expect(e.remoteCode).toBe("AADSTS7000218");
    expect(e.hint).toMatch(/Allow public client flows/);
  });
  it("AADSTS700025 public app sent a secret", async () => expect((await ropc({ clientSecret: "x-secret" })).remoteCode).toBe("AADSTS700025"));
  it("AADSTS50126 wrong password", async () => expect((await ropc({ password: "wrong" })).hint).toMatch(/DELEGATED_PASSWORD/));
  it("AADSTS50076 MFA → suggest APP mode", async () => {
    const e = await ropc({ username: "mfa@contoso.com" });
    expect(e.remoteCode).toBe("AADSTS50076");
    expect(e.hint).toMatch(/APP mode/);
  });
  it("AADSTS53003 Conditional Access", async () => expect((await ropc({ username: "ca@contoso.com" })).remoteCode).toBe("AADSTS53003"));
  it("AADSTS900023 placeholder not replaced", async () => {
    const e = await app({ tokenUrl: `${idp.url}/$TENANT_ID/oauth2/v2.0/token` });
    expect(e.remoteCode).toBe("AADSTS900023");
    expect(e.hint).toMatch(/\{TENANT_ID\}/);
  });
  it("AADSTS90002 tenant not found", async () => expect((await app({ tenantId: "00000000-0000-0000-0000-000000000000" })).remoteCode).toBe("AADSTS90002"));
  it("AADSTS700016 app not found", async () => expect((await app({ clientId: "99999999-0000-4000-8000-000000000000" })).remoteCode).toBe("AADSTS700016"));
  it("AADSTS70043 / invalid_grant on refresh → invalidGrant flag", async () => {
    const e = await acquireByRefreshToken({ tokenUrl, tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET, scope: "offline_access https://outlook.office365.com/SMTP.Send", refreshToken: "unknown", timeoutMs }).catch((x: { remoteCode: string; detail: Record<string, unknown> }) => x);
    expect(e).toMatchObject({ remoteCode: "AADSTS70043", detail: { invalidGrant: true } });
  });

  for (const [code, pattern] of [
    [65001, /Grant admin consent/],
    [50079, /APP mode/],
    [50011, /redirect URI/],
  ] as const) {
    it(`AADSTS${code} (programmed at the fake) is decoded`, async () => {
      idp.setFailure({ kind: "error", aadsts: code });
      const e = await app();
      expect(e.remoteCode).toBe(`AADSTS${code}`);
      expect(e.hint).toMatch(pattern);
    });
  }

  it("503 → transient, HTML page → proxy hint, truncated JSON → incomplete, hang → timeout naming the host", async () => {
    idp.setFailure({ kind: "status", status: 503 });
    expect(await app()).toMatchObject({ remoteCode: expect.stringMatching(/^(HTTP_503|temporarily_unavailable)$/), detail: { transient: true } });
    idp.setFailure({ kind: "html", status: 502 });
    const html = await app();
    expect(html.userMessage).toMatch(/HTML page/);
    idp.setFailure({ kind: "truncated" });
    expect((await app()).userMessage).toMatch(/truncated/);
    idp.setFailure({ kind: "hang" });
    const t = await app({ timeoutMs: 400 });
    expect(t).toMatchObject({ code: "timeout", remoteCode: "ETIMEDOUT" });
    expect(t.userMessage).toContain(`127.0.0.1:${idp.port}`);
  });
});

describe("decoder table", () => {
  const ms = { provider: "microsoft" as const, host: "login.microsoftonline.com", redirectUri: "https://console.example/api/oauth/callback" };
  it.each([7000218, 7000215, 7000222, 700025, 65001, 50126, 50076, 50079, 53003, 900023, 70043, 50011, 700016, 90002])("AADSTS%i has a specific cause and fix", (n) => {
    const d = decodeIdpError({ error: "invalid_request", description: `AADSTS${n}: something` }, ms);
    expect(d.code).toBe(`AADSTS${n}`);
    expect(d.fix).not.toMatch(/Look the code up/);
    expect(d.cause.length).toBeGreaterThan(10);
  });
  it("AADSTS50011 names the callback URL to register", () => {
    expect(decodeIdpError({ errorCodes: [50011] }, ms).fix).toContain(ms.redirectUri);
  });
  it("plain invalid_grant flags re-authorization", () => {
    expect(decodeIdpError({ error: "invalid_grant", description: "expired" }, { provider: "generic" })).toMatchObject({ invalidGrant: true });
  });
  it("unknown AADSTS codes point at the lookup page", () => {
    expect(decodeIdpError({ errorCodes: [123456] }, ms).fix).toContain("code=123456");
  });
  it("Google invalid_grant: clock skew vs wrong sub", () => {
    const g = { provider: "google" as const, clientId: "1234567890" };
    expect(decodeIdpError({ error: "invalid_grant", description: "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values" }, g).fix).toMatch(/clock/);
    expect(decodeIdpError({ error: "invalid_grant", description: "Invalid email or User ID" }, g).fix).toMatch(/impersonate/);
    expect(decodeIdpError({ error: "unauthorized_client" }, g).fix).toContain("1234567890");
    expect(decodeIdpError({ error: "access_denied" }, g).code).toBe("access_denied");
  });
  it("network errors name the host", () => {
    for (const code of ["ENOTFOUND", "ECONNREFUSED", "SELF_SIGNED_CERT_IN_CHAIN", "ETIMEDOUT"]) {
      expect(decodeNetworkError({ code, message: "" }, { provider: "microsoft", host: "login.example:8443" }).cause).toContain("login.example:8443");
    }
  });
  it("HTTP statuses", () => {
    expect(decodeHttpStatus(429, undefined, { provider: "generic" }).transient).toBe(true);
    expect(decodeHttpStatus(404, "", { provider: "generic" }).fix).toMatch(/token URL/);
  });
});
