import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawDatabaseBytes, useTestDb } from "@/tests/helpers/test-db";
import { sendJson, startHttpsFake, type HttpsFake } from "@/tests/fakes/fake-entra";
import { CLIENT, TENANT, fixtureProfile } from "@/tests/fixtures/profiles";
import { localOperator } from "@/lib/auth/actor";
import { createAdmin } from "@/lib/auth/admins";
import { createProfile } from "@/lib/profiles/dal";
import type { ProfileKind } from "@/lib/profiles/schema";
import { getDb } from "@/lib/db/client";
import { completeAuthorization, getAccessToken, startAuthorization } from "@/lib/tokens";

// Issue 12 point 6: an IdP that echoes the request form put `Generic-Password-0003%21`
// (URL-encoded) into the activity log and /logs; the authorization-code failure path did not
// scrub at all. Every token-path text must go through the one redactor, in every encoding.
const db = useTestDb();
const operator = localOperator();
// Characters that each encoding writes differently: ! / + " & space and a non-ASCII letter.
const PASSWORD = 'Echo-Pa55/word+0003!"& é';
const CLIENT_SECRET = "Echo~Client/Secret+77!'()*";

/** Every way the echo below (or another IdP) may write a secret. */
function encodings(secret: string): string[] {
  const form = new URLSearchParams({ v: secret }).toString().slice(2);
  return [secret, encodeURIComponent(secret), form, form.toLowerCase(), Buffer.from(secret).toString("base64").replace(/=+$/, ""), Buffer.from(secret).toString("base64url"), JSON.stringify(secret).slice(1, -1)];
}

let idp: HttpsFake;

beforeAll(async () => {
  // Answers every token request with an error that echoes the request: raw form, base64 of it,
  // and the parsed form as JSON — the three shapes real servers were seen to use.
  idp = await startHttpsFake({
    failurePath: () => false,
    respondFailure: () => undefined,
    handler: (req, res) => {
      const raw = new URLSearchParams(req.form).toString();
      sendJson(res, 400, { error: "invalid_request", error_description: `AADSTS900144: Bad request body ${raw} (b64 ${Buffer.from(raw).toString("base64")}) parsed ${JSON.stringify(req.form)}`, error_codes: [900144] });
    },
  });
});
afterAll(() => idp.close());

async function profileOf(kind: ProfileKind, name: string, settings: Record<string, unknown>, secrets: Record<string, string>) {
  const base = fixtureProfile(kind, name);
  return createProfile(operator, { ...base, settings: { ...base.settings, ...settings } as never, secrets: { ...base.secrets, ...secrets } });
}

describe("security 12.6: secrets echoed by an identity provider never reach the log, the error or /logs", () => {
  it("scrubs every encoding on the generic and MSAL token paths and on the authorization-code failure path", async () => {
    const generic = await profileOf("oauth2-generic", "echo generic", { tokenUrl: `${idp.url}/oauth2/token` }, { clientSecret: CLIENT_SECRET, password: PASSWORD });
    const delegated = await profileOf("m365-delegated", "echo delegated", { tokenUrl: `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`, tenantId: TENANT, clientId: CLIENT }, { password: PASSWORD, clientSecret: CLIENT_SECRET });
    const errors: string[] = [];
    for (const p of [generic, delegated]) {
      const error = await getAccessToken(operator, p.id, { forceRefresh: true }).then(
        () => null,
        (e: unknown) => e as { userMessage: string; hint?: string; details?: unknown },
      );
      expect(error).not.toBeNull();
      errors.push(JSON.stringify({ m: error!.userMessage, h: error!.hint, d: error!.details }));
    }
    // The IdP did receive the secrets (the echo is real), so their absence below means something.
    expect(idp.requests.some((r) => r.form.password === PASSWORD)).toBe(true);

    // Authorization code: the IdP's error redirect echoes the client secret and the code.
    const admin = await createAdmin(operator, "echo-admin", "Correct-Horse-Battery-9");
    const actor = { id: admin.id, username: admin.username, via: "web" as const };
    const authCode = await profileOf("m365-auth-code", "echo auth code", { tokenUrl: `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`, tenantId: TENANT, clientId: CLIENT }, { clientSecret: CLIENT_SECRET });
    const state = new URL((await startAuthorization(actor, authCode.id)).url).searchParams.get("state")!;
    const echoed = `invalid client_secret=${new URLSearchParams({ s: CLIENT_SECRET }).toString().slice(2)} b64 ${Buffer.from(CLIENT_SECRET).toString("base64")}`;
    const authError = await completeAuthorization(actor, { state, error: "invalid_client", errorDescription: echoed }).then(
      () => null,
      (e: unknown) => e as { userMessage: string; hint?: string; details?: unknown },
    );
    expect(authError).not.toBeNull();
    errors.push(JSON.stringify({ m: authError!.userMessage, h: authError!.hint, d: authError!.details }));

    const activity = JSON.stringify(await getDb().activity.findMany({ where: { OR: [{ action: "token.acquire" }, { action: "oauth.authorize" }] } }));
    expect(activity).toContain("AADSTS900144");
    const raw = rawDatabaseBytes(db).toString("latin1");
    for (const secret of [PASSWORD, CLIENT_SECRET]) {
      for (const form of encodings(secret)) {
        expect(activity, `activity holds ${form}`).not.toContain(form);
        for (const e of errors) expect(e, `error holds ${form}`).not.toContain(form);
        expect(raw.includes(form), `database file holds ${form}`).toBe(false);
      }
    }
  });
});
