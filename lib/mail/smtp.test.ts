import { afterEach, describe, expect, it } from "vitest";
import { issueTestAccessToken } from "@/tests/fakes/idp-keys";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AUTH_LINES, startSmtpPeer, type PeerServer, type SmtpPeer } from "@/tests/fakes/smtp-peer";
import { buildXoauth2, composeMessage, sendSmtp, SmtpConnectionCache, type SmtpSendRequest } from "./smtp";

// Real SMTP dialogue against smtp-server on 127.0.0.1 with the test CA (NODE_EXTRA_CA_CERTS).

const MAILBOX = "sender@contoso.com";
const TIMEOUTS = { connectMs: 5000, greetingMs: 5000, socketMs: 10_000 };

let peers: SmtpPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  peers = [];
});

async function peer(options: Parameters<typeof startSmtpPeer>[0] = {}) {
  const p = await startSmtpPeer(options);
  peers.push(p);
  return p;
}

function request(p: SmtpPeer, token: string, overrides: Partial<SmtpSendRequest> = {}): SmtpSendRequest {
  return {
    host: p.host,
    port: p.port,
    security: "starttls",
    auth: { type: "xoauth2", user: MAILBOX, accessToken: token },
    message: { from: MAILBOX, to: ["rcpt@example.net"], subject: "Hello", body: "Body text" },
    timeouts: TIMEOUTS,
    ...overrides,
  };
}

// One peer per real EHLO AUTH line: LOGIN or PLAIN come before XOAUTH2 at Microsoft 365, Gmail
// and Postfix, and nodemailer picks the first listed mechanism unless XOAUTH2 is asked for properly.
const REAL_SERVERS: { server: PeerServer; line: string }[] = [
  { server: "office365", line: "250-AUTH LOGIN XOAUTH2" },
  { server: "gmail", line: "250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH" },
  { server: "postfix", line: "250-AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER" },
];

describe.each(REAL_SERVERS)("XOAUTH2 against $server ($line)", ({ server, line }) => {
  it("advertises exactly the real line and authenticates with XOAUTH2 (not the first listed mechanism)", async () => {
    const p = await peer({ server });
    const token = await issueTestAccessToken({ upn: MAILBOX });
    const res = await sendSmtp(request(p, token));
    expect(res.ok, JSON.stringify(res.ok ? res.transcript : res.error)).toBe(true);
    if (!res.ok) return;
    const text = res.transcript.join("\n");
    expect(text).toContain(`S: ${line}`);
    expect(`AUTH ${AUTH_LINES[server].join(" ")}`).toBe(line.replace(/^250-/, ""));
    expect(text).toContain("C: AUTH XOAUTH2 [redacted]");
    expect(p.authAttempts.map((a) => [a.method, a.ok])).toEqual([["XOAUTH2", true]]);
    expect(p.received[0].authUser).toBe(MAILBOX);
  });

  it("a refused token: 334 + base64 JSON challenge, then 535, decoded as a rejected token", async () => {
    const p = await peer({ server });
    const token = await issueTestAccessToken({ upn: "someone-else@contoso.com" });
    const res = await sendSmtp(request(p, token));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.tokenRejected).toBe(true);
    expect(res.error.code).toBe(server === "gmail" ? "smtp.535.5.7.8" : "smtp.535.5.7.3");
    const text = res.transcript.join("\n");
    expect(text).toMatch(/S: 334 [A-Za-z0-9+/=]+/);
    expect(text).toContain('* XOAUTH2 error challenge: {"status":"401"');
    expect(text).not.toContain(token);
  });
});

