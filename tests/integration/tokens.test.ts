import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rawDatabaseBytes, useTestDb } from "@/tests/helpers/test-db";
import { startFakeEntra, type FakeEntra } from "@/tests/fakes/fake-entra";
import { startFakeGoogle, type FakeGoogle } from "@/tests/fakes/fake-google";
import { verifyTestAccessToken } from "@/tests/fakes/idp-keys";
import { APP_CERT_PEM, CLIENT, FIXTURE_SECRETS, GOOGLE_SA_JSON, SECRET, TENANT, fixtureProfile } from "@/tests/fixtures/profiles";
import { localOperator, type Actor } from "@/lib/auth/actor";
import { createAdmin } from "@/lib/auth/admins";
import { createProfile, getProfile, type ProfileDto } from "@/lib/profiles/dal";
import type { ProfileKind } from "@/lib/profiles/schema";
import { getActivityDetail, listActivity } from "@/lib/activity/dal";
import { updateConsoleSettings, getConsoleSettings } from "@/lib/settings/dal";
import {
  clearTokenCache,
  completeAuthorization,
  getAccessToken,
  getOAuthRedirectUri,
  getTokenCacheForProfile,
  invalidateToken,
  listTokenCache,
  revealAccessToken,
  revealAccessTokenAsOperator,
  startAuthorization,
} from "@/lib/tokens";
import type { CachedToken } from "@/lib/oauth/types";

const db = useTestDb();
const ADMIN_PASSWORD = "Correct-Horse-Battery-9";
const sa = JSON.parse(GOOGLE_SA_JSON) as { client_email: string; client_id: string; private_key: string };

let idp: FakeEntra;
let google: FakeGoogle;
let admin: Actor;
let otherAdmin: Actor;
const operator = localOperator();
/** Every token value the tests saw: none may appear in the database file or the log. */
const seenTokens = new Set<string>();

function remember(t: CachedToken): CachedToken {
  seenTokens.add(t.accessToken);
  return t;
}

async function profileOf(kind: ProfileKind, name: string, settings: Record<string, unknown> = {}): Promise<ProfileDto> {
  const base = fixtureProfile(kind, name);
  return createProfile(operator, { ...base, settings: { ...base.settings, ...settings } as never });
}

beforeAll(async () => {
  idp = await startFakeEntra({
    tenants: [TENANT],
    clients: [
      {
        clientId: CLIENT,
        secret: [SECRET.delegatedClientSecret, SECRET.graphClientSecret, SECRET.authCodeClientSecret],
        certificates: [APP_CERT_PEM],
        redirectUris: [getOAuthRedirectUri()],
      },
      { clientId: "generic-client", secret: SECRET.genericClientSecret },
    ],
    users: [{ username: "sender@contoso.com", password: SECRET.delegatedPassword }, { username: "listener@contoso.com", password: "unused-password-1" }],
  });
  google = await startFakeGoogle({ serviceAccounts: [{ clientEmail: sa.client_email, clientId: sa.client_id, keyPem: sa.private_key, delegatedScopes: ["https://mail.google.com/"] }], users: ["sender@example.org"] });
  const a = await createAdmin(operator, "alice", ADMIN_PASSWORD);
  const b = await createAdmin(operator, "bob", ADMIN_PASSWORD);
  admin = { id: a.id, username: a.username, via: "web" };
  otherAdmin = { id: b.id, username: b.username, via: "web" };
});

afterAll(async () => {
  await idp?.close();
  await google?.close();
});

beforeEach(() => {
  idp.clearFailures();
  idp.setTokenLifetime(3600);
});

const msTokenUrl = () => `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`;

