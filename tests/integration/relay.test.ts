import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawDatabaseBytes, useTestDb } from "@/tests/helpers/test-db";
import type { FakeEntra } from "@/tests/fakes/fake-entra";
import type { SmtpPeer } from "@/tests/fakes/smtp-peer";
import { operator, profileFor, fastRelaySettings, relayTransport, startRelayPeers, swaks, waitFor, RELAY_MAILBOX } from "@/tests/helpers/relay";
import { createDevice, rotateDevicePassword, setDeviceEnabled, type DeviceWithPassword } from "@/lib/relay/devices";
import { getQueueMessage, listQueue } from "@/lib/relay/queue";
import { startRelay, type RelayHandle } from "@/lib/relay/service";
import { listActivity } from "@/lib/activity/dal";
import { getRelayTlsInfo } from "@/lib/relay/settings";

// The relay end to end: real clients (swaks, nodemailer) → the relay's listener → queue →
// delivery through an app profile (client credentials at the fake Entra) to an smtp-server peer
// that checks the XOAUTH2 token.

const db = useTestDb();
let idp: FakeEntra;
let peer: SmtpPeer;
let relay: RelayHandle;
let device: DeviceWithPassword;
let port: number;

const bare = (id: string | undefined) => (id ?? "").replace(/^<|>$/g, "");
const received = (messageId: string) => peer.received.filter((m) => bare(m.parsed.messageId) === bare(messageId));

beforeAll(async () => {
  ({ idp, peer } = await startRelayPeers());
  const p = await profileFor("m365-app-smtp", "relay-app", { tokenUrl: `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`, smtpHost: peer.host, smtpPort: peer.port, smtpSecurity: "starttls", mailbox: RELAY_MAILBOX });
  await fastRelaySettings();
  device = await createDevice(operator, { name: "scanner-1", profile: p.name, allowFrom: ["@contoso.com"] });
  relay = await startRelay({ host: "127.0.0.1", port: 0, tlsPort: 0, log: () => undefined });
  port = relay.listener!.address.port;
}, 120_000);

afterAll(async () => {
  await relay?.stop(2000);
  await Promise.all([idp?.close(), peer?.stop()]);
});