describe("sendSmtp", () => {
  it("sends over STARTTLS with XOAUTH2, reports progress, reply, message id and a clean transcript", async () => {
    const p = await peer({ dsn: true });
    const token = await issueTestAccessToken({ upn: MAILBOX, scp: "SMTP.Send" });
    const stages: string[] = [];
    const res = await sendSmtp(
      request(p, token, {
        onProgress: (s) => stages.push(s.stage),
        message: {
          from: MAILBOX,
          to: ["rcpt@example.net"],
          cc: ["cc@example.net"],
          bcc: ["hidden@example.net"],
          subject: "Receipts",
          body: "<p>Hello <b>HTML</b></p>",
          html: true,
          attachments: [{ filename: "report.csv", contentType: "text/csv", content: Buffer.from("a,b\n1,2\n") }],
          readReceipt: true,
          deliveryReceipt: true,
        },
      }),
    );
    expect(res.ok, JSON.stringify(res)).toBe(true);
    if (!res.ok) return;
    expect(stages).toEqual(["connecting", "authenticating", "sending", "done"]);
    expect(res.response).toMatch(/^250 /);
    expect(res.messageId).toMatch(/^<.+@contoso\.com>$/);
    expect(res.tls?.protocol).toMatch(/TLSv1\.[23]/);
    expect(res.dsn).toEqual({ requested: true, offered: true });
    expect(res.accepted.sort()).toEqual(["cc@example.net", "hidden@example.net", "rcpt@example.net"]);

    const got = p.received[0];
    expect(got.authUser).toBe(MAILBOX);
    expect(got.secure).toBe(true);
    expect(got.parsed.subject).toBe("Receipts");
    expect(got.parsed.html).toContain("<b>HTML</b>");
    expect(got.parsed.text).toContain("Hello HTML");
    expect(got.parsed.headers.get("disposition-notification-to")).toBeTruthy();
    expect(got.raw).not.toMatch(/^Bcc:/im);
    expect(got.parsed.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([["report.csv", "text/csv", "a,b\n1,2\n"]]);
    expect(got.rcptTo.every((r) => r.notify?.join(",") === "SUCCESS,FAILURE,DELAY")).toBe(true);
    expect(got.mailFromArgs && got.mailFromArgs.RET).toBe("HDRS");

    const text = res.transcript.join("\n");
    expect(text).toContain("C: STARTTLS");
    expect(text).toContain("C: AUTH XOAUTH2 [redacted]");
    expect(text).not.toContain(token);
    expect(text).not.toContain(buildXoauth2(MAILBOX, token));
    expect(text).not.toContain(token.split(".")[1]);
    expect(text).not.toContain("Hello <b>HTML</b>");
  });

  it("sends over implicit TLS (465 style) and reports when DSN is not offered", async () => {
    const p = await peer({ tls: "implicit-tls" });
    const token = await issueTestAccessToken({ upn: MAILBOX });
    const res = await sendSmtp(request(p, token, { security: "tls", message: { from: MAILBOX, to: ["r@example.net"], subject: "s", body: "b", deliveryReceipt: true } }));
    expect(res.ok, JSON.stringify(res)).toBe(true);
    if (!res.ok) return;
    expect(res.dsn).toEqual({ requested: false, offered: false });
    expect(res.transcript.join("\n")).toContain("does not offer DSN");
    expect(p.received[0].rcptTo[0].args).toBe(false);
  });

  it("decodes a rejected token as 535 5.7.3 and never puts the token in the transcript", async () => {
    const p = await peer();
    const token = await issueTestAccessToken({ upn: "someone-else@contoso.com" });
    const res = await sendSmtp(request(p, token));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.stage).toBe("authenticating");
    expect(res.error.code).toBe("smtp.535.5.7.3");
    expect(res.error.tokenRejected).toBe(true);
    expect(res.error.remoteReply).toMatch(/^535 5\.7\.3 Authentication unsuccessful/);
    expect(res.error.fix).toMatch(/Authenticated SMTP/);
    expect(JSON.stringify(res)).not.toContain(token);
    expect(p.received).toHaveLength(0);
  });

  it("decodes an expired token the same way (the caller refreshes)", async () => {
    const p = await peer();
    const token = await issueTestAccessToken({ upn: MAILBOX }, -120);
    const res = await sendSmtp(request(p, token));
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe("smtp.535.5.7.3");
  });

  it("decodes 535 5.7.139 (SMTP AUTH disabled)", async () => {
    const p = await peer({ forceAuthReply: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant." });
    const res = await sendSmtp(request(p, await issueTestAccessToken({ upn: MAILBOX })));
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe("smtp.535.5.7.139");
      expect(res.error.fix).toMatch(/SmtpClientAuthenticationDisabled/);
    }
  });

  it("refuses to continue when STARTTLS is not offered: no AUTH, no MAIL, nothing in clear", async () => {
    const p = await peer({ tls: "plain" });
    const token = await issueTestAccessToken({ upn: MAILBOX });
    const res = await sendSmtp(request(p, token));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe("smtp.starttls-refused");
    expect(res.error.category).toBe("tls");
    expect(p.authAttempts).toHaveLength(0);
    expect(p.received).toHaveLength(0);
    const clear = p.plaintextFromClients();
    expect(clear).toMatch(/EHLO/);
    expect(clear).not.toMatch(/AUTH|MAIL FROM|RCPT TO/);
    expect(clear).not.toContain(token.slice(0, 20));
  });

  it("names the CA problem when the certificate is untrusted (STARTTLS)", async () => {
    const p = await peer({ certificate: "untrusted" });
    const res = await sendSmtp(request(p, await issueTestAccessToken({ upn: MAILBOX })));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe("tls.untrusted-ca");
    expect(res.error.fix).toMatch(/DCM/);
    expect(res.error.fix).toMatch(/NODE_EXTRA_CA_CERTS|update-ca-certificates/);
    expect(p.authAttempts).toHaveLength(0);
  });

  it("names the CA problem when the certificate is untrusted (implicit TLS)", async () => {
    const p = await peer({ tls: "implicit-tls", certificate: "untrusted" });
    const res = await sendSmtp(request(p, await issueTestAccessToken({ upn: MAILBOX }), { security: "tls" }));
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe("tls.untrusted-ca");
  });

  it("reports a connection dropped in the middle of DATA as a clear error, without hanging", async () => {
    const p = await peer({ dropMidData: true });
    const started = Date.now();
    const res = await sendSmtp(request(p, await issueTestAccessToken({ upn: MAILBOX }), { message: { from: MAILBOX, to: ["r@example.net"], subject: "big", body: "x".repeat(200_000) } }));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.stage).toBe("sending");
    expect(res.error.code).toBe("network.closed-during-data");
    expect(res.error.summary).toMatch(/closed the connection while the message was being sent/);
    // Well inside the socket timeout: the drop is noticed, not waited out.
    expect(Date.now() - started).toBeLessThan(TIMEOUTS.socketMs);
    expect(p.received).toHaveLength(0);
  });

  it("times out on a server that never greets, naming host:port", async () => {
    const p = await peer({ noGreeting: true });
    const res = await sendSmtp(request(p, "unused-token-value", { timeouts: { connectMs: 2000, greetingMs: 500, socketMs: 2000 } }));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe("timeout.greeting");
    expect(res.error.summary).toContain(`127.0.0.1:${p.port}`);
  });

  it("reports a refused connection with host:port", async () => {
    const p = await peer();
    const port = p.port;
    await p.stop();
    peers = [];
    const res = await sendSmtp({ ...request(p, "unused-token-value"), port });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe("network.refused");
    expect(res.error.summary).toContain(`127.0.0.1:${port}`);
  });

  it("sends with basic auth (LOGIN) and keeps the password out of the transcript", async () => {
    const password = "Basic-Pa55word-For-Test-9d9d";
    const p = await peer({ auth: "basic", basicUsers: { "relay@contoso.com": password } });
    const res = await sendSmtp(request(p, "", { auth: { type: "basic", user: "relay@contoso.com", password }, message: { from: "relay@contoso.com", to: ["r@example.net"], subject: "s", body: "b" } }));
    expect(res.ok, JSON.stringify(res)).toBe(true);
    const text = JSON.stringify(res);
    expect(text).not.toContain(password);
    expect(text).not.toContain(Buffer.from(password).toString("base64"));
    expect(p.received[0].authUser).toBe("relay@contoso.com");
  });

  it("decodes SendAsDenied on MAIL FROM", async () => {
    const p = await peer({ sendAsDeniedReply: "554 5.2.252 SendAsDenied; sender@contoso.com not allowed to send as boss@contoso.com" });
    const res = await sendSmtp(request(p, await issueTestAccessToken({ upn: MAILBOX }), { message: { from: "boss@contoso.com", to: ["r@example.net"], subject: "s", body: "b" } }));
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe("smtp.554.5.2.252.SendAsDenied");
      expect(res.error.fix).toMatch(/Add-RecipientPermission/);
    }
  });

  it("basic auth against a server without LOGIN/PLAIN: 'no longer accepts passwords; move to OAuth', password never sent", async () => {
    const password = "Basic-Pa55word-For-Test-9d9d";
    const p = await peer({ server: "oauth-only", auth: "basic", basicUsers: { "relay@contoso.com": password } });
    const res = await sendSmtp(request(p, "", { auth: { type: "basic", user: "relay@contoso.com", password }, message: { from: "relay@contoso.com", to: ["r@example.net"], subject: "s", body: "b" } }));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe("smtp.no-password-auth");
    expect(res.error.summary).toMatch(/no longer accepts passwords; move to OAuth/);
    expect(`${res.error.cause} ${res.error.fix}`).not.toMatch(/check the user name and (the )?password/i);
    expect(p.authAttempts).toHaveLength(0);
    expect(p.credentialsSeen).toHaveLength(0);
  });

  it("decodes 550 5.7.30 (Basic authentication not supported for Client Submission): move to OAuth or the relay", async () => {
    const password = "Basic-Pa55word-For-Test-9d9d";
    const p = await peer({ auth: "basic", basicUsers: { "relay@contoso.com": password }, forceAuthReply: "550 5.7.30 Basic authentication is not supported for Client Submission." });
    const res = await sendSmtp(request(p, "", { auth: { type: "basic", user: "relay@contoso.com", password }, message: { from: "relay@contoso.com", to: ["r@example.net"], subject: "s", body: "b" } }));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe("smtp.550.5.7.30");
    expect(res.error.cause).toMatch(/Basic authentication/i);
    expect(res.error.fix).toMatch(/OAuth/);
    expect(res.error.fix).toMatch(/relay/);
    expect(res.error.tokenRejected).toBe(false);
  });

  it("reports each recipient the server refused (550 5.1.1) while the others got the message", async () => {
    const p = await peer({ server: "postfix", unknownRecipients: ["nobody@example.net"] });
    const res = await sendSmtp(request(p, await issueTestAccessToken({ upn: MAILBOX }), { message: { from: MAILBOX, to: ["rcpt@example.net", "nobody@example.net"], subject: "s", body: "b" } }));
    expect(res.ok, JSON.stringify(res)).toBe(true);
    if (!res.ok) return;
    expect(res.accepted).toEqual(["rcpt@example.net"]);
    expect(res.rejected).toEqual(["nobody@example.net"]);
    expect(res.rejectedReplies).toEqual([{ address: "nobody@example.net", reply: expect.stringMatching(/^550 5\.1\.1 /) }]);
    expect(p.received[0].rcptTo.map((r) => r.address)).toEqual(["rcpt@example.net"]);
  });

  it("sends raw MIME as received (bytes and a file): envelope decides recipients, Message-ID and headers untouched", async () => {
    const p = await peer({ server: "gmail" });
    const token = await issueTestAccessToken({ upn: MAILBOX });
    const { raw } = await composeMessage({ from: "device@contoso.com", to: ["visible@example.net"], subject: "Relayed", body: "From the printer", headers: { "Message-ID": "<scan-4711@printer.contoso.com>", "X-Device": "MFP-3" } });
    const bytes = await sendSmtp(request(p, token, { message: { envelope: { from: MAILBOX, to: ["visible@example.net", "hidden@example.net"] }, raw: { bytes: raw } } }));
    expect(bytes.ok, JSON.stringify(bytes)).toBe(true);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "omc-raw-")), "message.eml");
    fs.writeFileSync(file, raw);
    const fromFile = await sendSmtp(request(p, token, { message: { envelope: { from: MAILBOX, to: ["visible@example.net"] }, raw: { path: file } } }));
    expect(fromFile.ok, JSON.stringify(fromFile)).toBe(true);
    if (!bytes.ok || !fromFile.ok) return;
    expect(bytes.messageId).toBe("<scan-4711@printer.contoso.com>");
    expect(fromFile.messageId).toBe("<scan-4711@printer.contoso.com>");
    expect(p.received).toHaveLength(2);
    for (const got of p.received) {
      expect(got.raw.replace(/\r\n/g, "\n")).toBe(raw.toString("utf8").replace(/\r\n/g, "\n").replace(/\n?$/, "\n"));
      expect(got.mailFrom).toBe(MAILBOX);
      expect(got.parsed.messageId).toBe("<scan-4711@printer.contoso.com>");
      expect(got.parsed.headers.get("x-device")).toBe("MFP-3");
    }
    expect(p.received[0].rcptTo.map((r) => r.address)).toEqual(["visible@example.net", "hidden@example.net"]);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});