describe("every grant through getAccessToken, cached encrypted", () => {
  it("m365-delegated (ROPC, confidential) → scp SMTP.Send for the login user", async () => {
    const p = await profileOf("m365-delegated", "delegated", { tokenUrl: msTokenUrl() });
    const t = remember(await getAccessToken(admin, p.id));
    expect(t.source).toBe("new");
    expect(await verifyTestAccessToken(t.accessToken, "https://outlook.office365.com")).toMatchObject({ scp: "SMTP.Send", upn: "sender@contoso.com" });
    const imap = remember(await getAccessToken(admin, p.id, { purpose: "imap" }));
    expect(imap.claims.scp).toBe("IMAP.AccessAsUser.All");
    expect((await getProfile(admin, p.id)).status).toBe("ok");
  });

  it("m365-app-graph (client secret) → roles Mail.Send for Graph", async () => {
    const p = await profileOf("m365-app-graph", "graph", { tokenUrl: msTokenUrl() });
    const t = remember(await getAccessToken(admin, p.id, { purpose: "graph" }));
    expect(await verifyTestAccessToken(t.accessToken, "https://graph.microsoft.com")).toMatchObject({ roles: ["Mail.Send"], appid: CLIENT });
  });

  for (const header of ["x5t#S256", "x5t"] as const) {
    it(`m365-app-smtp (certificate, ${header}) → assertion verified at the fake`, async () => {
      const p = await profileOf("m365-app-smtp", `smtp-cert-${header === "x5t" ? "sha1" : "sha256"}`, { tokenUrl: msTokenUrl(), thumbprintHeader: header });
      const t = remember(await getAccessToken(admin, p.id, { purpose: "smtp" }));
      expect((await verifyTestAccessToken(t.accessToken, "https://outlook.office365.com")).roles).toContain("SMTP.SendAsApp");
      expect(Object.keys(idp.assertionHeaders.at(-1)!)).toContain(header);
    });
  }

  it("google-service-account → token for the impersonated user", async () => {
    const p = await profileOf("google-service-account", "google", { tokenUrl: google.tokenUrl });
    const t = remember(await getAccessToken(admin, p.id));
    expect(await verifyTestAccessToken(t.accessToken)).toMatchObject({ email: "sender@example.org", scope: "https://mail.google.com/" });
  });

  it.each(["client_secret_basic", "client_secret_post"] as const)("oauth2-generic client_credentials with %s", async (clientAuth) => {
    const p = await profileOf("oauth2-generic", `generic-${clientAuth}`, { tokenUrl: `${idp.url}/${TENANT}/oauth2/v2.0/token`, grantType: "client_credentials", clientAuth, scope: "https://outlook.office365.com/.default" });
    const t = remember(await getAccessToken(admin, p.id));
    expect(t.claims).toMatchObject({ aud: "https://outlook.office365.com", appid: "generic-client" });
  });

  it("smtp-basic and log-only have no tokens: unsupported with a clear message", async () => {
    for (const kind of ["smtp-basic", "log-only"] as const) {
      const p = await profileOf(kind, `no-token-${kind}`);
      await expect(getAccessToken(admin, p.id)).rejects.toMatchObject({ code: "unsupported", userMessage: expect.stringMatching(/do not use OAuth tokens/) });
    }
  });
});

