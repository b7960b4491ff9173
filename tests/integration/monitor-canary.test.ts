import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { startFakeEntra, type FakeEntra } from "@/tests/fakes/fake-entra";
import { startSmtpPeer, type SmtpPeer } from "@/tests/fakes/smtp-peer";
import { startDovecot, type DovecotServer } from "@/tests/fakes/dovecot";
import { CLIENT, SECRET, TENANT, fixtureProfile } from "@/tests/fixtures/profiles";
import { localOperator } from "@/lib/auth/actor";
import { createProfile, getProfile, type ProfileDto } from "@/lib/profiles/dal";
import { CANARY_HEADER } from "@/lib/monitor/canary";
import { manualClock } from "@/lib/monitor/clock";
import { checkId, findCheckRow, listCanaryLatencies, updateCheckRow } from "@/lib/monitor/dal";
import { MonitorScheduler } from "@/lib/monitor/scheduler";
import { configureProfileMonitoring, runChecksNow, sendTestAlert } from "@/lib/monitor/service";
import { createChannel } from "@/lib/monitor/alerts";

// The canary end to end against the repo's real peers: the message goes out over SMTP XOAUTH2 to
// smtp-server, which hands it to Dovecot's Maildir like an MTA; the canary reads Dovecot over
// IMAP XOAUTH2 (token from the fake Entra), finds it by its X-OMC-Canary header and deletes it.

const db = useTestDb();
const operator = localOperator();
const MAILBOX = "sender@contoso.com";
let idp: FakeEntra;
let peer: SmtpPeer;
let dovecot: DovecotServer;
/** Whether the "MTA" delivers what the SMTP peer accepts (off: mail is lost after acceptance). */
let delivering = true;
let sender: ProfileDto;
let seedFiles: string[];

beforeAll(async () => {
  void db;
  idp = await startFakeEntra({ tenants: [TENANT], clients: [{ clientId: CLIENT, secret: [SECRET.delegatedClientSecret] }], users: [{ username: MAILBOX, password: SECRET.delegatedPassword }] });
  dovecot = await startDovecot({ accounts: [{ address: MAILBOX, messages: [{ from: "boss@contoso.com", subject: "Seed", date: new Date("2026-02-01T09:30:00Z") }] }], clientIds: [CLIENT] });
  peer = await startSmtpPeer({
    mailboxes: [MAILBOX],
    onReceived: (m) => {
      if (!delivering) return;
      for (const r of m.rcptTo) if (r.address.toLowerCase() === MAILBOX) dovecot.deliver(MAILBOX, m.raw);
    },
  });
  const base = fixtureProfile("m365-delegated", "canary-sender");
  sender = await createProfile(operator, {
    ...base,
    settings: { ...base.settings, tokenUrl: `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`, fromAddress: MAILBOX, smtpHost: peer.host, smtpPort: peer.port, smtpSecurity: "starttls", imapHost: dovecot.host, imapPort: dovecot.port, imapSecurity: "tls" } as never,
  });
  seedFiles = dovecot.inboxFiles(MAILBOX);
});
afterAll(async () => {
  await peer?.stop();
  await dovecot?.stop();
  await idp?.close();
});

describe("canary", () => {
  it("is opt-in and validated: recipient and an IMAP-capable profile are required", async () => {
    await expect(configureProfileMonitoring(operator, sender.id, { canaryEnabled: true, canaryImapProfileId: sender.id })).rejects.toMatchObject({ field: "canaryTo" });
    expect(await findCheckRow(checkId("canary", sender.id))).toBeNull();
  });

  it("sends, proves arrival by its unique header, records the latency and deletes the message", async () => {
    const m = await configureProfileMonitoring(operator, sender.id, { canaryEnabled: true, canaryTo: MAILBOX, canaryImapProfileId: sender.id, canaryIntervalMinutes: 15, canaryTimeLimitSeconds: 60 });
    expect(m.canary).toMatchObject({ enabled: true, to: MAILBOX, intervalMinutes: 15, timeLimitSeconds: 60 });
    await updateCheckRow(checkId("canary", sender.id), { config: { to: MAILBOX, imapProfileId: sender.id, timeLimitSeconds: 60, pollMs: 100 } });

    const [r] = await runChecksNow(operator, "canary-sender:canary");
    expect(r.status, r.message).toBe("ok");
    expect(r.message).toMatch(/arrived at sender@contoso.com in [\d.]+ s and was deleted/);
    expect(r.latencyMs).toBeGreaterThan(0);
    // It really went through SMTP with the unique header …
    const sent = peer.received.at(-1)!;
    const id = sent.parsed.headers.get(CANARY_HEADER.toLowerCase());
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.authUser).toBe(MAILBOX);
    // … into the mailbox, and is gone again: only the seed message is left.
    expect(dovecot.inboxFiles(MAILBOX)).toHaveLength(seedFiles.length);
    expect((await getProfile(operator, sender.id)).health).toMatchObject({ state: "ok", check: "canary" });
    const latencies = await listCanaryLatencies(operator, new Date(Date.now() - 3600_000));
    expect(latencies.map((l) => [l.profileName, l.status, l.latencyMs === r.latencyMs])).toEqual([["canary-sender", "ok", true]]);
  });

  it("fails (and alerts) when the accepted message never arrives within the limit", async () => {
    delivering = false;
    try {
      await updateCheckRow(checkId("canary", sender.id), { config: { to: MAILBOX, imapProfileId: sender.id, timeLimitSeconds: 2, pollMs: 100 } });
      const [r] = await runChecksNow(operator, "canary-sender:canary");
      expect(r.status).toBe("failing");
      expect(r.message).toMatch(/did not arrive within 2 s/);
      expect(r.hint).toMatch(/message trace/);
      expect(r.alerts.map((a) => a.event)).toEqual(["failing"]);
      expect((await getProfile(operator, sender.id)).health).toMatchObject({ state: "failing", check: "canary", detail: expect.stringMatching(/^Canary: The canary sent to/) });
    } finally {
      delivering = true;
    }
  });

  it("runs on its schedule from the scheduler, and recovers", async () => {
    await updateCheckRow(checkId("canary", sender.id), { config: { to: MAILBOX, imapProfileId: sender.id, timeLimitSeconds: 60, pollMs: 100 }, nextRunAt: new Date("2026-12-01T00:00:00Z") });
    const clock = manualClock("2026-12-01T00:00:00Z");
    const s = new MonitorScheduler({ clock, concurrency: 2 });
    const tick = await s.tick();
    await s.idle();
    const canary = tick.reports.find((x) => x.type === "canary")!;
    expect(canary.status).toBe("ok");
    expect(canary.alerts.map((a) => a.event)).toEqual(["recovered"]);
    expect((await findCheckRow(checkId("canary", sender.id)))!.nextRunAt.toISOString()).toBe("2026-12-01T00:15:00.000Z");
    expect(dovecot.inboxFiles(MAILBOX)).toHaveLength(seedFiles.length);
  });
});

describe("email alert channel", () => {
  it("sends the alert as mail through the chosen profile (the same delivery pipeline)", async () => {
    await createChannel(operator, { type: "email", name: "ops mail", to: MAILBOX, profileId: "canary-sender" });
    const before = peer.received.length;
    const res = await sendTestAlert(operator, "ops mail");
    expect(res.ok, res.message).toBe(true);
    const mail = peer.received[before];
    expect(mail.parsed.subject).toBe("[OAuth Mail Console] Test alert");
    expect(mail.parsed.headers.get("x-omc-alert")).toBe(res.alert.id);
    expect(mail.parsed.text).toContain('to channel "ops mail"');
  });
});
