import net from "node:net";
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import type { FakeEntra } from "@/tests/fakes/fake-entra";
import { startSmtpPeer, type SmtpPeer } from "@/tests/fakes/smtp-peer";
import { startFakeGraph, type FakeGraph } from "@/tests/fakes/fake-graph";
import { startFlakyProxy, type FlakyProxy } from "@/tests/fakes/flaky-proxy";
import { operator, profileFor, fastRelaySettings, relayTransport, startRelayPeers, swaks, waitFor, RELAY_MAILBOX } from "@/tests/helpers/relay";
import { createDevice, type DeviceWithPassword } from "@/lib/relay/devices";
import { getQueueMessage } from "@/lib/relay/queue";
import { startRelay, type RelayHandle } from "@/lib/relay/service";

// Delivery through every transport and the faults on the way: Graph MIME and upload sessions
// (6 MB whole), SMTP (6 MB whole), Graph 429 with Retry-After and 503, an SMTP upstream that is
// down for a while, an identity provider that is down (deferred, not failed), a permanent
// refusal (failed at once, decoded), Graph's 4-per-mailbox concurrency, and bad input at the
// listener. Every accepted message is accounted for.

useTestDb();
let idp: FakeEntra;
let peer: SmtpPeer;
let denyPeer: SmtpPeer;
let graph: FakeGraph;
let proxy: FlakyProxy;
let relay: RelayHandle;
let port: number;
const devices: Record<string, DeviceWithPassword> = {};
const GRAPH_MAILBOX = "noreply@contoso.com";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const bare = (id: string | undefined) => (id ?? "").replace(/^<|>$/g, "");
const queuedId = (response: string) => response.match(/queued as (\S+)/)![1];
const stateOf = async (id: string) => (await getQueueMessage(operator, id)).state;

beforeAll(async () => {
  ({ idp, peer } = await startRelayPeers());
  denyPeer = await startSmtpPeer({ mailboxes: [RELAY_MAILBOX], sendAsDeniedReply: "554 5.2.252 SendAsDenied; sender@contoso.com not allowed to send as other@contoso.com" });
  graph = await startFakeGraph({ mailboxes: [GRAPH_MAILBOX] });
  proxy = await startFlakyProxy(peer);
  const tokenUrl = `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`;
  const smtp = await profileFor("m365-app-smtp", "relay-smtp", { tokenUrl, smtpHost: peer.host, smtpPort: peer.port, smtpSecurity: "starttls", mailbox: RELAY_MAILBOX });
  const flaky = await profileFor("m365-app-smtp", "relay-flaky", { tokenUrl, smtpHost: proxy.host, smtpPort: proxy.port, smtpSecurity: "starttls", mailbox: RELAY_MAILBOX });
  const deny = await profileFor("m365-app-smtp", "relay-deny", { tokenUrl, smtpHost: denyPeer.host, smtpPort: denyPeer.port, smtpSecurity: "starttls", mailbox: RELAY_MAILBOX });
  const g = await profileFor("m365-app-graph", "relay-graph", { tokenUrl, graphEndpoint: graph.endpointTemplate, fromAddress: GRAPH_MAILBOX, saveToSentItems: false });
  const log = await profileFor("log-only", "relay-log", {});
  await fastRelaySettings({ maxSizeMb: 35, maxRecipients: 500 });
  for (const [name, profile] of [["smtp-dev", smtp], ["flaky-dev", flaky], ["deny-dev", deny], ["graph-dev", g], ["log-dev", log]] as const) {
    devices[name] = await createDevice(operator, { name, profile: profile.name });
  }
  // Old gear that cannot AUTH: submission without AUTH from 127.0.0.1 only (log-only profile).
  devices["noauth-dev"] = await createDevice(operator, { name: "noauth-dev", profile: log.name, allowIp: ["127.0.0.1/32"], noAuth: true });
  relay = await startRelay({ host: "127.0.0.1", port: 0, tlsPort: null, pollMs: 200, log: () => undefined });
  port = relay.listener!.address.port;
}, 120_000);

afterAll(async () => {
  await relay?.stop(2000);
  await Promise.all([idp?.close(), peer?.stop(), denyPeer?.stop(), graph?.stop(), proxy?.stop()]);
});

const send = (device: string, mail: Record<string, unknown>) => relayTransport(port, device, devices[device].password).sendMail({ from: "printer@contoso.com", to: "a@example.net", subject: "relay", text: "hello", ...mail });

