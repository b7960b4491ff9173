import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { startFakeEntra, type FakeEntra } from "@/tests/fakes/fake-entra";
import { verifyTestAccessToken } from "@/tests/fakes/idp-keys";
import { CLIENT, SECRET, TENANT, fixtureProfile } from "@/tests/fixtures/profiles";
import { localOperator } from "@/lib/auth/actor";
import { createProfile } from "@/lib/profiles/dal";
import { listActivity } from "@/lib/activity/dal";
import { runCliCaptured } from "@/tests/helpers/cli";

useTestDb();
let idp: FakeEntra;

const cli = (...argv: string[]) => runCliCaptured(argv);

beforeAll(async () => {
  idp = await startFakeEntra({ tenants: [TENANT], clients: [{ clientId: CLIENT, secret: SECRET.graphClientSecret }] });
  const graph = fixtureProfile("m365-app-graph", "cli-graph");
  await createProfile(localOperator(), { ...graph, settings: { ...graph.settings, tokenUrl: `${idp.url}/{TENANT_ID}/oauth2/v2.0/token` } as never });
  await createProfile(localOperator(), fixtureProfile("smtp-basic", "cli-basic"));
});
afterAll(() => idp?.close());

describe("npm run cli -- token", () => {
  it("prints the claims summary and expiry, never the token", async () => {
    const first = await cli("token", "cli-graph");
    expect(first.code).toBe(0);
    expect(first.out).toContain("newly acquired");
    expect(first.out).toMatch(/audience \(aud\)\s+https:\/\/graph\.microsoft\.com/);
    expect(first.out).toMatch(/roles\s+Mail\.Send/);
    expect(first.out).toMatch(/expires\s+\S+ \(in (59|60) min/);
    expect(first.out).not.toMatch(/eyJ/);
    const json = await cli("token", "--json", "cli-graph");
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.out) as Record<string, unknown>;
    expect(parsed).toMatchObject({ source: "cache", claims: { aud: "https://graph.microsoft.com", appid: CLIENT } });
    expect(parsed).not.toHaveProperty("accessToken");
    expect(json.out).not.toMatch(/eyJ/);
  });

  it("--force asks the IdP again; --reveal prints the token and logs token.reveal", async () => {
    const before = idp.tokenRequests().length;
    expect((await cli("token", "cli-graph", "--force")).code).toBe(0);
    expect(idp.tokenRequests().length).toBe(before + 1);
    const revealed = await cli("token", "cli-graph", "--reveal", "--json");
    const token = (JSON.parse(revealed.out) as { accessToken: string }).accessToken;
    expect((await verifyTestAccessToken(token, "https://graph.microsoft.com")).roles).toEqual(["Mail.Send"]);
    const reveals = await listActivity(localOperator(), { action: "token.reveal" });
    expect(reveals.items[0]).toMatchObject({ outcome: "info", profileName: "cli-graph" });
  });

  it("token list and token clear", async () => {
    const list = await cli("token", "list");
    expect(list.out).toMatch(/cli-graph\s+valid/);
    expect(list.out).not.toMatch(/eyJ/);
    const cleared = await cli("token", "clear", "cli-graph");
    expect(cleared).toMatchObject({ code: 0, out: expect.stringContaining("Cleared 1 cached token entry") });
    expect((await cli("token", "list")).out).toContain("empty");
  });

  it("exit codes: unknown profile, kind without tokens, IdP failure with the decoded hint", async () => {
    expect((await cli("token", "nope")).code).toBe(1);
    const basic = await cli("token", "cli-basic");
    expect(basic.code).toBe(1);
    expect(basic.err).toMatch(/do not use OAuth tokens/);
    idp.setFailure({ kind: "error", aadsts: 7000222 });
    const failed = await cli("token", "cli-graph");
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/AADSTS7000222/);
    expect(failed.err).toMatch(/hint: Create a new client secret/);
    expect((await cli("token", "cli-graph", "--purpose", "pop3")).code).toBe(2);
  });
});
