import path from "node:path";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb, rawDatabaseBytes } from "@/tests/helpers/test-db";
import { runCliCaptured } from "@/tests/helpers/cli";
import { startFakeEntra, type FakeEntra } from "@/tests/fakes/fake-entra";
import { startWebhookReceiver, type WebhookReceiver } from "@/tests/fakes/webhook-receiver";
import { CLIENT, SECRET, TENANT, fixtureProfile } from "@/tests/fixtures/profiles";
import { localOperator } from "@/lib/auth/actor";
import { getDb } from "@/lib/db/client";
import { rotateMasterKey } from "@/lib/crypto/keyring";
import { createDevice } from "@/lib/relay/devices";
import { createProfile, getProfile, updateProfile, type ProfileDto } from "@/lib/profiles/dal";
import type { ProfileKind } from "@/lib/profiles/schema";
import { listActivity } from "@/lib/activity/dal";
import { DAY, HOUR, MINUTE, manualClock } from "@/lib/monitor/clock";
import { checkId, countRuns, findCheckRow } from "@/lib/monitor/dal";
import { createChannel, deleteChannel, listAlerts, listChannels } from "@/lib/monitor/alerts";
import { MonitorScheduler } from "@/lib/monitor/scheduler";
import { getExpiryCalendar, getTrafficLights, runChecksNow, sendTestAlert } from "@/lib/monitor/service";

const db = useTestDb();
const operator = localOperator();
const SIGNING = "test-signing-secret-0123456789abcdef";
let idp: FakeEntra;
let hook: WebhookReceiver;

async function profileOf(kind: ProfileKind, name: string, settings: Record<string, unknown> = {}, secrets?: Record<string, string>): Promise<ProfileDto> {
  const base = fixtureProfile(kind, name);
  return createProfile(operator, { ...base, settings: { ...base.settings, ...settings } as never, ...(secrets ? { secrets } : {}) });
}
const tokenUrl = () => `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`;

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Each describe starts from an empty monitoring state (profiles and channels of its own). */
async function resetMonitoring(): Promise<void> {
  const d = getDb();
  await d.alert.deleteMany();
  await d.alertChannel.deleteMany();
  await d.check.deleteMany();
  await d.profile.deleteMany();
  hook.received.length = 0;
  hook.setMode("ok");
  idp.clearFailures();
}

beforeAll(async () => {
  idp = await startFakeEntra({ tenants: [TENANT], clients: [{ clientId: CLIENT, secret: [SECRET.graphClientSecret] }] });
  hook = await startWebhookReceiver({ signingSecret: SIGNING });
});
afterAll(async () => {
  await idp?.close();
  await hook?.close();
});

