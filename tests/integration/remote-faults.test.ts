import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { startFakeEntra, type FakeEntra } from "@/tests/fakes/fake-entra";
import { CLIENT, SECRET, TENANT, fixtureProfile } from "@/tests/fixtures/profiles";
import { localOperator } from "@/lib/auth/actor";
import { createProfile, getProfile, type ProfileDto } from "@/lib/profiles/dal";
import { listActivity } from "@/lib/activity/dal";
import { updateConsoleSettings, getConsoleSettings } from "@/lib/settings/dal";
import { completeAuthorization, getAccessToken, getOAuthRedirectUri, getTokenCacheForProfile, startAuthorization } from "@/lib/tokens";
import { isAppError } from "@/lib/errors";

/**
 * Identity-provider faults at the level the console uses them: each ends within its timeout with
 * a decoded error and a log entry, and never deletes or overwrites the valid cached access token
 * or the refresh token (a transient failure is not invalid_grant).
 */
useTestDb();
const actor = localOperator();
const TIMEOUT_S = 2;
let idp: FakeEntra;
let profile: ProfileDto;
export const faultsInjected: string[] = [];

beforeAll(async () => {
  idp = await startFakeEntra({
    tenants: [TENANT],
    clients: [{ clientId: CLIENT, secret: [SECRET.authCodeClientSecret, SECRET.graphClientSecret], redirectUris: [getOAuthRedirectUri()] }],
  });
  await updateConsoleSettings(actor, { ...(await getConsoleSettings()), httpTimeoutSeconds: TIMEOUT_S });
  const base = fixtureProfile("m365-auth-code", "faults");
  profile = await createProfile(actor, { ...base, settings: { ...base.settings, tokenUrl: `${idp.url}/{TENANT_ID}/oauth2/v2.0/token` } as never });
  const { url } = await startAuthorization(actor, profile.id);
  const page = await (await fetch(url)).text();
  const accept = page.match(/href="([^"]+decision=accept[^"]*)"/)![1].replace(/&amp;/g, "&");
  const back = new URL((await fetch(new URL(accept, idp.url), { redirect: "manual" })).headers.get("location")!);
  await completeAuthorization(actor, { state: back.searchParams.get("state")!, code: back.searchParams.get("code")! });
});

afterAll(async () => {
  await idp?.close();
});

const FAULTS: { name: string; inject: () => void; expect: RegExp }[] = [
  { name: "500", inject: () => idp.setFailure({ kind: "status", status: 500, count: 1 }), expect: /500|temporar|try again/i },
  { name: "503", inject: () => idp.setFailure({ kind: "status", status: 503, count: 1 }), expect: /503|temporar|try again/i },
  { name: "hang", inject: () => idp.setFailure({ kind: "hang", count: 1 }), expect: /timed? ?out|did not answer/i },
  { name: "HTML instead of JSON", inject: () => idp.setFailure({ kind: "html", count: 1 }), expect: /HTML|proxy/i },
  { name: "truncated JSON", inject: () => idp.setFailure({ kind: "truncated", count: 1 }), expect: /incomplete|truncated|invalid JSON/i },
  { name: "already-expired token", inject: () => idp.setTokenLifetime(-120), expect: /already expired/i },
];

describe("identity provider faults never cost the stored tokens", () => {
  it.each(FAULTS)("$name: decoded, logged, within the timeout, tokens kept", async (fault) => {
    const good = await getAccessToken(actor, profile.id);
    const [before] = await getTokenCacheForProfile(actor, profile.id);
    expect(before.hasRefreshToken).toBe(true);
    const logBefore = (await listActivity(actor, { profileId: profile.id, action: "token.acquire", outcome: "failure" })).total;

    fault.inject();
    faultsInjected.push(fault.name);
    const started = Date.now();
    const error = await getAccessToken(actor, profile.id, { forceRefresh: true }).then(
      () => null,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    idp.clearFailures();
    idp.setTokenLifetime(3600);

    expect(error, "the fault must surface as an error").not.toBeNull();
    expect(isAppError(error)).toBe(true);
    const e = error as { userMessage: string; hint?: string; remoteCode?: string; code: string };
    expect(`${e.userMessage} ${e.hint ?? ""}`).toMatch(fault.expect);
    expect(e.hint, "a decoded hint says what to do").toBeTruthy();
    expect(elapsed).toBeLessThan(TIMEOUT_S * 1000 + 3000);
    expect(e.remoteCode).not.toBe("invalid_grant");

    const logAfter = await listActivity(actor, { profileId: profile.id, action: "token.acquire", outcome: "failure" });
    expect(logAfter.total).toBe(logBefore + 1);
    expect(logAfter.items[0].hint).toBeTruthy();

    // The valid access token is still served from the cache, and the refresh token still works.
    const [after] = await getTokenCacheForProfile(actor, profile.id);
    expect(after.hasRefreshToken).toBe(true);
    expect(after.expiresAt).toBe(before.expiresAt);
    const cached = await getAccessToken(actor, profile.id);
    expect(cached.source).toBe("cache");
    expect(cached.accessToken).toBe(good.accessToken);
    expect((await getProfile(actor, profile.id)).status).not.toBe("needs-reauth");
    const fresh = await getAccessToken(actor, profile.id, { forceRefresh: true });
    expect(fresh.source).toBe("new");
  });

  it("an IdP refusing connections is decoded naming the host, and the cache is kept", async () => {
    const other = await startFakeEntra({ tenants: [TENANT], clients: [{ clientId: CLIENT, secret: SECRET.graphClientSecret }] });
    const base = fixtureProfile("m365-app-graph", "refused idp");
    const p = await createProfile(actor, { ...base, settings: { ...base.settings, tokenUrl: `${other.url}/{TENANT_ID}/oauth2/v2.0/token` } as never });
    const good = await getAccessToken(actor, p.id);
    await other.close();
    faultsInjected.push("connection refused");
    const error = await getAccessToken(actor, p.id, { forceRefresh: true }).catch((e: unknown) => e);
    expect(isAppError(error)).toBe(true);
    expect((error as { userMessage: string }).userMessage).toMatch(/127\.0\.0\.1/);
    expect((error as { userMessage: string; hint?: string }).userMessage + (error as { hint?: string }).hint).toMatch(/refused/i);
    expect((await getAccessToken(actor, p.id)).accessToken).toBe(good.accessToken);
  });
});