describe("relay", { timeout: 120_000 }, () => {
  it("generates a device password of at least 24 characters and stores only a scrypt hash", () => {
    expect(device.password.length).toBeGreaterThanOrEqual(24);
    expect(rawDatabaseBytes(db).includes(Buffer.from(device.password))).toBe(false);
  });

  it("accepts from nodemailer over STARTTLS and delivers through XOAUTH2 with the envelope and Message-ID kept", async () => {
    const t = relayTransport(port, device.name, device.password);
    const info = await t.sendMail({ from: "printer@contoso.com", to: "a@example.net", bcc: "hidden@example.net", subject: "Scan 1", text: "scanned" });
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as /);
    const got = await waitFor("delivery at the peer", () => received(info.messageId)[0]);
    expect(got.authUser).toBe(RELAY_MAILBOX);
    expect(got.mailFrom).toBe("printer@contoso.com");
    expect(got.rcptTo.map((r) => r.address).sort()).toEqual(["a@example.net", "hidden@example.net"]);
    expect(got.raw).not.toMatch(/^Bcc:/im);
    expect(got.raw).toMatch(/^Received: from .* by .* \(OAuth Mail Console relay\) with ESMTPSA/m);
    const id = info.response.match(/queued as (\S+)/)![1];
    await waitFor("delivered state", async () => (await getQueueMessage(operator, id)).state === "delivered");
    const detail = await getQueueMessage(operator, id);
    expect(detail.attemptLog).toHaveLength(1);
    expect(detail.attemptLog[0].transcript).toContain("AUTH XOAUTH2");
    expect(detail.attemptLog[0].transcript).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}/);
  });

  it("adds a Message-ID when the device sends none", async () => {
    const r = await swaks(["--port", String(port), "--tls", "--auth", "LOGIN", "--auth-user", device.name, "--auth-password", device.password, "--from", "printer@contoso.com", "--to", "b@example.net", "--data", "From: printer@contoso.com\nTo: b@example.net\nSubject: no id\n\nbody\n"]);
    expect(r.code, r.out).toBe(0);
    const id = r.out.match(/queued as (\S+)/)![1];
    const q = await getQueueMessage(operator, id);
    expect(q.messageId).toMatch(new RegExp(`^<${id}@`));
    await waitFor("delivery", () => received(q.messageId)[0]);
  });

  it("answers policy violations with the right replies and logs them", async () => {
    const base = ["--port", String(port), "--from", "printer@contoso.com", "--to", "c@example.net"];
    const bad = await swaks([...base, "--tls", "--auth", "LOGIN", "--auth-user", device.name, "--auth-password", "wrong-password-123456789012"]);
    expect(bad.out).toMatch(/535 5\.7\.8 Authentication credentials invalid/);
    const noAuth = await swaks([...base, "--tls"]);
    expect(noAuth.out).toMatch(/530 5\.7\.0 Authentication required/);
    const sender = await swaks(["--port", String(port), "--tls", "--auth", "LOGIN", "--auth-user", device.name, "--auth-password", device.password, "--from", "someone@evil.example", "--to", "c@example.net"]);
    expect(sender.out).toMatch(/550 5\.7\.1 Sender <someone@evil\.example> is not allowed/);
    const plain = await swaks([...base, "--auth", "LOGIN", "--auth-user", device.name, "--auth-password", device.password]);
    expect(plain.out).toMatch(/538 5\.7\.11 Encryption required/);
    const log = await listActivity(operator, { action: "relay.refused", pageSize: 100 });
    expect(log.items.map((i) => i.remoteReply)).toEqual(expect.arrayContaining([expect.stringMatching(/^535 5\.7\.8/), expect.stringMatching(/^530 5\.7\.0/), expect.stringMatching(/^550 5\.7\.1/), expect.stringMatching(/^538/)]));
  });

  it("implicit TLS port works and the certificate is the one whose fingerprint is shown", async () => {
    const info = await getRelayTlsInfo();
    expect(info?.source).toBe("self-signed");
    const r = await swaks(["--port", String(relay.listener!.address.tlsPort), "--tlsc", "--auth", "PLAIN", "--auth-user", device.name, "--auth-password", device.password, "--from", "printer@contoso.com", "--to", "d@example.net", "--tls-get-peer-cert"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/250 2\.0\.0 Ok: queued/);
  });

  it("a disabled device is refused; a rotated password replaces the old one", async () => {
    await setDeviceEnabled(operator, device.name, false);
    const off = await swaks(["--port", String(port), "--tls", "--auth", "LOGIN", "--auth-user", device.name, "--auth-password", device.password, "--from", "printer@contoso.com", "--to", "e@example.net"]);
    // The same reply as a wrong password (a right one must not be recognisable); the log says why.
    expect(off.out).toMatch(/535 5\.7\.8 Authentication credentials invalid\r?\n/);
    expect((await listActivity(operator, { action: "relay.refused", query: "device disabled", pageSize: 10 })).items[0]?.summary).toMatch(/device disabled, password correct/);
    await setDeviceEnabled(operator, device.name, true);
    const rotated = await rotateDevicePassword(operator, device.name);
    const old = await swaks(["--port", String(port), "--tls", "--auth", "LOGIN", "--auth-user", device.name, "--auth-password", device.password, "--from", "printer@contoso.com", "--to", "e@example.net"]);
    expect(old.out).toMatch(/535 5\.7\.8/);
    const fresh = await swaks(["--port", String(port), "--tls", "--auth", "LOGIN", "--auth-user", device.name, "--auth-password", rotated.password, "--from", "printer@contoso.com", "--to", "e@example.net"]);
    expect(fresh.out).toMatch(/250 2\.0\.0 Ok: queued/);
    device = rotated;
  });

  it("lists the queue by state and device", async () => {
    await waitFor("all delivered", async () => (await listQueue(operator, { state: "queued" })).total === 0 && (await listQueue(operator, { state: "sending" })).total === 0);
    const all = await listQueue(operator, { device: "scanner-1" });
    expect(all.total).toBeGreaterThanOrEqual(4);
    expect(all.items.every((m) => m.state === "delivered")).toBe(true);
    expect(fs.existsSync(db.dir)).toBe(true);
  });
});
