import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeEntra, type FakeEntra } from "@/tests/fakes/fake-entra";
import { verifyTestAccessToken } from "@/tests/fakes/idp-keys";
import { APP_CERT_KEY, APP_CERT_PEM, CLIENT, OTHER_CERT_KEY, TENANT } from "@/tests/fixtures/profiles";
import { acquireByPassword } from "./ropc";
import { acquireByClientCredentials } from "./client-credentials";
import { acquireByRefreshToken, buildAuthorizeUrl, createPkcePair, exchangeAuthorizationCode } from "./authorization-code";
import { describeThumbprints } from "./thumbprints";
import { ConfidentialClientApplication } from "@azure/msal-node";

const PUBLIC_CLIENT = "11111111-2222-4333-8444-555555555555";
const SECRET = "Fixture~GraphClientSecret~3b8d";
const REDIRECT = "http://localhost:3000/api/oauth/callback";
const timeoutMs = 5000;

let idp: FakeEntra;
let tokenUrl: string;

beforeAll(async () => {
  idp = await startFakeEntra({
    tenants: [TENANT],
    clients: [
      { clientId: CLIENT, secret: SECRET, certificates: [APP_CERT_PEM], redirectUris: [REDIRECT] },
      { clientId: PUBLIC_CLIENT, publicClient: true, redirectUris: [REDIRECT] },
    ],
    users: [{ username: "sender@contoso.com", password: "Pa55word!" }, { username: "mfa@contoso.com", password: "Pa55word!", mfa: true }],
  });
  tokenUrl = `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`;
});
afterAll(() => idp.close());

