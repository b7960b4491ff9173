import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import type { FakeEntra } from "@/tests/fakes/fake-entra";
import type { SmtpPeer } from "@/tests/fakes/smtp-peer";
import { startFlakyProxy, type FlakyProxy } from "@/tests/fakes/flaky-proxy";
import { operator, profileFor, fastRelaySettings, relayTransport, startRelayPeers, waitFor, RELAY_MAILBOX } from "@/tests/helpers/relay";
import { freePort, startRelayProcess, type RelayProcess } from "@/tests/helpers/relay-process";
import { createDevice, type DeviceWithPassword } from "@/lib/relay/devices";
import { countQueue, getQueueMessage, listQueue } from "@/lib/relay/queue";
import { spoolDir } from "@/lib/relay/spool";

// Durability: `relay serve` runs as a real process and is killed with SIGKILL during DATA, after
// its 250 (before delivery) and during a delivery; then 1,000 messages from 20 concurrent clients
// while the upstream flaps. Every message that got a 250 must arrive at the peer (counted by
// Message-ID); duplicates are reported. Also a graceful SIGTERM (421, in-flight finished).

const db = useTestDb();
let idp: FakeEntra;
let peer: SmtpPeer;
let proxy: FlakyProxy;
let device: DeviceWithPassword;
let port: number;
let relay: RelayProcess | null = null;

const bare = (id: string | undefined) => (id ?? "").replace(/^<|>$/g, "");
const arrivals = (messageId: string) => peer.received.filter((m) => bare(m.parsed.messageId) === bare(messageId)).length;
const start = async () => (relay = await startRelayProcess(port, { DATA_DIR: db.dir, DATABASE_FILE: db.file, CONSOLE_MASTER_KEY: db.masterKey }));
const send = (subject: string, extra: Record<string, unknown> = {}) => relayTransport(port, device.name, device.password).sendMail({ from: "printer@contoso.com", to: "a@example.net", subject, text: `body of ${subject}`, ...extra });

beforeAll(async () => {
  ({ idp, peer } = await startRelayPeers());
  proxy = await startFlakyProxy(peer);
  const p = await profileFor("m365-app-smtp", "crash-smtp", { tokenUrl: `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`, smtpHost: proxy.host, smtpPort: proxy.port, smtpSecurity: "starttls", mailbox: RELAY_MAILBOX });
  await fastRelaySettings({ workers: 8, concurrencyPerProfile: 8, stopGraceSeconds: 20 });
  device = await createDevice(operator, { name: "crash-dev", profile: p.name });
  port = await freePort();
  await start();
}, 180_000);

afterAll(async () => {
  if (relay && relay.child.exitCode === null) await relay.kill9();
  await Promise.all([idp?.close(), peer?.stop(), proxy?.stop()]);
});

// Each test waits on conditions; the bound only has to cover starting `relay serve` again (tsx
// compiling the CLI) on a busy machine.
const RESTART_BOUND = 180_000;

