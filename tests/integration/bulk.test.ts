import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { runCliCaptured } from "@/tests/helpers/cli";
import { startFakeEntra, type FakeEntra } from "@/tests/fakes/fake-entra";
import { CLIENT, SECRET, TENANT, fixtureProfile } from "@/tests/fixtures/profiles";
import { localOperator, type Actor } from "@/lib/auth/actor";
import { createAdmin } from "@/lib/auth/admins";
import { listActivity } from "@/lib/activity/dal";
import { createProfile, findProfile, listProfiles, type ProfileDto } from "@/lib/profiles/dal";
import type { ProfileKind } from "@/lib/profiles/schema";
import { runBulkOperation } from "@/lib/profiles/bulk";
import type { BulkRunResult, BulkStreamEvent } from "@/lib/profiles/bulk-types";
import { getTokenCacheForProfile } from "@/lib/tokens";
import { idle } from "@/lib/action-result";
import type { BulkExportData } from "@/lib/export/results";
import { strFromU8, unzipSync } from "fflate";

/**
 * Bulk work (issue 16.2): one lib function behind POST /api/profiles/bulk and `profile test|refresh
 * --all`. The route runs for real (only the session lookup is replaced by the signed-in admin),
 * against the fake Entra with its real error shapes.
 */

const signedIn = vi.hoisted(() => ({ admin: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({
  requireAdmin: async () => signedIn.admin,
  getCurrentAdmin: async () => signedIn.admin,
}));

const { POST } = await import("@/app/api/profiles/bulk/route");
const { exportAllAction } = await import("@/app/(console)/profiles/export/actions");

useTestDb();
const operator = localOperator();
let idp: FakeEntra;
const made: Record<string, ProfileDto> = {};

async function profile(kind: ProfileKind, name: string, settings: Record<string, unknown> = {}, secrets: Record<string, string> = {}): Promise<ProfileDto> {
  const base = fixtureProfile(kind, name);
  const p = await createProfile(operator, { ...base, settings: { ...base.settings, ...settings } as never, secrets: { ...base.secrets, ...secrets } });
  made[name] = p;
  return p;
}

async function post(body: unknown): Promise<{ status: number; events: BulkStreamEvent[]; error?: { code: string; message: string } }> {
  const res = await POST(new Request("http://localhost/api/profiles/bulk", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
  const text = await res.text();
  if (res.status !== 200) return { status: res.status, events: [], error: JSON.parse(text).error };
  return { status: res.status, events: text.trim().split("\n").map((l) => JSON.parse(l) as BulkStreamEvent) };
}

/** Entra puts a new correlation ID into every answer: the one part of the output the IdP, not the input, decides. */
function sameIdp<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/Correlation ID for support: [0-9a-f-]{36}/g, "Correlation ID for support: <id>")) as T;
}

function doneOf(events: BulkStreamEvent[]): BulkRunResult {
  const done = events.find((e) => e.type === "done");
  if (!done || done.type !== "done") throw new Error(`no done line: ${JSON.stringify(events)}`);
  const { type: _type, ...run } = done;
  return run;
}

beforeAll(async () => {
  // Token messages carry the expiry time: one frozen clock for both twins (Date only; timers stay real).
  vi.useFakeTimers({ toFake: ["Date"], now: new Date() });
  idp = await startFakeEntra({ tenants: [TENANT], clients: [{ clientId: CLIENT, secret: [SECRET.graphClientSecret] }], users: [] });
  const tokenUrl = `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`;
  const a = await createAdmin(operator, "bulk-admin", "Correct-Horse-Battery-9");
  signedIn.admin = { id: a.id, username: a.username, via: "web" };
  await profile("m365-app-graph", "bulk good", { tokenUrl });
  await profile("m365-app-graph", "bulk wrong secret", { tokenUrl }, { clientSecret: "Wrong~Secret~For~The~Bulk~Test" });
  await profile("log-only", "bulk log");
  await profile("log-only", "other log");
});

afterAll(async () => {
  vi.useRealTimers();
  await idp?.close();
});

describe("bulk test", () => {
  it("runs the token check on each selected profile: ok, failed with the decoded reason, skipped without OAuth; logged", async () => {
    const before = idp.count();
    const run = await runBulkOperation(operator, "test", { filter: { q: "bulk" } });
    expect(run.summary).toEqual({ total: 3, ok: 1, failed: 1, skipped: 1 });
    const by = Object.fromEntries(run.results.map((r) => [r.profileName, r]));
    expect(by["bulk good"]).toMatchObject({ status: "ok", profileId: made["bulk good"].id });
    expect(by["bulk good"].message).toMatch(/^Token acquired/);
    expect(by["bulk wrong secret"]).toMatchObject({ status: "failed", code: "token_check_failed" });
    expect(by["bulk wrong secret"].message).toContain("AADSTS7000215");
    expect(by["bulk wrong secret"].hint).toBeTruthy();
    expect(by["bulk log"]).toMatchObject({ status: "skipped" });
    expect(by["bulk log"].message).toMatch(/No token to check/);
    // Two token requests (no mail, no request for the log-only profile), and the health follows.
    expect(idp.count() - before).toBe(2);
    expect((await findProfile(operator, made["bulk wrong secret"].id))?.health.state).toBe("failing");
    const log = await listActivity(operator, { action: "profile.bulk-test" });
    expect(log.items[0]).toMatchObject({ outcome: "failure" });
    expect(log.items[0].summary).toContain("1 ok, 1 failed, 1 skipped (of 3)");
    expect(JSON.stringify(run)).not.toContain(SECRET.graphClientSecret);
  });

  it("the console's route and `profile test --all --json` give the same result for the same selection; exit 1 when one failed", async () => {
    const web = await post({ operation: "test", selection: { filter: { q: "bulk" } } });
    expect(web.status).toBe(200);
    expect(web.events[0]).toEqual({ type: "start", operation: "test", total: 3 });
    expect(web.events.filter((e) => e.type === "item")).toHaveLength(3);
    const cli = await runCliCaptured(["profile", "test", "--all", "--search", "bulk", "--json"]);
    expect(cli.code, cli.err).toBe(1);
    expect(sameIdp(JSON.parse(cli.out))).toEqual(sameIdp(doneOf(web.events)));

    // Kind filter: the same selection as the list's ?kind=.
    const listed = await listProfiles(operator, { kind: "log-only" });
    const kindRun = await runCliCaptured(["profile", "test", "--all", "--kind", "log-only", "--json"]);
    expect(kindRun.code, kindRun.err).toBe(0);
    const parsed = JSON.parse(kindRun.out) as BulkRunResult;
    expect(parsed.results.map((r) => r.profileId).sort()).toEqual(listed.items.map((p) => p.id).sort());
    expect(parsed.summary).toEqual({ total: 2, ok: 0, failed: 0, skipped: 2 });
    const webKind = await post({ operation: "test", selection: { filter: { kind: "log-only" } } });
    expect(doneOf(webKind.events)).toEqual(parsed);
  });

  it("the CLI prints a line per profile and the summary; bad flags exit 2 naming the flag", async () => {
    const r = await runCliCaptured(["profile", "test", "--all", "--search", "bulk"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAILED +bulk wrong secret +.*AADSTS7000215/m);
    expect(r.out).toMatch(/^OK +bulk good/m);
    expect(r.out).toMatch(/^SKIPPED +bulk log/m);
    expect(r.out).toContain("Test tokens: 1 ok, 1 failed, 1 skipped (of 3)");
    expect(r.err).toContain("no mail is sent");
    const bad = await runCliCaptured(["profile", "test", "--all", "--kind", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--kind");
    expect((await runCliCaptured(["profile", "test"])).code).toBe(2);
    const one = await runCliCaptured(["profile", "test", "bulk good", "--json"]);
    expect(one.code, one.err).toBe(0);
    expect(JSON.parse(one.out).summary).toEqual({ total: 1, ok: 1, failed: 0, skipped: 0 });
  });

  it("works on at most 4 profiles at once", async () => {
    const tokenUrl = `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`;
    for (let i = 0; i < 10; i++) await profile("m365-app-graph", `conc ${String(i).padStart(2, "0")}`, { tokenUrl });
    idp.setResponseDelay(150);
    try {
      const peakBefore = idp.maxInFlight();
      const run = await runBulkOperation(operator, "refresh", { filter: { q: "conc" } });
      expect(run.summary).toEqual({ total: 10, ok: 10, failed: 0, skipped: 0 });
      expect(idp.maxInFlight()).toBeLessThanOrEqual(Math.max(4, peakBefore));
      expect(idp.maxInFlight()).toBeGreaterThan(1);
    } finally {
      idp.setResponseDelay(0);
    }
  });
});

describe("bulk refresh", () => {
  it("puts a new token into the cache for the ticked profiles; the CLI twin gives the same shape", async () => {
    const ids = [made["bulk good"].id, made["bulk log"].id];
    const web = await post({ operation: "refresh", selection: { ids } });
    const run = doneOf(web.events);
    expect(run.summary).toEqual({ total: 2, ok: 1, failed: 0, skipped: 1 });
    expect(run.results.find((r) => r.profileName === "bulk good")?.message).toMatch(/^New token.*expires/);
    expect(await getTokenCacheForProfile(operator, made["bulk good"].id)).toHaveLength(1);
    const cli = await runCliCaptured(["profile", "refresh", "--all", "--search", "bulk", "--json"]);
    expect(cli.code).toBe(1);
    const parsed = JSON.parse(cli.out) as BulkRunResult;
    expect(parsed.results.find((r) => r.profileName === "bulk wrong secret")).toMatchObject({ status: "failed", code: "AADSTS7000215" });
  });
});

describe("bulk export", () => {
  async function exportZip(fields: Record<string, string>): Promise<{ data: BulkExportData; files: Record<string, Uint8Array> }> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    const r = await exportAllAction(idle as never, form);
    if (r.status !== "success" || !r.data) throw new Error(`export failed: ${JSON.stringify(r)}`);
    return { data: r.data, files: unzipSync(new Uint8Array(Buffer.from(r.data.zipBase64, "base64"))) };
  }

  it("the ticked profiles as one ZIP (a folder each, no secrets), other kinds counted as skipped", async () => {
    const { data, files } = await exportZip({ format: "imail-config", ids: [made["bulk good"].id, made["bulk wrong secret"].id, made["bulk log"].id].join(",") });
    expect(Object.keys(files).sort()).toEqual(["bulk good/iMailOAuth.config", "bulk wrong secret/iMailOAuth.config"]);
    expect(strFromU8(files["bulk good/iMailOAuth.config"])).not.toContain(SECRET.graphClientSecret);
    expect(data).toMatchObject({ written: 2, otherKinds: 1, failed: [] });
  });

  it("the list's status filter selects like the list", async () => {
    const failing = await listProfiles(operator, { statuses: ["failing"] });
    expect(failing.items.map((p) => p.name)).toContain("bulk wrong secret");
    const { files } = await exportZip({ format: "imail-config", status: "failing" });
    expect(Object.keys(files).sort()).toEqual(failing.items.filter((p) => p.kind === "m365-app-graph").map((p) => `${p.name}/iMailOAuth.config`).sort());
  });

  it("refuses a bad id list naming the field", async () => {
    const form = new FormData();
    form.set("format", "imail-config");
    form.set("ids", "not-a-uuid");
    const r = await exportAllAction(idle as never, form);
    expect(r).toMatchObject({ status: "error", fieldErrors: { "ids.0": ["Unknown profile id"] } });
  });
});

describe("bulk delete", () => {
  it("refuses without the confirmed count or with a stale one, deleting nothing; deletes with it, logged", async () => {
    const ids = [made["other log"].id, made["conc 00"].id];
    expect((await post({ operation: "delete", selection: { ids } })).status).toBe(400);
    const stale = await post({ operation: "delete", selection: { ids }, confirmCount: 3 });
    expect(stale.status).toBe(409);
    expect(stale.error?.message).toContain("covers 2 profile(s), not the 3");
    expect(await findProfile(operator, ids[0])).not.toBeNull();
    const ok = await post({ operation: "delete", selection: { ids }, confirmCount: 2 });
    expect(doneOf(ok.events).summary).toEqual({ total: 2, ok: 2, failed: 0, skipped: 0 });
    expect(await findProfile(operator, ids[0])).toBeNull();
    expect(await findProfile(operator, ids[1])).toBeNull();
    const log = await listActivity(operator, { action: "profile.bulk-delete" });
    expect(log.items[0].summary).toContain("Delete, 2 selected profile(s): 2 ok, 0 failed, 0 skipped (of 2)");
    expect((await listActivity(operator, { action: "profile.delete" })).total).toBeGreaterThanOrEqual(2);
  });

  it("the route authenticates first, then refuses other origins, other content types and oversized bodies", async () => {
    const req = (headers: Record<string, string>, body: string) => POST(new Request("http://localhost/api/profiles/bulk", { method: "POST", headers, body }));
    const body = JSON.stringify({ operation: "delete", selection: { ids: [made["bulk good"].id] }, confirmCount: 1 });
    const admin = signedIn.admin;
    signedIn.admin = null;
    try {
      expect((await req({ "content-type": "application/json" }, body)).status).toBe(401);
    } finally {
      signedIn.admin = admin;
    }
    expect((await req({ "content-type": "application/json", origin: "https://evil.example" }, body)).status).toBe(403);
    expect((await req({ "content-type": "text/plain" }, body)).status).toBe(415);
    expect((await req({ "content-type": "application/json" }, JSON.stringify({ operation: "test", selection: { ids: Array.from({ length: 1200 }, () => crypto.randomUUID()) } }))).status).toBe(413);
    expect(await findProfile(operator, made["bulk good"].id)).not.toBeNull();
  });

  it("rejects bad requests with the field named", async () => {
    expect((await post({ operation: "explode", selection: { ids: [made["bulk good"].id] } })).error?.message).toMatch(/Choose an operation/);
    expect((await post({ operation: "test", selection: { ids: ["nope"] } })).error?.message).toMatch(/Unknown profile id/);
    expect((await post({ operation: "test", selection: { ids: [made["bulk good"].id], filter: {} } })).error?.message).toMatch(/not both/);
    expect((await post({ operation: "test", selection: { filter: { q: "no such profile" } } })).status).toBe(400);
    const tooMany = await post({ operation: "test", selection: { ids: Array.from({ length: 501 }, () => crypto.randomUUID()) } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.error?.message).toMatch(/at most 500 profiles one by one/);
  });
});