describe("relay delivery", { timeout: 120_000 }, () => {
  it("a 6 MB message arrives whole through Graph (draft + upload session) with its Bcc", async () => {
    const file = randomBytes(6 * 1024 * 1024);
    const info = await send("graph-dev", { from: GRAPH_MAILBOX, bcc: "hidden@example.net", attachments: [{ filename: "scan.pdf", content: file, contentType: "application/pdf" }] });
    const id = queuedId(info.response);
    await waitFor("Graph delivery", async () => (await stateOf(id)) === "delivered", 120_000);
    const got = graph.sent.find((m) => bare(m.messageId) === bare(info.messageId))!;
    expect(got.via).toBe("draft");
    expect(got.attachments.find((a) => a.name === "scan.pdf")).toMatchObject({ size: file.length, sha256: sha(file), via: "upload" });
    expect(got.recipients.sort()).toEqual(["a@example.net", "hidden@example.net"]);
    expect(graph.uploadsWithAuthorization()).toBe(0);
  });

  it("a 6 MB message arrives whole through SMTP XOAUTH2", async () => {
    const file = randomBytes(6 * 1024 * 1024);
    const info = await send("smtp-dev", { attachments: [{ filename: "big.bin", content: file }] });
    const got = await waitFor("SMTP delivery", () => peer.received.find((m) => bare(m.parsed.messageId) === bare(info.messageId)), 120_000);
    expect(sha(got.parsed.attachments[0].content)).toBe(sha(file));
  });

  it("Graph 429 with Retry-After defers the message for that long, then it is delivered; 503 likewise", async () => {
    graph.script({ status: 429, headers: { "retry-after": "1" }, body: { error: { code: "ApplicationThrottled", message: "Application is over its MailboxConcurrency limit." } }, path: /sendMail$/ });
    const a = queuedId((await send("graph-dev", { from: GRAPH_MAILBOX, subject: "throttled" })).response);
    await waitFor("delivered after 429", async () => (await stateOf(a)) === "delivered", 60_000);
    const da = await getQueueMessage(operator, a);
    expect(da.attemptLog.map((x) => x.outcome)).toEqual(["deferred", "delivered"]);
    expect(da.attemptLog[0].errorCode).toBe("graph.429");
    expect(Date.parse(da.attemptLog[1].at) - Date.parse(da.attemptLog[0].at)).toBeGreaterThanOrEqual(900);
    graph.script({ status: 503, path: /sendMail$/ });
    const b = queuedId((await send("graph-dev", { from: GRAPH_MAILBOX, subject: "unavailable" })).response);
    await waitFor("delivered after 503", async () => (await stateOf(b)) === "delivered", 60_000);
    expect((await getQueueMessage(operator, b)).attemptLog[0]).toMatchObject({ outcome: "deferred", errorCode: "graph.503" });
  });

  it("keeps at most 4 Graph requests in flight for one mailbox", async () => {
    const infos = await Promise.all(Array.from({ length: 12 }, (_, i) => send("graph-dev", { from: GRAPH_MAILBOX, subject: `burst ${i}` })));
    await waitFor("burst delivered", async () => (await Promise.all(infos.map((i) => stateOf(queuedId(i.response))))).every((s) => s === "delivered"), 60_000);
    expect(graph.maxConcurrent()).toBeLessThanOrEqual(4);
  });

  it("an upstream that is down for a while: messages are deferred, then delivered when it is back", async () => {
    proxy.setUp(false);
    const infos = await Promise.all([1, 2, 3].map((i) => send("flaky-dev", { subject: `while down ${i}` })));
    const ids = infos.map((i) => queuedId(i.response));
    await waitFor("deferred", async () => (await Promise.all(ids.map(stateOf))).every((s) => s === "deferred"), 30_000);
    const d = await getQueueMessage(operator, ids[0]);
    expect(d.lastErrorCode).toMatch(/^(network|smtp)\./);
    proxy.setUp(true);
    await waitFor("delivered after the outage", async () => (await Promise.all(ids.map(stateOf))).every((s) => s === "delivered"), 60_000);
    for (const i of infos) expect(peer.received.filter((m) => bare(m.parsed.messageId) === bare(i.messageId))).toHaveLength(1);
  });

  it("an identity provider that is down defers (not fails), and the message goes once it is back", async () => {
    idp.setFailure({ kind: "status", status: 503, count: 1000 });
    // A new profile: no cached token, so delivery needs the IdP.
    const p = await profileFor("m365-app-smtp", "relay-idp", { tokenUrl: `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`, smtpHost: peer.host, smtpPort: peer.port, smtpSecurity: "starttls", mailbox: RELAY_MAILBOX });
    devices["idp-dev"] = await createDevice(operator, { name: "idp-dev", profile: p.name });
    const info = await send("idp-dev", { subject: "idp down" });
    const id = queuedId(info.response);
    await waitFor("deferred by the IdP", async () => (await getQueueMessage(operator, id)).attemptLog.length >= 2, 30_000);
    const d = await getQueueMessage(operator, id);
    expect(d.state).not.toBe("failed");
    expect(d.lastErrorCode).toMatch(/^token\./);
    idp.clearFailures();
    await waitFor("delivered after the IdP is back", async () => (await stateOf(id)) === "delivered", 60_000);
  });

  it("a permanent refusal fails at once with the decoded reason", async () => {
    const info = await send("deny-dev", { from: "other@contoso.com", subject: "send as" });
    const id = queuedId(info.response);
    await waitFor("failed", async () => (await stateOf(id)) === "failed", 30_000);
    const d = await getQueueMessage(operator, id);
    expect(d.attemptLog).toHaveLength(1);
    expect(d.attemptLog[0].remoteReply).toMatch(/554 5\.2\.252/);
    expect(d.attemptLog[0].fix).toBeTruthy();
  });

  it("log-only profiles accept and record without sending", async () => {
    const id = queuedId((await send("log-dev", { subject: "log only" })).response);
    await waitFor("recorded", async () => (await stateOf(id)) === "delivered", 30_000);
    expect((await getQueueMessage(operator, id)).attemptLog[0].summary).toMatch(/log-only/);
  });
});