describe("relay durability", () => {
  it("kill -9 during DATA: the client gets no 250, nothing is queued, no partial file survives the restart", async () => {
    const before = await countQueue();
    const { PassThrough } = await import("node:stream");
    const body = new PassThrough();
    const sending = send("killed during DATA", { text: body }).then(
      () => "250",
      (e: Error) => e.message,
    );
    body.write("first part of a long message\r\n".repeat(2000));
    await waitFor("a half-written spool file", () => fs.readdirSync(path.join(spoolDir(), "tmp")).length > 0, 30_000);
    await relay!.kill9();
    body.end("the end");
    expect(await sending).not.toBe("250");
    await start();
    expect(fs.readdirSync(path.join(spoolDir(), "tmp"))).toEqual([]);
    const after = await countQueue();
    expect(Object.values(after).reduce((a, b) => a + b, 0)).toBe(Object.values(before).reduce((a, b) => a + b, 0));
  }, RESTART_BOUND);

  it("kill -9 after the 250, before delivery: every accepted message is delivered after the restart", async () => {
    proxy.setUp(false);
    const infos = [];
    for (let i = 0; i < 5; i++) infos.push(await send(`accepted then killed ${i}`));
    expect(infos.every((i) => /^250 /.test(i.response))).toBe(true);
    await relay!.kill9();
    proxy.setUp(true);
    await start();
    for (const i of infos) await waitFor(`delivery of ${i.messageId}`, () => arrivals(i.messageId) >= 1, 60_000);
  }, RESTART_BOUND);

  it("kill -9 during a delivery: the lease of the dead worker is released at restart and the message is delivered", async () => {
    proxy.setHold(true);
    const info = await send("killed during delivery");
    const id = info.response.match(/queued as (\S+)/)![1];
    await waitFor("delivery in flight", async () => (await getQueueMessage(operator, id)).state === "sending", 30_000);
    await relay!.kill9();
    proxy.setHold(false);
    await start();
    await waitFor("delivered after restart", async () => (await getQueueMessage(operator, id)).state === "delivered", 60_000);
    expect(arrivals(info.messageId)).toBeGreaterThanOrEqual(1);
  }, RESTART_BOUND);

  it("1,000 messages from 20 concurrent clients with the upstream flapping: every accepted message arrives", async () => {
    const flap = setInterval(() => proxy.setUp(!proxy.isUp()), 400);
    const accepted: string[] = [];
    let refused = 0;
    try {
      await Promise.all(
        Array.from({ length: 20 }, async (_, c) => {
          const perClient = Number(process.env.RELAY_LOAD_PER_CLIENT ?? 50);
          const t = relayTransport(port, device.name, device.password, { pool: true, maxConnections: 1, maxMessages: 100 });
          for (let i = 0; i < perClient; i++) {
            try {
              const info = await t.sendMail({ from: "printer@contoso.com", to: `c${c}@example.net`, subject: `load ${c}/${i}`, text: "x".repeat(2000) });
              accepted.push(info.messageId);
            } catch {
              refused++;
            }
          }
          t.close();
        }),
      );
    } finally {
      clearInterval(flap);
      proxy.setUp(true);
    }
    const total = 20 * Number(process.env.RELAY_LOAD_PER_CLIENT ?? 50);
    expect(accepted.length + refused).toBe(total);
    expect(accepted.length).toBe(total);
    const arrivedIds = () => new Set(peer.received.map((m) => bare(m.parsed.messageId)));
    try {
      await waitFor("all 1,000 delivered", () => {
        const got = arrivedIds();
        return accepted.every((id) => got.has(bare(id)));
      }, 240_000);
    } catch (error) {
      const failed = await listQueue(operator, { state: "failed", pageSize: 5 });
      console.log(JSON.stringify({ counts: await countQueue(), arrived: arrivedIds().size, failed: failed.items.map((m) => [m.lastErrorCode, m.lastError]) }));
      throw error;
    }
    await waitFor("queue drained", async () => (await listQueue(operator, { state: "deferred", pageSize: 1 })).total + (await listQueue(operator, { state: "queued", pageSize: 1 })).total === 0, 60_000);
    const counts = new Map<string, number>();
    for (const m of peer.received) counts.set(bare(m.parsed.messageId), (counts.get(bare(m.parsed.messageId)) ?? 0) + 1);
    const duplicates = accepted.filter((id) => (counts.get(bare(id)) ?? 0) > 1).length;
    console.log(`[relay load] 1000 accepted, ${accepted.filter((id) => counts.has(bare(id))).length} arrived, ${duplicates} duplicate(s) (same Message-ID delivered twice)`);
    expect(accepted.filter((id) => !counts.has(bare(id)))).toEqual([]);
  }, 600_000);

  it("SIGTERM: new transactions get 421, an in-flight delivery finishes, the process exits", { timeout: RESTART_BOUND }, async () => {
    proxy.setHold(true);
    const info = await send("in flight at SIGTERM");
    const id = info.response.match(/queued as (\S+)/)![1];
    await waitFor("delivery in flight", async () => (await getQueueMessage(operator, id)).state === "sending", 30_000);
    const exit = relay!.term();
    await waitFor("stopping", () => /SIGTERM/.test(relay!.output()), 10_000);
    const late = await send("after SIGTERM").then(
      (i) => i.response,
      (e: Error & { response?: string }) => e.response ?? e.message,
    );
    expect(late).toMatch(/^421 |ECONNREFUSED|ECONNRESET|closed/);
    proxy.setHold(false);
    expect(await exit).toBe(0);
    expect((await getQueueMessage(operator, id)).state).toBe("delivered");
    expect(relay!.output()).toMatch(/stopped: 1 delivery\(ies\) finished, 0 left queued/);
    relay = null;
  });
});