describe("cache behaviour", () => {
  it("a cache hit makes no IdP request and logs nothing; a forced refresh does both", async () => {
    const p = await profileOf("m365-app-graph", "cache-hit", { tokenUrl: msTokenUrl() });
    remember(await getAccessToken(admin, p.id));
    const requests = idp.tokenRequests().length;
    const logged = (await listActivity(admin, { profileId: p.id, action: "token.acquire" })).total;
    const hit = await getAccessToken(admin, p.id);
    expect(hit.source).toBe("cache");
    expect(idp.tokenRequests().length).toBe(requests);
    expect((await listActivity(admin, { profileId: p.id, action: "token.acquire" })).total).toBe(logged);
    remember(await getAccessToken(admin, p.id, { forceRefresh: true }));
    expect(idp.tokenRequests().length).toBe(requests + 1);
    expect((await listActivity(admin, { profileId: p.id, action: "token.acquire" })).total).toBe(logged + 1);
  });

  it("a token within the refresh margin is renewed proactively", async () => {
    expect((await getConsoleSettings()).tokenRefreshMarginMinutes).toBe(5);
    const p = await profileOf("m365-app-graph", "margin", { tokenUrl: msTokenUrl() });
    idp.setTokenLifetime(240); // 4 minutes left: inside the 5-minute margin
    remember(await getAccessToken(admin, p.id));
    const before = idp.tokenRequests().length;
    idp.setTokenLifetime(3600);
    const renewed = remember(await getAccessToken(admin, p.id));
    expect(renewed.source).toBe("new");
    expect(idp.tokenRequests().length).toBe(before + 1);
    expect((await getAccessToken(admin, p.id)).source).toBe("cache");
    // A smaller margin makes the same 4-minute token good enough.
    await updateConsoleSettings(admin, { ...(await getConsoleSettings()), tokenRefreshMarginMinutes: 2 });
    idp.setTokenLifetime(240);
    remember(await getAccessToken(admin, p.id, { forceRefresh: true }));
    expect((await getAccessToken(admin, p.id)).source).toBe("cache");
    await updateConsoleSettings(admin, { ...(await getConsoleSettings()), tokenRefreshMarginMinutes: 5 });
  });

  it("100 concurrent callers cause exactly one token request", async () => {
    const p = await profileOf("m365-app-smtp", "concurrent", { tokenUrl: msTokenUrl() });
    const before = idp.tokenRequests().length;
    const tokens = await Promise.all(Array.from({ length: 100 }, () => getAccessToken(admin, p.id, { purpose: "smtp" })));
    expect(idp.tokenRequests().length - before).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    remember(tokens[0]);
  });

  it("invalidateToken drops only the rejected access token", async () => {
    const p = await profileOf("m365-app-graph", "invalidate", { tokenUrl: msTokenUrl() });
    const first = remember(await getAccessToken(admin, p.id));
    await invalidateToken(admin, p.id, "default", "some-other-token");
    expect((await getAccessToken(admin, p.id)).source).toBe("cache");
    await invalidateToken(admin, p.id, "default", first.accessToken);
    const second = remember(await getAccessToken(admin, p.id));
    expect(second.source).toBe("new");
    expect(second.accessToken).not.toBe(first.accessToken);
  });

  it("a failure is logged with the decoded hint and marks the profile failing", async () => {
    const p = await profileOf("m365-app-graph", "bad-secret", { tokenUrl: msTokenUrl() });
    idp.setFailure({ kind: "error", aadsts: 7000215 });
    await expect(getAccessToken(admin, p.id)).rejects.toMatchObject({ remoteCode: "AADSTS7000215" });
    const [entry] = (await listActivity(admin, { profileId: p.id, action: "token.acquire" })).items;
    expect(entry).toMatchObject({ outcome: "failure", errorCode: "AADSTS7000215", hint: expect.stringMatching(/Value column/) });
    expect(entry.remoteReply).toMatch(/correlation ID/);
    expect((await getProfile(admin, p.id)).status).toBe("failing");
  });
});