describe("scheduler with an injected clock", () => {
  it("runs a token check every interval, never early, and a run missed while down exactly once at start", async () => {
    await resetMonitoring();
    const clock = manualClock("2026-12-01T00:00:00Z");
    const p = await profileOf("m365-app-graph", "sched", { tokenUrl: tokenUrl() });
    const s1 = new MonitorScheduler({ clock, concurrency: 2 });
    const before = idp.count();

    const first = await s1.tick();
    // A new expiry check runs at once; the token check first runs one interval (6 h) later.
    expect(first.reports.map((r) => r.type)).toEqual(["expiry"]);
    expect(idp.count()).toBe(before);
    expect((await findCheckRow(checkId("token", p.id)))!.nextRunAt.toISOString()).toBe("2026-12-01T06:00:00.000Z");

    clock.advance(5 * HOUR + 59 * MINUTE);
    expect((await s1.tick()).ran).toBe(0);
    clock.advance(MINUTE);
    const due = await s1.tick();
    expect(due.reports.map((r) => [r.type, r.status])).toEqual([["token", "ok"]]);
    expect(idp.count()).toBe(before + 1);
    await s1.stop();

    // "Restart" 24 h later: three runs (12:00, 18:00, 00:00) were missed; one run catches up.
    const s2 = new MonitorScheduler({ clock, concurrency: 2 });
    expect(s2.owner).not.toBe(s1.owner);
    clock.set("2026-12-02T06:30:00Z");
    const caught = await s2.tick();
    expect(caught.reports.filter((r) => r.type === "token")).toHaveLength(1);
    expect(idp.count()).toBe(before + 2);
    expect(await countRuns(checkId("token", p.id))).toBe(2);
    expect((await findCheckRow(checkId("token", p.id)))!.nextRunAt.toISOString()).toBe("2026-12-02T12:30:00.000Z");
    expect((await s2.tick()).ran).toBe(0);
  });

  it("alerts once on failing, reminds every 24 h, once on recovery — signed, with the documented fields", async () => {
    await resetMonitoring();
    const clock = manualClock("2026-12-01T00:00:00Z");
    const base = fixtureProfile("m365-app-graph", "payroll");
    const p = await createProfile(operator, { ...base, settings: { ...base.settings, tokenUrl: tokenUrl() } as never, secrets: { clientSecret: "Wrong~secret~value~0000" } });
    await createChannel(operator, { type: "webhook", name: "ops hook", url: hook.url, format: "generic", signingSecret: SIGNING });
    const s = new MonitorScheduler({ clock, concurrency: 2 });
    const events = async () => (await listAlerts(operator)).items.map((a) => a.event).reverse();

    await s.tick(); // expiry: ok
    for (let h = 6; h <= 54; h += 6) {
      clock.set(new Date(Date.parse("2026-12-01T00:00:00Z") + h * HOUR));
      await s.tick();
      await s.idle();
    }
    // failing at 06:00, reminders at 06:00 + 24 h and + 48 h.
    expect(await events()).toEqual(["failing", "reminder", "reminder"]);
    expect(hook.received).toHaveLength(3);
    const first = hook.received[0];
    expect(first.signatureValid).toBe(true);
    expect(first.headers["x-omc-event"]).toBe("failing");
    expect(first.json).toMatchObject({ event: "failing", profile: "payroll", check: "token", status: "failing", at: "2026-12-01T06:00:00.000Z" });
    const body = first.json as Record<string, string>;
    expect(body.message).toMatch(/AADSTS7000215|client secret/i);
    expect(body.hint.length).toBeGreaterThan(10);
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((hook.received[1].json as Record<string, string>).message).toContain("failing since 2026-12-01T06:00:00.000Z");

    // Fixed: one recovery alert, then silence.
    await updateProfile(operator, p.id, { ...base, settings: { ...base.settings, tokenUrl: tokenUrl() } as never, secrets: { clientSecret: SECRET.graphClientSecret }, version: p.version });
    for (const h of [60, 66, 72]) {
      clock.set(new Date(Date.parse("2026-12-01T00:00:00Z") + h * HOUR));
      await s.tick();
      await s.idle();
    }
    expect(await events()).toEqual(["failing", "reminder", "reminder", "recovered"]);
    expect(hook.received.map((r) => (r.json as { event: string }).event)).toEqual(["failing", "reminder", "reminder", "recovered"]);
    expect(hook.received.every((r) => r.signatureValid)).toBe(true);
    // Every alert is in the activity log.
    const logged = await listActivity(operator, { action: "alert." });
    expect(logged.items.map((a) => a.action).sort()).toEqual(["alert.failing", "alert.recovered", "alert.reminder", "alert.reminder"]);
    // The wrong secret never reached the receiver or the log.
    expect(hook.received.map((r) => r.raw).join("\n")).not.toContain("Wrong~secret");
  });

  it("warns 30/14/7/1 days before a client secret expires, once each, then fails when it has expired", async () => {
    await resetMonitoring();
    const start = Date.parse("2026-12-01T12:00:00Z");
    const clock = manualClock(new Date(start));
    // Expires at the end of 2027-01-15 (UTC): 45.5 days after the start.
    const expiring = await profileOf("m365-app-graph", "expiring", { tokenUrl: tokenUrl(), secretExpiresAt: "2027-01-15" });
    await createChannel(operator, { type: "webhook", name: "ops hook", url: hook.url, format: "generic", signingSecret: SIGNING });
    const s = new MonitorScheduler({ clock, concurrency: 4 });
    const seen: { day: number; event: string; message: string }[] = [];
    for (let day = 0; day <= 46; day++) {
      clock.set(new Date(start + day * DAY));
      const r = await s.tick();
      await s.idle();
      for (const rep of r.reports) for (const a of rep.alerts) seen.push({ day, event: a.event, message: rep.type === "expiry" ? (await listAlerts(operator, { pageSize: 1 })).items[0].message : "" });
    }
    expect(seen.map((x) => [x.day, x.event])).toEqual([
      // Whole days rounded up: on day 16 (29.5 days left) it is "30 days".
      [16, "expiring"],
      [32, "expiring"],
      [39, "expiring"],
      [45, "expiring"],
      [46, "failing"],
    ]);
    expect(seen.map((x) => x.message.match(/in (\d+) days?/)?.[1] ?? "expired")).toEqual(["30", "14", "7", "1", "expired"]);
    expect(hook.received.map((r) => (r.json as { event: string }).event)).toEqual(["expiring", "expiring", "expiring", "expiring", "failing"]);
    // The profile's badge says why: set by the expiry check.
    expect((await getProfile(operator, expiring.id)).health).toMatchObject({ state: "failing", check: "expiry", detail: "Expiry: Client secret expired on 2027-01-15." });
    // The calendar (90 days) lists it while it is ahead.
    clock.set(new Date(start));
    expect((await getExpiryCalendar(operator, clock)).map((e) => [e.profileName, e.kind, e.expiresAt.slice(0, 10)])).toEqual([["expiring", "client-secret", "2027-01-15"]]);
  });
});

