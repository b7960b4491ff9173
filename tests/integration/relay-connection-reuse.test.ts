import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import type { FakeEntra } from "@/tests/fakes/fake-entra";
import type { SmtpPeer } from "@/tests/fakes/smtp-peer";
import { operator, profileFor, fastRelaySettings, relayTransport, startRelayPeers, waitFor, RELAY_MAILBOX } from "@/tests/helpers/relay";
import { createDevice, type DeviceWithPassword } from "@/lib/relay/devices";
import { getQueueMessage } from "@/lib/relay/queue";
import { startRelay, type RelayHandle } from "@/lib/relay/service";

// Upstream connection reuse in the relay worker: the messages of one profile go over a few
// authenticated SMTP connections (at most the per-profile concurrency at once) instead of one
// connection each; a connection the server dropped while idle is replaced without losing or
// duplicating a message; a 4xx on one message leaves the next unharmed; SIGTERM-style stop closes
// the idle connections with QUIT.

useTestDb();
let idp: FakeEntra;
let peer: SmtpPeer;
let relay: RelayHandle;
let port: number;
let device: DeviceWithPassword;
const CONCURRENCY = 2;

const queuedId = (response: string) => response.match(/queued as (\S+)/)![1];
const bare = (id: string | undefined) => (id ?? "").replace(/^<|>$/g, "");

beforeAll(async () => {
  ({ idp, peer } = await startRelayPeers({ dataReply: (raw) => (raw.includes("Subject: busy-once") && !busyOnce++ ? "451 4.3.0 Temporary server error. Please try again later" : undefined) }));
  const tokenUrl = `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`;
  const smtp = await profileFor("m365-app-smtp", "reuse-smtp", { tokenUrl, smtpHost: peer.host, smtpPort: peer.port, smtpSecurity: "starttls", mailbox: RELAY_MAILBOX });
  await fastRelaySettings({ concurrencyPerProfile: CONCURRENCY });
  device = await createDevice(operator, { name: "reuse-dev", profile: smtp.name });
  relay = await startRelay({ host: "127.0.0.1", port: 0, tlsPort: null, pollMs: 200, connectionCache: { idleMs: 60_000 }, log: () => undefined });
  port = relay.listener!.address.port;
}, 120_000);
let busyOnce = 0;

afterAll(async () => {
  await relay?.stop(2000);
  await Promise.all([idp?.close(), peer?.stop()]);
});

const send = (subject: string) => relayTransport(port, "reuse-dev", device.password).sendMail({ from: RELAY_MAILBOX, to: "a@example.net", subject, text: "hello" });

describe("relay upstream connection reuse", { timeout: 120_000 }, () => {
  it("30 messages of one profile go over at most the per-profile concurrency of connections, each once", async () => {
    const before = peer.connections();
    const infos = await Promise.all(Array.from({ length: 30 }, (_, i) => send(`batch ${i}`)));
    await waitFor("all delivered", () => infos.every((info) => peer.received.some((m) => bare(m.parsed.messageId) === bare(info.messageId))));
    expect(peer.connections() - before).toBeLessThanOrEqual(CONCURRENCY);
    for (const info of infos) expect(peer.received.filter((m) => bare(m.parsed.messageId) === bare(info.messageId))).toHaveLength(1);
    const stored = await getQueueMessage(operator, queuedId(infos[29].response));
    const transcript = stored.attemptLog.at(-1)?.transcript ?? "";
    expect(transcript).toMatch(/MAIL FROM:<sender@contoso\.com>/);
  });

  it("a connection the server dropped while idle: the next message goes over a new one, once", async () => {
    await waitFor("idle connection kept", () => peer.openConnections() > 0);
    const before = peer.connections();
    peer.dropConnections();
    const info = await send("after drop");
    await waitFor("delivered after drop", () => peer.received.some((m) => bare(m.parsed.messageId) === bare(info.messageId)));
    expect(peer.received.filter((m) => bare(m.parsed.messageId) === bare(info.messageId))).toHaveLength(1);
    expect(peer.connections()).toBeGreaterThan(before);
  });

  it("a 4xx on one message defers only that one; the next is delivered, and the deferred one later, once", async () => {
    const busy = await send("busy-once");
    const next = await send("right after");
    await waitFor("both delivered", () => [busy, next].every((info) => peer.received.some((m) => bare(m.parsed.messageId) === bare(info.messageId))));
    const stored = await getQueueMessage(operator, queuedId(busy.response));
    expect(stored.attemptLog.map((a) => a.outcome)).toEqual(["deferred", "delivered"]);
    expect(stored.attemptLog[0].remoteReply).toMatch(/^451 4\.3\.0/);
    expect(peer.received.filter((m) => bare(m.parsed.messageId) === bare(busy.messageId))).toHaveLength(1);
  });

  it("stopping the relay closes the idle upstream connections", async () => {
    await waitFor("idle connection kept", () => peer.openConnections() > 0);
    await relay.stop(2000);
    // Idle connections are kept 60 s here: only the stop closes them within the wait.
    await waitFor("upstream connections closed", () => peer.openConnections() === 0, 10_000);
  });
});