describe("authorization code + refresh token", () => {
  let profile: ProfileDto;

  async function authorize(actor: Actor, p: ProfileDto): Promise<{ state: string; code: string }> {
    const { url } = await startAuthorization(actor, p.id);
    const authorizeUrl = new URL(url);
    expect(authorizeUrl.origin).toBe(idp.url);
    expect(authorizeUrl.pathname).toBe(`/${TENANT}/oauth2/v2.0/authorize`);
    expect(authorizeUrl.searchParams.get("redirect_uri")).toBe(getOAuthRedirectUri());
    // The fake's consent page has an Accept link; following it is what the browser does.
    const page = await (await fetch(authorizeUrl)).text();
    const accept = page.match(/href="([^"]+decision=accept[^"]*)"/)![1].replace(/&amp;/g, "&");
    const res = await fetch(new URL(accept, idp.url), { redirect: "manual" });
    const back = new URL(res.headers.get("location")!);
    expect(back.origin + back.pathname).toBe(getOAuthRedirectUri());
    return { state: back.searchParams.get("state")!, code: back.searchParams.get("code")! };
  }

  beforeAll(async () => {
    profile = await profileOf("m365-auth-code", "auth-code", { tokenUrl: msTokenUrl() });
  });

  it("without authorization: needs-authorization error, no IdP request", async () => {
    const before = idp.tokenRequests().length;
    await expect(getAccessToken(admin, profile.id)).rejects.toMatchObject({ code: "needs_authorization", remoteCode: "needs_authorization" });
    expect(idp.tokenRequests().length).toBe(before);
  });

  it("authorize → callback → tokens stored; the state is single-use and bound to the admin", async () => {
    const { state, code } = await authorize(admin, profile);
    await expect(completeAuthorization(otherAdmin, { state, code })).rejects.toMatchObject({ code: "forbidden", profileId: profile.id });
    const again = await authorize(admin, profile);
    expect(await completeAuthorization(admin, again)).toEqual({ profileId: profile.id });
    await expect(completeAuthorization(admin, again)).rejects.toMatchObject({ code: "invalid_input" });
    const [entry] = await getTokenCacheForProfile(admin, profile.id);
    expect(entry).toMatchObject({ hasRefreshToken: true, source: "authorization_code", state: "valid", claims: { upn: "listener@contoso.com" } });
    expect((await getProfile(admin, profile.id)).status).toBe("ok");
    expect(JSON.stringify(entry)).not.toMatch(/fake-rt-|eyJ/);
    const t = remember(await getAccessToken(admin, profile.id, { purpose: "imap" }));
    expect(t.source).toBe("cache");
    expect(t.claims.scp).toBe("SMTP.Send IMAP.AccessAsUser.All");
  });

  it("an IdP error in the callback is decoded (consent) and names the profile", async () => {
    const { url } = await startAuthorization(admin, profile.id);
    const state = new URL(url).searchParams.get("state")!;
    await expect(completeAuthorization(admin, { state, error: "consent_required", errorDescription: "AADSTS65001: The user or administrator has not consented." })).rejects.toMatchObject({ remoteCode: "AADSTS65001", profileId: profile.id });
  });

  it("refresh rotates the refresh token, and the rotated one is what is stored", async () => {
    const rtBefore = idp.validRefreshTokens();
    remember(await getAccessToken(admin, profile.id, { forceRefresh: true }));
    // The fake revoked the old refresh token when it rotated: a second refresh only works if the new one was saved.
    expect(idp.validRefreshTokens()).not.toEqual(rtBefore);
    const again = remember(await getAccessToken(admin, profile.id, { forceRefresh: true }));
    expect(again.source).toBe("new");
    expect(idp.tokenRequests().at(-1)).toMatchObject({ grantType: "refresh_token", status: 200 });
  });

  it("a transient 503 keeps the refresh token and does not mark the profile failing (an IdP outage is not the profile's fault)", async () => {
    const before = (await getProfile(admin, profile.id)).health;
    expect(before.state).toBe("ok");
    idp.setFailure({ kind: "status", status: 503 });
    await expect(getAccessToken(admin, profile.id, { forceRefresh: true })).rejects.toMatchObject({ detail: { transient: true } });
    const [entry] = await getTokenCacheForProfile(admin, profile.id);
    expect(entry.hasRefreshToken).toBe(true);
    expect((await getProfile(admin, profile.id)).health).toEqual(before);
    remember(await getAccessToken(admin, profile.id, { forceRefresh: true }));
    expect((await getProfile(admin, profile.id)).status).toBe("ok");
  });

  it("invalidateToken keeps the refresh token; the next call refreshes", async () => {
    await invalidateToken(admin, profile.id, "smtp");
    const [entry] = await getTokenCacheForProfile(admin, profile.id);
    expect(entry).toMatchObject({ state: "refresh-only", hasRefreshToken: true });
    const t = remember(await getAccessToken(admin, profile.id));
    expect(t.source).toBe("new");
    expect(idp.tokenRequests().at(-1)?.grantType).toBe("refresh_token");
  });

  it("invalid_grant marks the profile needs-reauth", async () => {
    idp.revokeRefreshTokens();
    await expect(getAccessToken(admin, profile.id, { forceRefresh: true })).rejects.toMatchObject({ remoteCode: "AADSTS70043" });
    expect((await getProfile(admin, profile.id)).status).toBe("needs-reauth");
    expect((await getTokenCacheForProfile(admin, profile.id))[0].hasRefreshToken).toBe(false);
    const [logged] = (await listActivity(admin, { profileId: profile.id, action: "token.acquire" })).items;
    expect(logged).toMatchObject({ outcome: "failure", errorCode: "AADSTS70043", hint: expect.stringMatching(/Authorize/) });
  });
});

