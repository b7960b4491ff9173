import { PassThrough } from "node:stream";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { operator, profileFor, fastRelaySettings, relayTransport, swaks, waitFor } from "@/tests/helpers/relay";
import { createDevice, type DeviceWithPassword } from "@/lib/relay/devices";
import { startRelay, type RelayHandle } from "@/lib/relay/service";
import { listActivity } from "@/lib/activity/dal";

// The listener's policy against real clients (swaks, nodemailer) coming from different loopback
// source addresses (127.0.0.X): AUTH lockouts per IP and per user and their end, the rate limit
// and the daily quota (temporary 4xx, accepted again once under), allowed IPs, submission without
// AUTH and plain-text AUTH only from the listed IPs — each refusal in the activity log. The
// policy clock is injected (`now`), so "15 minutes later" and "tomorrow" take no wall time.

useTestDb();
let relay: RelayHandle;
let port: number;
let skew = 0;
const now = () => Date.now() + skew;
const devices: Record<string, DeviceWithPassword> = {};
const WRONG = "wrong-password-0123456789abcd";

const at = (ip: string, args: string[]) => swaks(["--port", String(port), "--local-interface", ip, "--from", "printer@contoso.com", "--to", "a@example.net", ...args]);
const authAt = (ip: string, user: string, password: string, tls = true) => at(ip, [...(tls ? ["--tls"] : []), "--auth", "LOGIN", "--auth-user", user, "--auth-password", password]);
const send = (name: string, ip = "127.0.0.1") =>
  relayTransport(port, name, devices[name].password, { localAddress: ip })
    .sendMail({ from: "printer@contoso.com", to: "a@example.net", subject: "policy", text: "hello" })
    .then(
      (info) => info.response,
      (e: Error & { response?: string }) => e.response ?? e.message,
    );

/** Waits until a relay.refused entry for this client IP carries a reply matching `reply`. */
const logged = (ip: string, reply: RegExp) =>
  waitFor(`activity entry ${reply} from ${ip}`, async () => {
    const { items } = await listActivity(operator, { action: "relay.refused", query: `from ${ip}`, pageSize: 500 });
    return items.find((i) => new RegExp(`from ${ip.replace(/\./g, "\\.")}(?!\\d)`).test(i.summary) && reply.test(i.remoteReply ?? ""));
  });

beforeAll(async () => {
  const log = await profileFor("log-only", "policy-log", {});
  await fastRelaySettings({ authMaxFailures: 3, authLockMinutes: 15 });
  const add = async (name: string, extra: Record<string, unknown> = {}) => (devices[name] = await createDevice(operator, { name, profile: log.name, ...extra }));
  await add("lock-dev");
  await add("victim-dev");
  await add("ok-dev");
  await add("rate-dev", { rate: 2 });
  await add("quota-dev", { quota: 2 });
  await add("race-dev", { quota: 3 });
  await add("ip-dev", { allowIp: ["127.0.0.16/30"] });
  await add("noauth-dev", { allowIp: ["127.0.0.20"], noAuth: true });
  await add("plain-dev", { allowIp: ["127.0.0.21/32"], allowPlainAuth: true });
  await add("listed-dev", { allowIp: ["127.0.0.22"] });
  relay = await startRelay({ host: "127.0.0.1", port: 0, tlsPort: null, pollMs: 200, now, log: () => undefined });
  port = relay.listener!.address.port;
}, 120_000);

afterAll(async () => {
  await relay?.stop(2000);
});