describe("SmtpConnectionCache (upstream connection reuse, relay worker)", () => {
  const raw = (n: number) => Buffer.from(`From: ${MAILBOX}\r\nTo: r@example.net\r\nSubject: m${n}\r\nMessage-ID: <m${n}@test>\r\n\r\nbody ${n}\r\n`);
  const rawRequest = (p: SmtpPeer, token: string, n: number, cache: SmtpConnectionCache): SmtpSendRequest => request(p, token, { message: { envelope: { from: MAILBOX, to: ["r@example.net"] }, raw: { bytes: raw(n) } }, connections: cache });

  it("sends N messages over one authenticated connection (RSET between them), each transcript with its own commands, redacted", async () => {
    const p = await peer();
    const token = await issueTestAccessToken({ upn: MAILBOX });
    const cache = new SmtpConnectionCache({ idleMs: 60_000 });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await sendSmtp(rawRequest(p, token, i, cache)));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true]);
    expect(p.connections()).toBe(1);
    expect(p.authAttempts).toHaveLength(1);
    expect(p.received.map((m) => m.parsed.subject)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    const first = results[0].transcript.join("\n");
    const third = results[2].transcript.join("\n");
    expect(first).toContain("C: AUTH XOAUTH2 [redacted]");
    expect(third).toContain("* Reusing the authenticated connection");
    expect(third).toContain("C: RSET");
    expect(third).toMatch(/C: MAIL FROM:<sender@contoso.com>/);
    expect(third).not.toContain("AUTH XOAUTH2");
    for (const r of results) expect(r.transcript.join("\n")).not.toContain(token);
    expect(cache.stats).toEqual({ opened: 1, reused: 4 });
    await cache.close();
    expect(cache.size).toBe(0);
    await expect.poll(() => p.openConnections()).toBe(0);
  });

  it("closes a connection after maxMessagesPerConnection and opens a new one", async () => {
    const p = await peer();
    const token = await issueTestAccessToken({ upn: MAILBOX });
    const cache = new SmtpConnectionCache({ maxMessagesPerConnection: 2, idleMs: 60_000 });
    for (let i = 0; i < 5; i++) expect((await sendSmtp(rawRequest(p, token, i, cache))).ok).toBe(true);
    expect(p.connections()).toBe(3);
    expect(p.received).toHaveLength(5);
    await cache.close();
  });

  it("a connection the server closed while idle: the next message goes over a new one, once (no duplicate)", async () => {
    const p = await peer();
    const token = await issueTestAccessToken({ upn: MAILBOX });
    const cache = new SmtpConnectionCache({ idleMs: 60_000 });
    expect((await sendSmtp(rawRequest(p, token, 0, cache))).ok).toBe(true);
    expect(cache.size).toBe(1);
    p.dropConnections();
    const second = await sendSmtp(rawRequest(p, token, 1, cache));
    expect(second.ok, JSON.stringify(second.transcript)).toBe(true);
    expect(p.connections()).toBe(2);
    expect(p.received.map((m) => m.parsed.subject)).toEqual(["m0", "m1"]);
    await cache.close();
  });

  it("idle connections are closed with QUIT after idleMs", async () => {
    const p = await peer();
    const token = await issueTestAccessToken({ upn: MAILBOX });
    const cache = new SmtpConnectionCache({ idleMs: 50 });
    expect((await sendSmtp(rawRequest(p, token, 0, cache))).ok).toBe(true);
    await expect.poll(() => p.openConnections(), { timeout: 10_000 }).toBe(0);
    expect(cache.size).toBe(0);
    expect((await sendSmtp(rawRequest(p, token, 1, cache))).ok).toBe(true);
    expect(p.connections()).toBe(2);
    await cache.close();
  });

  it("a new token means a new connection (XOAUTH2 authenticates per connection); the old one is closed", async () => {
    const p = await peer();
    const cache = new SmtpConnectionCache({ idleMs: 60_000 });
    const t1 = await issueTestAccessToken({ upn: MAILBOX });
    const t2 = await issueTestAccessToken({ upn: MAILBOX });
    expect(t2).not.toBe(t1);
    expect((await sendSmtp(rawRequest(p, t1, 0, cache))).ok).toBe(true);
    expect((await sendSmtp(rawRequest(p, t2, 1, cache))).ok).toBe(true);
    expect(p.connections()).toBe(2);
    expect(p.authAttempts.map((a) => a.ok)).toEqual([true, true]);
    expect(cache.size).toBe(1);
    await expect.poll(() => p.openConnections()).toBe(1);
    await cache.close();
  });

  it("a 4xx on one message does not poison the next (the failed connection is discarded)", async () => {
    const p = await peer({ dataReply: (text) => (text.includes("Subject: m1") ? "451 4.3.0 Temporary server error. Please try again later" : undefined) });
    const token = await issueTestAccessToken({ upn: MAILBOX });
    const cache = new SmtpConnectionCache({ idleMs: 60_000 });
    expect((await sendSmtp(rawRequest(p, token, 0, cache))).ok).toBe(true);
    const failed = await sendSmtp(rawRequest(p, token, 1, cache));
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.error.remoteReply).toMatch(/^451 4\.3\.0/);
      expect(failed.error.code).toMatch(/^smtp\.451/);
    }
    const next = await sendSmtp(rawRequest(p, token, 2, cache));
    expect(next.ok).toBe(true);
    expect(p.received.map((m) => m.parsed.subject)).toEqual(["m0", "m2"]);
    expect(p.connections()).toBe(2);
    await cache.close();
  });

  it("without a cache (send test): one connection per message, closed with QUIT", async () => {
    const p = await peer();
    const token = await issueTestAccessToken({ upn: MAILBOX });
    for (let i = 0; i < 2; i++) {
      const r = await sendSmtp(request(p, token));
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.transcript.join("\n")).toContain("C: QUIT");
    }
    expect(p.connections()).toBe(2);
  });
});
