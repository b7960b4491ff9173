import { afterEach, describe, expect, it } from "vitest";
import { issueTestAccessToken } from "@/tests/fakes/idp-keys";
import { startSmtpPeer, type SmtpPeer } from "@/tests/fakes/smtp-peer";
import { buildXoauth2, sendSmtp, type SmtpSendRequest } from "./smtp";

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
});
