import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rawDatabaseBytes, useTestDb } from "@/tests/helpers/test-db";
import { startFakeEntra, type FakeEntra } from "@/tests/fakes/fake-entra";
import { CLIENT, SECRET, TENANT, fixtureProfile } from "@/tests/fixtures/profiles";
import { localOperator } from "@/lib/auth/actor";
import { getActivityDetail, listActivity } from "@/lib/activity/dal";
import { isAppError } from "@/lib/errors";
import { createProfile, type ProfileDto } from "@/lib/profiles/dal";
import { authorizeWithDeviceCode, clearTokenCache, getAccessToken, getTokenCacheForProfile } from "@/lib/tokens";
import type { DeviceCodePrompt } from "@/lib/oauth/device-code";
import { runCli } from "@/cli/main";

/**
 * Issue 11.16: `token NAME --device-code`, the CLI twin of "Authorize" for headless servers,
 * against the fake Entra's /devicecode and device_code grant (Entra's answer and error shapes).
 * The waits between polls go through an injected sleep that plays the user, so nothing waits on
 * the clock.
 */
const db = useTestDb();
const operator = localOperator();
let idp: FakeEntra;

async function authCodeProfile(name: string): Promise<ProfileDto> {
  const base = fixtureProfile("m365-auth-code", name);
  return createProfile(operator, { ...base, settings: { ...base.settings, tokenUrl: `${idp.url}/{TENANT_ID}/oauth2/v2.0/token` } as never });
}

beforeAll(async () => {
  idp = await startFakeEntra({ tenants: [TENANT], clients: [{ clientId: CLIENT, secret: SECRET.authCodeClientSecret }], users: [{ username: "listener@contoso.com", password: "unused-password-1" }] });
});
afterAll(async () => {
  await idp?.close();
});
beforeEach(() => idp.clearFailures());