describe("an identity-provider outage", () => {
  it("is unknown, not failing: no alert, no recovery, the traffic light amber", async () => {
    await resetMonitoring();
    const clock = manualClock("2026-12-01T00:00:00Z");
    const p = await profileOf("m365-app-graph", "blip", { tokenUrl: tokenUrl() });
    await createChannel(operator, { type: "webhook", name: "ops hook", url: hook.url, format: "generic", signingSecret: SIGNING });
    idp.setFailure({ kind: "status", status: 503, count: 10 });
    const [r] = await runChecksNow(operator, "blip:token", { clock });
    expect(r.status).toBe("unknown");
    expect(r.message).toMatch(/verdict/);
    expect(r.alerts).toEqual([]);
    expect((await findCheckRow(checkId("token", p.id)))!.alertState).toBe("ok");
    expect((await getTrafficLights(operator, clock)).find((l) => l.profileName === "blip")?.light).toBe("amber");
    idp.clearFailures();
    const [again] = await runChecksNow(operator, "blip:token", { clock });
    expect(again.status).toBe("ok");
    expect(again.alerts).toEqual([]);
    expect(hook.received).toHaveLength(0);
    expect((await getTrafficLights(operator, clock)).find((l) => l.profileName === "blip")?.light).toBe("green");
  });
});

describe("alert delivery", () => {
  it("a hanging receiver never blocks the checks; it and a 500 are retried with backoff until delivered", async () => {
    await resetMonitoring();
    const clock = manualClock("2026-12-01T00:00:00Z");
    await profileOf("m365-app-graph", "hang", { tokenUrl: tokenUrl() }, { clientSecret: "Wrong~secret~value~0001" });
    const ch = await createChannel(operator, { type: "webhook", name: "slow hook", url: hook.url, format: "generic", signingSecret: SIGNING });
    hook.setMode("hang");
    const s = new MonitorScheduler({ clock, concurrency: 2, deliveryTimeoutMs: 1500 });
    await s.tick();
    clock.advance(6 * HOUR);
    const tick = await s.tick();
    // The tick is over: the check result is stored while the delivery has not been answered.
    expect(tick.reports.find((r) => r.type === "token")?.status).toBe("failing");
    const delivery = async () => (await getDb().alertDelivery.findFirst({ where: { channelId: ch.id } }))!;
    expect((await delivery()).state).toBe("pending");
    await until(() => hook.hanging() === 1, "the hanging request");
    await s.idle();
    let d = await delivery();
    expect([d.state, d.attempts]).toEqual(["pending", 1]);
    expect(d.lastError).toMatch(/did not answer within 2 s|did not answer within 1 s/);
    expect(d.nextAttemptAt.getTime() - clock.now().getTime()).toBe(1 * MINUTE);
    expect((await listChannels(operator))[0]).toMatchObject({ status: "failing" });

    hook.setMode("500");
    clock.advance(30_000);
    await s.deliver();
    expect((await delivery()).attempts).toBe(1); // not due yet
    clock.advance(30_000);
    await s.deliver();
    d = await delivery();
    expect([d.state, d.attempts, d.lastError]).toEqual(["pending", 2, `${new URL(hook.url).host} answered 500: internal error`]);
    expect(d.nextAttemptAt.getTime() - clock.now().getTime()).toBe(5 * MINUTE);

    hook.setMode("ok");
    clock.advance(5 * MINUTE);
    await s.deliver();
    d = await delivery();
    expect([d.state, d.attempts]).toEqual(["delivered", 3]);
    expect(hook.received).toHaveLength(3);
    expect(new Set(hook.received.map((r) => (r.json as { id: string }).id)).size).toBe(1);
    expect((await listChannels(operator))[0]).toMatchObject({ status: "ok" });
  });

  it("gives up after the last attempt; a redirect is never followed", async () => {
    await resetMonitoring();
    const clock = manualClock("2026-12-01T00:00:00Z");
    await createChannel(operator, { type: "webhook", name: "moved", url: hook.url, format: "generic", signingSecret: SIGNING });
    hook.setMode("redirect");
    const res = await sendTestAlert(operator, "moved", { clock });
    expect(res.ok).toBe(false);
    expect(res.message).toContain("redirect; not followed");
    expect(res.alert.deliveries[0]).toMatchObject({ state: "failed", attempts: 1 });
  });
});