describe("Microsoft grants against the fake Entra ID over HTTPS", () => {
  it("client credentials with a secret: app token with roles for the outlook resource", async () => {
    const before = idp.tokenRequests().length;
    const t = await acquireByClientCredentials({ tokenUrl, tenantId: TENANT, clientId: CLIENT, scope: "https://outlook.office365.com/.default", credential: { type: "secret", clientSecret: SECRET }, timeoutMs });
    expect(idp.tokenRequests().length - before).toBe(1);
    expect(idp.requests.filter((r) => r.method === "GET")).toHaveLength(0); // no discovery: endpoints come from the profile
    const claims = await verifyTestAccessToken(t.accessToken, "https://outlook.office365.com");
    expect(claims.roles).toContain("SMTP.SendAsApp");
    expect(t.claims).toMatchObject({ decoded: true, aud: "https://outlook.office365.com", tid: TENANT, appid: CLIENT });
    expect(t.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3000_000);
    expect(t.transcript?.join("\n")).not.toContain(SECRET);
    expect(t.transcript?.join("\n")).not.toContain(t.accessToken);
  });

  for (const header of ["x5t#S256", "x5t"] as const) {
    it(`client credentials with a certificate assertion (${header}) is verified at the fake`, async () => {
      const t = await acquireByClientCredentials({ tokenUrl, tenantId: TENANT, clientId: CLIENT, scope: "https://graph.microsoft.com/.default", credential: { type: "certificate", certificatePem: APP_CERT_PEM, privateKey: APP_CERT_KEY, thumbprintHeader: header }, timeoutMs });
      expect((await verifyTestAccessToken(t.accessToken, "https://graph.microsoft.com")).roles).toEqual(["Mail.Send"]);
      const seen = idp.assertionHeaders[idp.assertionHeaders.length - 1];
      const thumbs = describeThumbprints(APP_CERT_PEM, header);
      if (header === "x5t") expect(seen).toMatchObject({ alg: "RS256", x5t: thumbs.sha1Base64Url });
      else expect(seen).toMatchObject({ alg: "PS256", "x5t#S256": thumbs.sha256Base64Url });
    });
  }

  it("a key that does not belong to the registered certificate fails signature validation (AADSTS700027)", async () => {
    const err = await acquireByClientCredentials({ tokenUrl, tenantId: TENANT, clientId: CLIENT, scope: "https://graph.microsoft.com/.default", credential: { type: "certificate", certificatePem: APP_CERT_PEM, privateKey: OTHER_CERT_KEY, thumbprintHeader: "x5t#S256" }, timeoutMs }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "remote_error", remoteCode: "AADSTS700027" });
  });

  it("ROPC, public and confidential", async () => {
    const pub = await acquireByPassword({ tokenUrl, tenantId: TENANT, clientId: PUBLIC_CLIENT, username: "sender@contoso.com", password: "Pa55word!", scope: "https://outlook.office365.com/SMTP.Send offline_access", timeoutMs });
    expect(pub.claims).toMatchObject({ upn: "sender@contoso.com", scp: "SMTP.Send", aud: "https://outlook.office365.com" });
    expect(pub.refreshToken).toBeUndefined();
    const conf = await acquireByPassword({ tokenUrl, tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET, username: "sender@contoso.com", password: "Pa55word!", scope: "https://outlook.office365.com/SMTP.Send offline_access", timeoutMs });
    expect(conf.claims.upn).toBe("sender@contoso.com");
  });

  it("authorization code with PKCE, then refresh with rotation", async () => {
    const pkce = createPkcePair();
    const url = new URL(await buildAuthorizeUrl({ tokenUrl, tenantId: TENANT, clientId: CLIENT, scope: "https://outlook.office365.com/SMTP.Send https://outlook.office365.com/IMAP.AccessAsUser.All", redirectUri: REDIRECT, state: "st-1", codeChallenge: pkce.challenge, loginHint: "listener@contoso.com" }));
    expect(url.pathname).toBe(`/${TENANT}/oauth2/v2.0/authorize`);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("scope")).toContain("offline_access");
    url.searchParams.set("decision", "accept");
    const res = await fetch(url, { redirect: "manual" });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get("location")!);
    expect(back.searchParams.get("state")).toBe("st-1");
    const code = back.searchParams.get("code")!;
    const t = await exchangeAuthorizationCode({ tokenUrl, tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET, scope: "https://outlook.office365.com/SMTP.Send https://outlook.office365.com/IMAP.AccessAsUser.All", code, codeVerifier: pkce.verifier, redirectUri: REDIRECT, timeoutMs });
    expect(t.refreshToken).toMatch(/^fake-rt-/);
    expect(t.claims).toMatchObject({ upn: "listener@contoso.com", scp: "SMTP.Send IMAP.AccessAsUser.All" });
    const r = await acquireByRefreshToken({ tokenUrl, tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET, scope: "offline_access https://outlook.office365.com/SMTP.Send", refreshToken: t.refreshToken!, timeoutMs });
    expect(r.refreshToken).toMatch(/^fake-rt-/);
    expect(r.refreshToken).not.toBe(t.refreshToken);
    // The rotated-away token is dead at the fake: invalid_grant is flagged for re-authorization.
    const err = await acquireByRefreshToken({ tokenUrl, tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET, scope: "offline_access https://outlook.office365.com/SMTP.Send", refreshToken: t.refreshToken!, timeoutMs }).catch((e: unknown) => e);
    expect(err).toMatchObject({ remoteCode: "AADSTS70043", detail: { invalidGrant: true, transient: false } });
  });

  it("a wrong PKCE verifier is refused", async () => {
    const pkce = createPkcePair();
    const url = new URL(await buildAuthorizeUrl({ tokenUrl, tenantId: TENANT, clientId: PUBLIC_CLIENT, scope: "https://outlook.office365.com/SMTP.Send", redirectUri: REDIRECT, state: "s", codeChallenge: pkce.challenge }));
    url.searchParams.set("decision", "accept");
    const code = new URL((await fetch(url, { redirect: "manual" })).headers.get("location")!).searchParams.get("code")!;
    const err = await exchangeAuthorizationCode({ tokenUrl, tenantId: TENANT, clientId: PUBLIC_CLIENT, scope: "https://outlook.office365.com/SMTP.Send", code, codeVerifier: createPkcePair().verifier, redirectUri: REDIRECT, timeoutMs }).catch((e: unknown) => e);
    expect(err).toMatchObject({ remoteCode: "AADSTS501481" });
  });

  it("the fake also serves MSAL's own discovery (authority + knownAuthorities, MSAL's default HTTP client)", async () => {
    const app = new ConfidentialClientApplication({ auth: { clientId: CLIENT, clientSecret: SECRET, authority: idp.authority(TENANT), knownAuthorities: [`127.0.0.1:${idp.port}`] } });
    const result = await app.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"], skipCache: true });
    expect(idp.requests.some((r) => r.path.endsWith("/.well-known/openid-configuration"))).toBe(true);
    expect((await verifyTestAccessToken(result!.accessToken, "https://graph.microsoft.com")).roles).toEqual(["Mail.Send"]);
  });
});