describe("device code flow", () => {
  it("prints the code and URL, waits the interval on authorization_pending, adds 5 s on slow_down, stores the refresh token like Authorize", async () => {
    const profile = await authCodeProfile("device listener");
    const prompts: DeviceCodePrompt[] = [];
    const waits: number[] = [];
    const reasons: string[] = [];
    const done = await authorizeWithDeviceCode(operator, profile.id, {
      onPrompt: (p) => prompts.push(p),
      onWait: (reason) => reasons.push(reason),
      // The user: the first wait, Entra says slow down next; during the second, the user signs in.
      sleep: async (ms) => {
        waits.push(ms);
        if (waits.length === 1) idp.setFailure({ kind: "error", error: "slow_down", description: "Polling too fast.", status: 400, grantType: "urn:ietf:params:oauth:grant-type:device_code" });
        if (waits.length === 2) idp.approveDeviceCode(prompts[0].userCode, "listener@contoso.com");
      },
    });
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toMatchObject({ verificationUri: "https://microsoft.com/devicelogin", intervalSeconds: 5 });
    expect(prompts[0].message).toContain(prompts[0].userCode);
    expect(prompts[0]).not.toHaveProperty("deviceCode");
    expect(reasons).toEqual(["authorization_pending", "slow_down"]);
    expect(waits).toEqual([5000, 10000]);
    expect(done.claims).toMatch(/listener@contoso\.com/);
    // The device-code request asked for offline_access; the polls sent the device code grant.
    const dc = idp.requests.find((r) => r.path.endsWith("/devicecode"))!;
    expect(dc.form.scope).toMatch(/offline_access/);
    expect(idp.tokenRequests().map((r) => r.grantType)).toEqual(Array(3).fill("urn:ietf:params:oauth:grant-type:device_code"));

    const [entry] = await getTokenCacheForProfile(operator, profile.id);
    expect(entry).toMatchObject({ hasRefreshToken: true, source: "device_code", claims: { upn: "listener@contoso.com" } });
    // Like the browser flow: later tokens come from the refresh token, no user needed.
    const next = await getAccessToken(operator, profile.id, { forceRefresh: true });
    expect(next.source).toBe("new");
    expect(idp.tokenRequests().at(-1)?.grantType).toBe("refresh_token");

    const log = await listActivity(operator, { profileId: profile.id, action: "oauth.authorize" });
    expect(log.items.map((i) => i.outcome)).toEqual(["success", "info"]);
    expect(log.items[1].summary).toContain(prompts[0].userCode);
    // No device code or token in the log or the database file.
    const detail = (await getActivityDetail(operator, log.items[0].id)) ?? "";
    expect(detail).toMatch(/device_code=\[redacted\]/);
    const deviceCode = (dc as unknown as { form: Record<string, string> }).form.device_code;
    expect(deviceCode).toBeUndefined();
    const polled = idp.tokenRequests()[0].form.device_code;
    expect(polled).toMatch(/^DAQAB/);
    expect(detail).not.toContain(polled);
    expect(rawDatabaseBytes(db).toString("latin1")).not.toContain(next.accessToken);
  });

  it("declined and expired codes end with what to do, logged as failures; an expired session stops without polling", async () => {
    const profile = await authCodeProfile("device declined");
    const decline = authorizeWithDeviceCode(operator, profile.id, { onPrompt: (p) => idp.declineDeviceCode(p.userCode), sleep: async () => undefined });
    await expect(decline).rejects.toMatchObject({ code: "forbidden", remoteCode: "authorization_declined", hint: expect.stringMatching(/again/) });

    let code = "";
    const expired = authorizeWithDeviceCode(operator, profile.id, {
      onPrompt: (p) => (code = p.userCode),
      sleep: async () => idp.expireDeviceCode(code),
    });
    await expect(expired).rejects.toMatchObject({ code: "timeout", remoteCode: "expired_token", userMessage: expect.stringMatching(/expired before anyone signed in/) });

    const before = idp.tokenRequests().length;
    const late = authorizeWithDeviceCode(operator, profile.id, { onPrompt: () => undefined, now: () => Date.now() + 16 * 60_000 });
    await expect(late).rejects.toMatchObject({ code: "timeout" });
    expect(idp.tokenRequests().length).toBe(before);

    const failures = await listActivity(operator, { profileId: profile.id, action: "oauth.authorize", outcome: "failure" });
    expect(failures.total).toBe(3);
    expect(failures.items.map((i) => i.errorCode)).toEqual(expect.arrayContaining(["authorization_declined", "expired_token"]));
    expect(await getTokenCacheForProfile(operator, profile.id)).toEqual([]);
  });

  it("a confidential app without its secret is refused with Entra's decoded error", async () => {
    const base = fixtureProfile("m365-auth-code", "device no secret");
    const profile = await createProfile(operator, { ...base, settings: { ...base.settings, tokenUrl: `${idp.url}/{TENANT_ID}/oauth2/v2.0/token` } as never, secrets: {} });
    let error: unknown;
    try {
      await authorizeWithDeviceCode(operator, profile.id, { onPrompt: () => undefined, sleep: async () => undefined });
    } catch (e) {
      error = e;
    }
    expect(isAppError(error) && error.remoteCode).toBe("AADSTS7000218");
  });

  it("CLI: token NAME --device-code prints the code, finishes when the user signs in, and refuses other kinds", async () => {
    const profile = await authCodeProfile("device cli");
    await clearTokenCache(operator, profile.id);
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(["token", "device cli", "--device-code"], {
      stdout: (l) => out.push(l),
      // The operator reads the code from the terminal and signs in on another device.
      stderr: (l) => {
        err.push(l);
        const m = l.match(/^ {2}code: (\S+)$/);
        if (m) idp.approveDeviceCode(m[1], "listener@contoso.com");
      },
      readStdin: async () => "",
    });
    expect(code).toBe(0);
    expect(err.join("\n")).toMatch(/To sign in, use a web browser to open the page https:\/\/microsoft\.com\/devicelogin and enter the code/);
    expect(out.join("\n")).toMatch(/Authorized "device cli": .*listener@contoso\.com.*refresh token stored encrypted/);
    const log = await listActivity(operator, { profileId: profile.id, action: "oauth.authorize", outcome: "success" });
    expect(log.items[0].actor).toBe(operator.username);

    const other = await createProfile(operator, fixtureProfile("m365-app-graph", "device graph"));
    const refused: string[] = [];
    expect(await runCli(["token", other.name, "--device-code"], { stdout: () => undefined, stderr: (l) => refused.push(l), readStdin: async () => "" })).toBe(2);
    expect(refused.join("\n")).toMatch(/--device-code is for authorization-code profiles/);
  });
});
