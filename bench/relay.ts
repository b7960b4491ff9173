/**
 * Scenario 9 (issue 14): the relay.
 *  - throughput: 10 KB messages from 10 concurrent clients through the relay (listener → durable
 *    queue → delivery with a cached token) to an smtp-server peer, end to end, against the same
 *    messages sent directly through the delivery pipeline with the cached token (same peer, same
 *    run); target ≥ 0.8×;
 *  - end of DATA → 250 (spool fsync + rename + directory fsync + queue row): p50 ≤ 15 ms;
 *  - 100,000 queued messages: enqueue rate, the Relay page's queries (status, queue page,
 *    24 h / 7 d charts, devices) ≤ 300 ms, RSS of the relay process ≤ 400 MB.
 */
import os from "node:os";
import { randomUUID } from "node:crypto";
import nodemailer from "nodemailer";
import { startFakeEntra } from "@/tests/fakes/fake-entra";
import { startSmtpPeer } from "@/tests/fakes/smtp-peer";
import { APP_CERT_PEM, CLIENT, SECRET, TENANT, fixtureProfile } from "@/tests/fixtures/profiles";
import type { Actor } from "@/lib/auth/actor";
import { getDb } from "@/lib/db/client";
import { createProfile, loadProfileWithSecrets } from "@/lib/profiles/dal";
import { deliver } from "@/lib/mail/pipeline";
import { getAccessToken } from "@/lib/tokens";
import { createDevice, listDevices } from "@/lib/relay/devices";
import { hourlyStats, listQueue } from "@/lib/relay/queue";
import { updateRelaySettings } from "@/lib/relay/settings";
import { getRelayStatus } from "@/lib/relay/status";
import fs from "node:fs";
import { freePort, startRelayProcess } from "@/tests/helpers/relay-process";
import { rssOfTree } from "./server";
import { fmtMs, round, summarize } from "./stats";

type RelayCtx = {
  operator: Actor;
  quick: boolean;
  log: (m: string) => void;
  row: (scenario: string, metric: string, value: string, target: string, ok?: boolean) => void;
  results: Record<string, unknown>;
  useDb: (dir: string) => Promise<void>;
  runDir: string;
  masterKey: string;
};

const MAILBOX = "sender@contoso.com";
const body10k = "0123456789abcdef".repeat(640);