describe("reveal, list, clear", () => {
  it("reveal re-checks the password and is logged either way", async () => {
    const p = await profileOf("m365-app-graph", "reveal", { tokenUrl: msTokenUrl() });
    await expect(revealAccessToken(admin, p.id, "wrong password")).rejects.toMatchObject({ code: "unauthorized", field: "password" });
    const shown = await revealAccessToken(admin, p.id, ADMIN_PASSWORD);
    seenTokens.add(shown.accessToken);
    expect(shown.accessToken.split(".")).toHaveLength(3);
    await expect(revealAccessTokenAsOperator(admin, p.id)).rejects.toMatchObject({ code: "forbidden" });
    expect((await revealAccessTokenAsOperator(operator, p.id)).accessToken).toBe(shown.accessToken);
    const reveals = (await listActivity(admin, { profileId: p.id, action: "token.reveal" })).items;
    expect(reveals.map((r) => r.outcome).sort()).toEqual(["failure", "info", "info"]);
  });

  it("listTokenCache shows claims and times, never token values; clear removes entries", async () => {
    const all = await listTokenCache(admin);
    expect(all.length).toBeGreaterThan(5);
    for (const e of all) expect(e).toEqual(expect.objectContaining({ profileName: expect.any(String), expiresInSeconds: expect.any(Number), claims: expect.objectContaining({ decoded: true }) }));
    const text = JSON.stringify(all);
    for (const t of seenTokens) expect(text).not.toContain(t);
    const target = all.find((e) => e.profileName === "graph")!;
    expect(await clearTokenCache(admin, target.profileId)).toEqual({ cleared: 1 });
    expect(await getTokenCacheForProfile(admin, target.profileId)).toEqual([]);
  });
});

describe("no token or secret leaks", () => {
  it("token values, refresh tokens and fixture secrets are absent from the raw DB file and the activity log", async () => {
    const needles = [...seenTokens, ...idp.validRefreshTokens(), ...FIXTURE_SECRETS];
    expect(seenTokens.size).toBeGreaterThan(10);
    const raw = rawDatabaseBytes(db);
    for (const n of needles) expect(raw.includes(Buffer.from(n)), `raw DB contains ${n.slice(0, 12)}…`).toBe(false);
    const { items } = await listActivity(admin, { pageSize: 500 });
    expect(items.length).toBeGreaterThan(20);
    const details = await Promise.all(items.map((i) => getActivityDetail(admin, i.id)));
    const logText = JSON.stringify(items) + details.join("\n");
    expect(logText).toContain("token.acquire");
    for (const n of needles) expect(logText.includes(n), `activity log contains ${n.slice(0, 12)}…`).toBe(false);
    // Every refresh token issued by the fake (valid or not) is absent too.
    expect(logText).not.toMatch(/fake-rt-|fake-code-/);
    expect(raw.includes(Buffer.from("fake-rt-"))).toBe(false);
  });
});