describe("Teams and Slack channels", () => {
  it("post their documented formats over HTTPS; URLs are sealed and never listed", async () => {
    await resetMonitoring();
    const teams = await startWebhookReceiver({ tls: true, path: "/workflows/abc123/triggers/manual/paths/invoke?sig=TeamsSecretToken42", okStatus: 202, okBody: "" });
    const slack = await startWebhookReceiver({ tls: true, path: "/services/T000/B000/SlackSecretToken42" });
    try {
      await createChannel(operator, { type: "webhook", name: "teams", url: teams.url, format: "teams" });
      await createChannel(operator, { type: "webhook", name: "slack", url: slack.url, format: "slack" });
      expect((await sendTestAlert(operator, "teams")).ok).toBe(true);
      expect((await sendTestAlert(operator, "slack")).ok).toBe(true);
      const t = teams.received[0].json as { type: string; attachments: { contentType: string; content: { type: string; body: { text?: string }[] } }[] };
      expect(t.type).toBe("message");
      expect(t.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
      expect(t.attachments[0].content.type).toBe("AdaptiveCard");
      expect(t.attachments[0].content.body[0].text).toBe("Test alert");
      const sl = slack.received[0].json as { text: string; blocks: { type: string }[] };
      expect(sl.text).toMatch(/^Test alert/);
      expect(sl.blocks[0].type).toBe("header");
      // Teams/Slack requests carry no signature header (their formats have none).
      expect(teams.received[0].headers["x-omc-signature"]).toBeUndefined();
      const listed = JSON.stringify(await listChannels(operator));
      const out = await runCliCaptured(["alert", "channel", "list", "--json"]);
      for (const text of [listed, out.out, rawDatabaseBytes(db).toString("latin1")]) {
        expect(text).not.toContain("TeamsSecretToken42");
        expect(text).not.toContain("SlackSecretToken42");
      }
    } finally {
      await teams.close();
      await slack.close();
    }
  });
});

describe("the CLI twin", () => {
  it("check run / check list / alert channel add|list|test|delete / alert history", async () => {
    await resetMonitoring();
    await profileOf("m365-app-graph", "cli-ok", { tokenUrl: tokenUrl() });
    await profileOf("m365-app-graph", "cli-bad", { tokenUrl: tokenUrl() }, { clientSecret: "Wrong~secret~value~0002" });

    // Without --signing-secret-stdin a secret is generated and printed once.
    let r = await runCliCaptured(["alert", "channel", "add", "generated", "--webhook", hook.url]);
    expect(r.code).toBe(0);
    expect(r.out.split("\n").filter((l) => /^[0-9a-f]{64}$/.test(l))).toHaveLength(1);
    expect((await runCliCaptured(["alert", "channel", "delete", "generated"])).code).toBe(0);
    r = await runCliCaptured(["alert", "channel", "add", "ops", "--webhook", hook.url, "--signing-secret-stdin"], SIGNING);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain(SIGNING);
    r = await runCliCaptured(["alert", "channel", "add", "ops2", "--webhook", "-", "--format", "slack"], "http://127.0.0.1:1/hook");
    expect(r).toMatchObject({ code: 2 });
    expect(r.err).toContain("Slack webhook URLs start with https://");
    r = await runCliCaptured(["alert", "channel", "add", "mail", "--email", "ops@contoso.com"]);
    expect(r.code).toBe(2);

    r = await runCliCaptured(["check", "run", "cli-ok"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/cli-ok\s+token\s+OK/);
    r = await runCliCaptured(["check", "run", "--json"]);
    expect(r.code).toBe(1);
    const runs = JSON.parse(r.out) as { profileName: string; type: string; status: string }[];
    expect(runs.find((x) => x.profileName === "cli-bad" && x.type === "token")?.status).toBe("failing");
    r = await runCliCaptured(["check", "list", "--json"]);
    expect((JSON.parse(r.out) as { profileName: string; type: string; status: string }[]).map((c) => `${c.profileName}:${c.type}:${c.status}`)).toEqual(["cli-bad:expiry:ok", "cli-bad:token:failing", "cli-ok:expiry:ok", "cli-ok:token:ok"]);
    r = await runCliCaptured(["check", "list"]);
    expect(r.out).toMatch(/cli-bad\s+token\s+FAILING/);

    // The failing alert reached the channel (check run delivers before it exits), signed.
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]).toMatchObject({ signatureValid: true, json: { event: "failing", profile: "cli-bad", check: "token" } });
    r = await runCliCaptured(["alert", "channel", "test", "ops"]);
    expect([r.code, r.out]).toEqual([0, 'Test alert delivered to "ops".']);
    r = await runCliCaptured(["alert", "history", "--json"]);
    expect((JSON.parse(r.out) as { event: string; deliveries: { state: string }[] }[]).map((a) => `${a.event}:${a.deliveries[0]?.state}`)).toEqual(["test:delivered", "failing:delivered"]);
    r = await runCliCaptured(["alert", "history"]);
    expect(r.out).toContain("→ ops: delivered");
    r = await runCliCaptured(["alert", "channel", "delete", "ops"]);
    expect(r.code).toBe(0);
    r = await runCliCaptured(["alert", "channel", "test", "ops"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('No alert channel named "ops"');
    await deleteChannel(operator, "ops").catch(() => undefined);
  });
});

describe("two processes racing for one check", () => {
  it("run it once: the second waits for the first and reports its result", async () => {
    await resetMonitoring();
    await profileOf("m365-app-graph", "race", { tokenUrl: tokenUrl() });
    await runCliCaptured(["check", "list"]); // creates the checks
    const before = idp.count();
    const release = idp.holdResponses();
    const CLI = ["--conditions=react-server", "--import", "tsx", path.resolve("cli/main.ts"), "check", "run", "race:token"];
    const env = { ...process.env, DATA_DIR: db.dir, DATABASE_FILE: db.file, CONSOLE_MASTER_KEY: db.masterKey };
    const start = () => {
      const child = spawn(process.execPath, CLI, { env, stdio: ["ignore", "pipe", "pipe"] });
      const out = { stdout: "", stderr: "", code: null as number | null };
      child.stdout.on("data", (c: Buffer) => (out.stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (out.stderr += c.toString()));
      const done = new Promise<typeof out>((resolve) => child.on("close", (code) => resolve({ ...out, code })));
      return { out, done };
    };
    try {
      const a = start();
      // A holds the lease and waits for the IdP; then B starts and must find the lease taken.
      await until(() => idp.count() === before + 1, "process A's token request", 60_000);
      const b = start();
      await until(() => b.out.stderr.includes("already running in another process"), "process B to wait", 60_000);
      release();
      const [ra, rb] = await Promise.all([a.done, b.done]);
      expect(ra.code).toBe(0);
      expect(rb.code).toBe(0);
      expect(rb.stdout).toContain("its result");
      expect(idp.count()).toBe(before + 1);
      expect(await countRuns(checkId("token", (await getDb().profile.findUniqueOrThrow({ where: { name: "race" } })).id))).toBe(1);
    } finally {
      release();
    }
  }, 120_000);
});

describe("master key rotation", () => {
  it("re-encrypts alert channel secrets: the channel still delivers afterwards", async () => {
    await resetMonitoring();
    await createChannel(operator, { type: "webhook", name: "after rotation", url: hook.url, format: "generic", signingSecret: SIGNING });
    const before = (await getDb().alertChannel.findFirstOrThrow()).secrets;
    const res = await rotateMasterKey(operator, { newKey: randomBytes(32) });
    expect(res.fingerprint).not.toBe(res.previousFingerprint);
    expect((await getDb().alertChannel.findFirstOrThrow()).secrets).not.toBe(before);
    expect((await sendTestAlert(operator, "after rotation")).ok).toBe(true);
    expect(hook.received.at(-1)?.signatureValid).toBe(true);
  });
});

describe("relay health", () => {
  it("one console-wide check once the relay has devices: ok, then a warning when a device goes silent", async () => {
    await resetMonitoring();
    const clock = manualClock(new Date());
    const s = new MonitorScheduler({ clock, concurrency: 2 });
    expect((await s.tick()).reports.filter((r) => r.type === "relay")).toHaveLength(0);
    await profileOf("m365-app-graph", "relay-profile", { tokenUrl: tokenUrl() });
    await createDevice(operator, { name: "printer-3", profile: "relay-profile" });
    const first = await s.tick();
    expect(first.reports.find((r) => r.type === "relay")).toMatchObject({ status: "ok", checkId: "relay:console" });
    // The device was last heard of two days ago: silent.
    await getDb().relayDevice.updateMany({ data: { createdAt: new Date(Date.now() - 2 * DAY) } });
    const [r] = await runChecksNow(operator, "relay", { clock });
    expect(r).toMatchObject({ status: "warning", message: expect.stringContaining("printer-3") });
    const list = await runCliCaptured(["check", "list"]);
    expect(list.out).toMatch(/\(relay\)\s+relay\s+WARNING/);
  });

  it("a device quiet for longer than its usual interval is noticed before a day has passed", async () => {
    const profile = await getDb().profile.findFirstOrThrow({ where: { name: "relay-profile" } });
    const d = await createDevice(operator, { name: "scanner-7", profile: "relay-profile" });
    const now = Date.now();
    // Every 10 minutes until 2 hours ago.
    for (let i = 0; i < 6; i++) {
      const at = new Date(now - 2 * HOUR - i * 10 * MINUTE);
      await getDb().relayMessage.create({ data: { id: `m-${i}`, deviceId: d.id, deviceName: d.name, profileId: profile.id, state: "delivered", mailFrom: "scanner@contoso.com", rcptTo: "[]", rcptCount: 1, size: 100, messageId: `<m-${i}@t>`, sha256: "x", receivedAt: at, expiresAt: new Date(now + DAY), deliveredAt: at } });
    }
    await getDb().relayDevice.updateMany({ where: { name: "scanner-7" }, data: { lastSeenAt: new Date(now - 2 * HOUR), createdAt: new Date(now - 3 * HOUR) } });
    await getDb().relayDevice.updateMany({ where: { name: "printer-3" }, data: { createdAt: new Date(now), lastSeenAt: new Date(now) } });
    const [r] = await runChecksNow(operator, "relay");
    expect(r).toMatchObject({ status: "warning", message: expect.stringContaining("scanner-7 (usually every 10 min)") });
    expect(r.message).not.toContain("printer-3");
    // Back to its rhythm: heard from a minute ago.
    await getDb().relayMessage.create({ data: { id: "m-now", deviceId: d.id, deviceName: d.name, profileId: profile.id, state: "delivered", mailFrom: "scanner@contoso.com", rcptTo: "[]", rcptCount: 1, size: 100, messageId: "<m-now@t>", sha256: "x", receivedAt: new Date(now - MINUTE), expiresAt: new Date(now + DAY) } });
    await getDb().relayDevice.updateMany({ where: { name: "scanner-7" }, data: { lastSeenAt: new Date(now - MINUTE) } });
    expect((await runChecksNow(operator, "relay"))[0].status).toBe("ok");
  });
});