export async function scenarioRelay(ctx: RelayCtx): Promise<void> {
  await ctx.useDb(`${ctx.runDir}/relay`);
  const idp = await startFakeEntra({ tenants: [TENANT], clients: [{ clientId: CLIENT, secret: [SECRET.graphClientSecret], certificates: [APP_CERT_PEM] }] });
  const peer = await startSmtpPeer({ mailboxes: [MAILBOX] });
  const base = fixtureProfile("m365-app-smtp", "relay-bench");
  const profile = await createProfile(ctx.operator, { ...base, settings: { ...base.settings, tokenUrl: `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`, smtpHost: peer.host, smtpPort: peer.port, smtpSecurity: "starttls", mailbox: MAILBOX } as never });
  await updateRelaySettings(ctx.operator, { workers: 10, concurrencyPerProfile: 10, retryBaseSeconds: 1, maxRetrySeconds: 5 });
  const device = await createDevice(ctx.operator, { name: "bench-device", profile: profile.name });
  await getAccessToken(ctx.operator, profile.id, { purpose: "smtp" });
  // The relay runs as `relay serve` in its own process, as in production (npm start's child).
  const dir = `${ctx.runDir}/relay`;
  const timings = `${dir}/commit-timings.txt`;
  const port = await freePort();
  const relay = await startRelayProcess(port, { DATA_DIR: dir, DATABASE_FILE: `${dir}/console.db`, CONSOLE_MASTER_KEY: ctx.masterKey }, ["--commit-timings", timings]);
  const commits = () => fs.readFileSync(timings, "utf8").split("\n").filter(Boolean).map(Number);
  const n = ctx.quick ? 100 : 500;
  const clients = 10;
  const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");

  // Directly: the same raw messages through the pipeline with the cached token, 10 at a time.
  const { profile: p, secrets } = await loadProfileWithSecrets(ctx.operator, profile.id);
  const raw = (i: number) => Buffer.from(`From: printer@contoso.com\r\nTo: a@example.net\r\nSubject: bench ${i}\r\nMessage-ID: <${randomUUID()}@bench>\r\n\r\n${body10k}\r\n`);
  const t0 = performance.now();
  let next = 0;
  let directOk = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) {
        const i = next++;
        const r = await deliver({ actor: ctx.operator, profile: p, secrets, message: { type: "raw", envelope: { from: "printer@contoso.com", to: ["a@example.net"] }, mime: { bytes: raw(i) } } });
        if (r.ok) directOk++;
      }
    }),
  );
  const directMs = performance.now() - t0;

  // Through the relay: 10 clients, one SMTP connection per message (as devices do), until the peer has them all.
  const before = peer.received.length;
  const t1 = performance.now();
  next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) {
        const i = next++;
        const t = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, requireTLS: true, auth: { user: device.name, pass: device.password }, tls: { rejectUnauthorized: false } });
        await t.sendMail({ envelope: { from: "printer@contoso.com", to: ["a@example.net"] }, raw: raw(i) });
        t.close();
      }
    }),
  );
  while (peer.received.length - before < n) await new Promise((r) => setTimeout(r, 20));
  const relayMs = performance.now() - t1;
  const ratio = directMs / relayMs;
  const commit = summarize(commits());
  ctx.row("9 relay", `throughput, ${n} × 10 KB from ${clients} clients, end to end (load ${load})`, `relay ${round((n / relayMs) * 1000, 1)}/s vs direct ${round((n / directMs) * 1000, 1)}/s = ${round(ratio, 2)}×`, "≥ 0.8×", ratio >= 0.8);
  ctx.row("9 relay", "end of DATA → 250 (durable write)", `p50 ${fmtMs(commit.median)}, p95 ${fmtMs(commit.p95)}`, "p50 ≤ 15 ms", commit.median <= 15);

  // 100,000 queued: enqueue rate through the listener for a sample (upstream stopped, so they
  // stay queued), then rows to reach 100,000.
  await peer.stop();
  const sample = ctx.quick ? 200 : 1000;
  const t2 = performance.now();
  next = 0;
  const pool = Array.from({ length: clients }, () => nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, requireTLS: true, pool: true, maxConnections: 1, auth: { user: device.name, pass: device.password }, tls: { rejectUnauthorized: false } }));
  await Promise.all(
    pool.map(async (t) => {
      while (next < sample) {
        const i = next++;
        await t.sendMail({ envelope: { from: "printer@contoso.com", to: ["a@example.net"] }, raw: raw(i) });
      }
      t.close();
    }),
  );
  const enqueueRate = (sample / (performance.now() - t2)) * 1000;
  const target = ctx.quick ? 10_000 : 100_000;
  const db = getDb();
  const now = Date.now();
  for (let done = sample; done < target; done += 500) {
    await db.relayMessage.createMany({
      data: Array.from({ length: Math.min(500, target - done) }, (_, k) => ({ id: randomUUID(), deviceId: null, deviceName: device.name, profileId: profile.id, state: "deferred", mailFrom: "printer@contoso.com", rcptTo: '["a@example.net"]', rcptCount: 1, firstRcpt: "a@example.net", size: 10_300, messageId: `<${done + k}@bench>`, subject: `bench ${done + k}`, sha256: "0", clientIp: "127.0.0.1", receivedAt: new Date(now - ((done + k) % (7 * 24 * 3600)) * 1000), nextAttemptAt: new Date(now + 86_400_000), expiresAt: new Date(now + 2 * 86_400_000) })),
    });
  }
  const renders: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await Promise.all([getRelayStatus(ctx.operator), listDevices(ctx.operator), listQueue(ctx.operator, {}), hourlyStats(24), hourlyStats(24 * 7)]);
    renders.push(performance.now() - t);
  }
  const render = summarize(renders);
  await new Promise((r) => setTimeout(r, 3000));
  const rss = rssOfTree(relay.child.pid!).treeMB * 1048576;
  ctx.row("9 relay", `${target.toLocaleString("en")} queued: enqueue through the listener (${sample} messages, 10 clients)`, `${round(enqueueRate, 1)} messages/s`, "report");
  ctx.row("9 relay", `${target.toLocaleString("en")} queued: Relay page queries (status, queue page, 24 h + 7 d charts, devices), 10 runs`, `median ${fmtMs(render.median)}, max ${fmtMs(render.max)}`, "≤ 300 ms", render.median <= 300);
  ctx.row("9 relay", `${target.toLocaleString("en")} queued: RSS of the relay process`, `${Math.round(rss / 1048576)} MB`, "≤ 400 MB", rss <= 400 * 1048576);
  ctx.results.relay = { loadAverage: load, n, clients, directMs: round(directMs, 0), directOk, relayMs: round(relayMs, 0), ratio: round(ratio, 3), commitMs: commit, enqueueRate: round(enqueueRate, 1), queued: target, pageQueriesMs: render, rssBytes: rss };
  await relay.term();
  await idp.close();
}