describe("relay policy", { timeout: 120_000 }, () => {
  it("repeated AUTH failures lock the IP (421 at connect) and the user (454 at AUTH) until the lock time has passed", async () => {
    const first = await authAt("127.0.0.2", "lock-dev", WRONG);
    expect(first.out).toMatch(/535 5\.7\.8 Authentication credentials invalid\r?\n/);
    await authAt("127.0.0.2", "lock-dev", WRONG);
    const third = await authAt("127.0.0.2", "lock-dev", WRONG);
    expect(third.out).toMatch(/535 5\.7\.8 Authentication credentials invalid \(now temporarily locked after repeated failures\)/);

    // The IP: refused at connect, even with the right password of another device.
    const ipLocked = await authAt("127.0.0.2", "ok-dev", devices["ok-dev"].password);
    expect(ipLocked.out).toMatch(/421 4\.7\.0 Too many failed logins from 127\.0\.0\.2; try again in 15 minute\(s\)/);
    expect(ipLocked.out).not.toMatch(/250 2\.0\.0/);
    // The user: refused at AUTH from any IP, even with its right password (RFC 4954: 454 4.7.0).
    const userLocked = await authAt("127.0.0.3", "lock-dev", devices["lock-dev"].password);
    expect(userLocked.out).toMatch(/454 4\.7\.0 Temporarily locked after repeated failed logins; try again in 15 minute\(s\)/);
    // Neither lock touches another device from another IP.
    expect((await authAt("127.0.0.3", "ok-dev", devices["ok-dev"].password)).out).toMatch(/250 2\.0\.0 Ok: queued/);

    await logged("127.0.0.2", /^535 5\.7\.8 .*now temporarily locked/);
    await logged("127.0.0.2", /^421 4\.7\.0 Too many failed logins/);
    await logged("127.0.0.3", /^454 4\.7\.0 Temporarily locked/);

    skew += 14 * 60_000;
    expect((await authAt("127.0.0.3", "lock-dev", devices["lock-dev"].password)).out).toMatch(/454 4\.7\.0 .*try again in 1 minute\(s\)/);
    skew += 60_000 + 1_000;
    const lifted = await authAt("127.0.0.2", "lock-dev", devices["lock-dev"].password);
    expect(lifted.out).toMatch(/250 2\.0\.0 Ok: queued/);
  });

  it("the user is locked by failures spread over many IPs, and an IP by failures over many users", async () => {
    for (const ip of ["127.0.0.4", "127.0.0.5", "127.0.0.6"]) expect((await authAt(ip, "victim-dev", WRONG)).out).toMatch(/535 5\.7\.8/);
    expect((await authAt("127.0.0.7", "victim-dev", devices["victim-dev"].password)).out).toMatch(/454 4\.7\.0 Temporarily locked/);
    // None of those IPs is locked: another device still gets in from one of them.
    expect((await authAt("127.0.0.4", "ok-dev", devices["ok-dev"].password)).out).toMatch(/250 2\.0\.0 Ok: queued/);

    for (const user of ["nobody-1", "nobody-2", "nobody-3"]) expect((await authAt("127.0.0.8", user, WRONG)).out).toMatch(/535 5\.7\.8/);
    expect((await authAt("127.0.0.8", "ok-dev", devices["ok-dev"].password)).out).toMatch(/421 4\.7\.0 Too many failed logins from 127\.0\.0\.8/);
    await logged("127.0.0.7", /^454 4\.7\.0/);
    await logged("127.0.0.8", /^421 4\.7\.0/);

    skew += 15 * 60_000 + 1_000;
    expect((await authAt("127.0.0.8", "victim-dev", devices["victim-dev"].password)).out).toMatch(/250 2\.0\.0 Ok: queued/);
  });

  it("over the rate limit: 451 4.7.1 at MAIL FROM (the device retries), accepted again once the minute has passed", async () => {
    expect(await send("rate-dev")).toMatch(/^250 2\.0\.0 Ok: queued/);
    expect(await send("rate-dev")).toMatch(/^250 2\.0\.0 Ok: queued/);
    expect(await send("rate-dev")).toMatch(/^451 4\.7\.1 Rate limit of 2 messages per minute reached for device "rate-dev"/);
    await logged("127.0.0.1", /^451 4\.7\.1 Rate limit/);
    skew += 30_000;
    expect(await send("rate-dev")).toMatch(/^451 4\.7\.1/);
    skew += 31_000;
    expect(await send("rate-dev")).toMatch(/^250 2\.0\.0 Ok: queued/);
  });

  it("over the daily quota: 452 4.7.1 at MAIL FROM, accepted again the next UTC day", async () => {
    expect(await send("quota-dev")).toMatch(/^250 2\.0\.0 Ok: queued/);
    expect(await send("quota-dev")).toMatch(/^250 2\.0\.0 Ok: queued/);
    expect(await send("quota-dev")).toMatch(/^452 4\.7\.1 Daily quota of 2 messages reached for device "quota-dev"/);
    await logged("127.0.0.1", /^452 4\.7\.1 Daily quota/);
    const midnight = new Date(now());
    midnight.setUTCHours(24, 0, 0, 0);
    skew += midnight.getTime() - now() + 1_000;
    expect(await send("quota-dev")).toMatch(/^250 2\.0\.0 Ok: queued/);
  });

  it("concurrent sessions of one device cannot exceed its daily quota (taken atomically at MAIL FROM)", async () => {
    // Six sessions (nodemailer's SMTP client) pass MAIL FROM and are held inside DATA until every
    // one has either been refused or started DATA: a quota counted from the stored messages would
    // let all six in, as none is stored yet. Quota 3: exactly three are queued, three get 452.
    const sessions = Array.from({ length: 6 }, async () => {
      const c = new SMTPConnection({ host: "127.0.0.1", port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
      await new Promise<void>((resolve, reject) => {
        c.once("error", reject);
        c.connect(() => resolve());
      });
      await new Promise<void>((resolve, reject) => c.login({ user: "race-dev", pass: devices["race-dev"].password }, (e) => (e ? reject(e) : resolve())));
      const body = new PassThrough();
      const inData = new Promise<void>((r) => body.once("resume", () => r()));
      const result = new Promise<string>((resolve) => c.send({ from: "printer@contoso.com", to: ["a@example.net"] }, body as never, (e, info) => resolve(e ? ((e as Error & { response?: string }).response ?? e.message) : info.response)));
      return { c, body, result, gate: Promise.race([inData, result]) };
    });
    const held = await Promise.all(sessions);
    await Promise.all(held.map((h) => h.gate));
    for (const h of held) h.body.end("From: printer@contoso.com\r\nTo: a@example.net\r\nSubject: race\r\n\r\nhello\r\n");
    const replies = await Promise.all(held.map((h) => h.result));
    for (const h of held) h.c.close();
    expect(replies.filter((r) => /^250 2\.0\.0 Ok: queued/.test(r))).toHaveLength(3);
    expect(replies.filter((r) => /^452 4\.7\.1 Daily quota of 3 messages reached for device "race-dev"/.test(r))).toHaveLength(3);
    // The quota is used up for the day.
    expect(await send("race-dev")).toMatch(/^452 4\.7\.1/);
  });

  it("a device with allowed IPs is refused at AUTH from any other IP, with the same reply as a wrong password", async () => {
    expect(await send("ip-dev", "127.0.0.17")).toMatch(/^250 2\.0\.0 Ok: queued/);
    // The right password from an unlisted IP and a wrong one answer alike: the reply must not
    // tell an attacker that the password is right.
    const right = await send("ip-dev", "127.0.0.40");
    const wrong = await relayTransport(port, "ip-dev", WRONG, { localAddress: "127.0.0.41" })
      .sendMail({ from: "printer@contoso.com", to: "a@example.net", subject: "policy", text: "hello" })
      .then(
        (info) => info.response,
        (e: Error & { response?: string }) => e.response ?? e.message,
      );
    expect(right).toBe("535 5.7.8 Authentication credentials invalid");
    expect(wrong).toBe(right);
    // The admin's log still says why.
    await waitFor("the log names the reason", async () => (await listActivity(operator, { action: "relay.refused", query: "from 127.0.0.40", pageSize: 50 })).items.find((i) => /IP 127\.0\.0\.40 not allowed, password correct/.test(i.summary)));
    await logged("127.0.0.41", /^535 5\.7\.8 Authentication credentials invalid$/);
  });

  it("submission without AUTH only for a no-AUTH device and only from its IPs (off by default)", async () => {
    expect((await at("127.0.0.20", [])).out).toMatch(/250 2\.0\.0 Ok: queued/);
    expect((await at("127.0.0.23", [])).out).toMatch(/530 5\.7\.0 Authentication required/);
    // listed-dev lists 127.0.0.22 but did not turn submission without AUTH on.
    expect((await at("127.0.0.22", [])).out).toMatch(/530 5\.7\.0 Authentication required/);
    await logged("127.0.0.23", /^530 5\.7\.0/);
    await logged("127.0.0.22", /^530 5\.7\.0/);
  });

  it("plain-text AUTH without TLS only for a device that allows it and only from its IPs (off by default)", async () => {
    expect((await authAt("127.0.0.21", "plain-dev", devices["plain-dev"].password, false)).out).toMatch(/250 2\.0\.0 Ok: queued/);
    expect((await authAt("127.0.0.24", "plain-dev", devices["plain-dev"].password, false)).out).toMatch(/538 5\.7\.11 Encryption required/);
    expect((await authAt("127.0.0.22", "listed-dev", devices["listed-dev"].password, false)).out).toMatch(/538 5\.7\.11 Encryption required/);
    // 538 does not tell whether the username exists: a made-up one gets the same reply.
    expect((await authAt("127.0.0.24", "no-such-device", WRONG, false)).out).toMatch(/538 5\.7\.11 Encryption required/);
    // From the IP a plain-text device lists, every other login is a plain 535, existing or not.
    const unknownThere = await authAt("127.0.0.21", "no-such-device", WRONG, false);
    const otherThere = await authAt("127.0.0.21", "ok-dev", devices["ok-dev"].password, false);
    expect(unknownThere.out).toMatch(/535 5\.7\.8 Authentication credentials invalid\r?\n/);
    expect(otherThere.out).toMatch(/535 5\.7\.8 Authentication credentials invalid\r?\n/);
    expect(otherThere.out).not.toMatch(/538/);
    // With STARTTLS the same device from its IP is fine.
    expect((await authAt("127.0.0.22", "listed-dev", devices["listed-dev"].password)).out).toMatch(/250 2\.0\.0 Ok: queued/);
    await logged("127.0.0.24", /^538 5\.7\.11/);
    await logged("127.0.0.22", /^538 5\.7\.11/);
  });
});