describe("bad input at the listener", { timeout: 120_000 }, () => {
  const auth = (d = "log-dev") => ["--port", String(port), "--tls", "--auth", "LOGIN", "--auth-user", d, "--auth-password", devices[d].password];
  const stillServing = async () => {
    const r = await swaks([...auth(), "--from", "a@contoso.com", "--to", "ok@example.net"]);
    expect(r.out).toMatch(/250 2\.0\.0 Ok: queued/);
  };

  it("a 40 MB message against the 35 MB limit gets 552 5.3.4 and nothing is queued", async () => {
    const big = "X".repeat(76) + "\r\n";
    const body = `From: a@contoso.com\r\nTo: b@example.net\r\nSubject: huge\r\n\r\n${big.repeat(Math.ceil((40 * 1024 * 1024) / big.length))}`;
    const r = await swaks([...auth(), "--from", "a@contoso.com", "--to", "b@example.net", "--data", "-"], body);
    expect(r.out).toMatch(/552 5\.3\.4 /);
    await stillServing();
  }, 180_000);

  it("10,000 recipients: the first 500 are taken, the rest get 452 4.5.3, the message is queued for 500", async () => {
    const rcpts = Array.from({ length: 10_000 }, (_, i) => `r${i}@example.net`);
    const info = await relayTransport(port, "log-dev", devices["log-dev"].password).sendMail({ from: "a@contoso.com", to: rcpts, subject: "many", text: "x" });
    expect(info.accepted).toHaveLength(500);
    expect(info.rejected).toHaveLength(9_500);
    expect(String((info as unknown as { rejectedErrors?: { response?: string }[] }).rejectedErrors?.[0]?.response)).toMatch(/^452 4\.5\.3 Too many recipients/);
    expect((await getQueueMessage(operator, queuedId(info.response))).rcptCount).toBe(500);
  }, 300_000);

  it("malformed MIME, 8-bit headers and bare LF line ends are accepted and relayed byte for byte", async () => {
    const raw = Buffer.concat([Buffer.from("From: a@contoso.com\nTo: b@example.net\nSubject: Gr\xfc\xdfe caf\xe9\nContent-Type: multipart/mixed; boundary=\"never-closed\"\n\n--never-closed\nContent-Type: text/plain\n\nbroken part\n", "latin1")]);
    const r = await swaks(["--port", String(port), "--tls", "--auth", "LOGIN", "--auth-user", "smtp-dev", "--auth-password", devices["smtp-dev"].password, "--from", "a@contoso.com", "--to", "b@example.net", "--data", "-"], raw);
    expect(r.out).toMatch(/250 2\.0\.0 Ok: queued/);
    const id = queuedId(r.out);
    await waitFor("delivered", async () => (await stateOf(id)) === "delivered", 30_000);
    const got = peer.received.find((m) => m.raw.includes("broken part"));
    expect(got).toBeTruthy();
  });

  it("a client that disconnects in the middle of DATA leaves nothing queued; the relay keeps serving", async () => {
    const before = (await import("@/lib/relay/queue")).countQueue;
    const counts0 = await before();
    await new Promise<void>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      const lines = ["EHLO x", "MAIL FROM:<a@contoso.com>", "RCPT TO:<b@example.net>", "DATA"];
      let step = 0;
      s.on("data", (d) => {
        const text = d.toString();
        if (text.startsWith("220 ") || (text.includes("250 ") && step < lines.length) || text.startsWith("235")) {
          if (step < lines.length) s.write(lines[step++] + "\r\n");
        } else if (text.startsWith("354")) {
          s.write("Subject: cut\r\n\r\nhalf a message");
          setTimeout(() => s.destroy(), 100);
        } else if (/^5/.test(text)) s.destroy();
      });
      s.on("close", () => resolve());
      s.on("error", () => resolve());
    });
    const counts1 = await before();
    expect(counts1.queued + counts1.delivered + counts1.deferred + counts1.sending + counts1.failed).toBe(counts0.queued + counts0.delivered + counts0.deferred + counts0.sending + counts0.failed);
    await stillServing();
  });
});
