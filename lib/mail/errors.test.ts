import { describe, expect, it } from "vitest";
import { decodeGraphError, decodeHttpError, decodeImapError, decodeSmtpError, decodeSmtpReply, decodeTlsError, isTransientMailError } from "./errors";

// The decoder against the error table of ../shared/reference/README.md and the iMail guide.

const ctx = { host: "smtp.office365.com", port: 587, user: "sender@contoso.com", security: "starttls" as const };

describe("SMTP replies", () => {
  it.each([
    ["535 5.7.3 Authentication unsuccessful [SN4PR0601CA0002.namprd06.prod.outlook.com]", "smtp.535.5.7.3", /Authenticated SMTP/, true],
    ["535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", "smtp.535.5.7.139", /SmtpClientAuthenticationDisabled/, true],
    ["530 5.7.57 Client not authenticated to send mail.", "smtp.530.5.7.57", /Add-MailboxPermission/, false],
    ["430 4.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", "smtp.430.4.2.0.STOREDRV", /FullAccess/, false],
    ["554 5.2.252 SendAsDenied; sender@contoso.com not allowed to send as boss@contoso.com", "smtp.554.5.2.252.SendAsDenied", /Add-RecipientPermission/, false],
    ["535-5.7.8 Username and Password not accepted. For more information, go to", "smtp.535.5.7.8", /user name and the token/i, true],
  ])("%s → %s", (reply, code, fix, tokenRejected) => {
    const d = decodeSmtpReply(reply, ctx);
    expect(d.code).toBe(code);
    expect(d.fix).toMatch(fix);
    expect(d.tokenRejected).toBe(tokenRejected);
    expect(d.remoteReply).toBe(reply);
    expect(d.summary).toContain("smtp.office365.com:587");
  });

  it("tailors 535 5.7.3 for app tokens (service principal, FullAccess) and 5.7.8 for Google (impersonated user)", () => {
    expect(decodeSmtpReply("535 5.7.3 Authentication unsuccessful", { ...ctx, kind: "m365-app-smtp" }).fix).toMatch(/New-ServicePrincipal.*FullAccess/);
    expect(decodeSmtpReply("535-5.7.8 Username and Password not accepted", { host: "smtp.gmail.com", kind: "google-service-account" }).fix).toMatch(/never the service account/);
  });

  it("reads nodemailer's EAUTH error (responseCode 535, response)", () => {
    const err = Object.assign(new Error("Invalid login: 535 5.7.3 Authentication unsuccessful"), { code: "EAUTH", responseCode: 535, response: "535 5.7.3 Authentication unsuccessful", command: "AUTH XOAUTH2" });
    expect(decodeSmtpError(err, ctx).code).toBe("smtp.535.5.7.3");
  });

  it("STARTTLS missing or refused is a TLS refusal that says nothing was sent", () => {
    const err = Object.assign(new Error("Error upgrading connection with STARTTLS"), { code: "ETLS", response: "502 5.5.2 Error: command not recognized", command: "STARTTLS" });
    const d = decodeSmtpError(err, ctx);
    expect(d.code).toBe("smtp.starttls-refused");
    expect(d.summary).toMatch(/nothing was sent/);
  });
});

describe("TLS and network", () => {
  it.each([
    ["self-signed certificate", "DEPTH_ZERO_SELF_SIGNED_CERT", "tls.untrusted-ca"],
    ["self-signed certificate in certificate chain", "SELF_SIGNED_CERT_IN_CHAIN", "tls.untrusted-ca"],
    ["unable to get local issuer certificate", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "tls.untrusted-ca"],
    ["unable to verify the first certificate", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls.untrusted-ca"],
    ["certificate has expired", "CERT_HAS_EXPIRED", "tls.expired"],
    ["Hostname/IP does not match certificate's altnames", "ERR_TLS_CERT_ALTNAME_INVALID", "tls.hostname-mismatch"],
  ])("%s → %s", (message, code, decoded) => {
    const d = decodeTlsError(Object.assign(new Error(message), { code }), { protocol: "smtp", ...ctx });
    expect(d?.code).toBe(decoded);
    if (decoded === "tls.untrusted-ca") {
      expect(d?.cause).toMatch(/CA/);
      expect(d?.fix).toMatch(/Digital Certificate Manager.*QIBM_QTMS_SMTP_CLIENT/);
      expect(d?.fix).toMatch(/NODE_EXTRA_CA_CERTS/);
    }
  });

  it("finds the certificate problem inside nodemailer's wrapped ETLS message", () => {
    const err = Object.assign(new Error("Error initiating TLS - unable to get local issuer certificate"), { code: "ETLS" });
    expect(decodeSmtpError(err, ctx).code).toBe("tls.untrusted-ca");
  });

  it("implicit TLS against a STARTTLS port names the port/security mismatch", () => {
    const d = decodeTlsError(new Error("write EPROTO 40E7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number"), { protocol: "smtp", host: "smtp.office365.com", port: 587, security: "tls" });
    expect(d?.code).toBe("tls.protocol-mismatch");
    expect(d?.fix).toMatch(/587/);
  });

  it("connection refused and timeouts name host:port", () => {
    expect(decodeSmtpError(Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:587"), { code: "ESOCKET" }), ctx)).toMatchObject({ code: "network.refused", summary: "Connection to smtp.office365.com:587 refused" });
    expect(decodeSmtpError(Object.assign(new Error("Connection timeout"), { code: "ETIMEDOUT", timeoutType: "CONNECTION_TIMEOUT" }), { ...ctx, timeoutMs: 15_000 }).summary).toBe("No connection to smtp.office365.com:587 within 15 s");
    const greeting = decodeSmtpError(Object.assign(new Error("Greeting never received"), { code: "ETIMEDOUT", timeoutType: "GREETING_TIMEOUT" }), { ...ctx, port: 465, timeoutMs: 15_000 });
    expect(greeting.code).toBe("timeout.greeting");
    expect(greeting.fix).toMatch(/implicit TLS for port 465/);
    expect(decodeSmtpError(Object.assign(new Error("getaddrinfo ENOTFOUND smtp.office356.com"), { code: "EDNS" }), { ...ctx, host: "smtp.office356.com" }).code).toBe("network.dns");
  });

  it("a connection closed during DATA says the message was probably not delivered", () => {
    const d = decodeSmtpError(Object.assign(new Error("Connection closed unexpectedly"), { code: "ECONNECTION" }), { ...ctx, stage: "data" });
    expect(d.code).toBe("network.closed-during-data");
    expect(d.cause).toMatch(/not delivered/);
  });

  it("a connection dropped during the TLS handshake is a network failure worth retrying (relay queue)", () => {
    const d = decodeSmtpError(Object.assign(new Error("Client network socket disconnected before secure TLS connection was established"), { code: "ESOCKET" }), { host: "h", port: 587, stage: "connecting" });
    expect(d.category).toBe("network");
    expect(isTransientMailError(d)).toBe(true);
  });

  it("fetch failures on the way to Graph (undici puts the code in cause)", () => {
    const err = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" }) });
    expect(decodeHttpError(err, { host: "graph.microsoft.com", port: 443 }).code).toBe("network.refused");
    const tls = new TypeError("fetch failed", { cause: Object.assign(new Error("self-signed certificate in certificate chain"), { code: "SELF_SIGNED_CERT_IN_CHAIN" }) });
    expect(decodeHttpError(tls, { host: "graph.microsoft.com", port: 443 }).code).toBe("tls.untrusted-ca");
  });
});

describe("Graph", () => {
  it.each([
    [401, "InvalidAuthenticationToken", "graph.401.InvalidAuthenticationToken", /graph\.microsoft\.com\/\.default/, true],
    [403, "ErrorAccessDenied", "graph.403.ErrorAccessDenied", /Mail\.Send.*Grant admin consent/, false],
    [400, "ErrorInvalidRecipients", "graph.400.ErrorInvalidRecipients", /To\/Cc\/Bcc/, false],
    [413, "RequestEntityTooLarge", "graph.413", /upload session/, false],
    [429, "ApplicationThrottled", "graph.429", /Retry-After/, false],
    [404, "ErrorInvalidUser", "graph.404.ErrorInvalidUser", /licence/, false],
  ])("%i %s → %s", (status, code, decoded, fix, tokenRejected) => {
    const d = decodeGraphError(status, { error: { code, message: "message text" } }, { user: "noreply@contoso.com" });
    expect(d.code).toBe(decoded);
    expect(d.fix).toMatch(fix);
    expect(d.tokenRejected).toBe(tokenRejected);
    expect(d.remoteReply).toBe(`${status} ${code}: message text`);
  });

  it("403 mentions the application access policy", () => {
    expect(decodeGraphError(403, { error: { code: "ErrorAccessDenied" } }).cause).toMatch(/application access policy/);
  });
});

describe("IMAP", () => {
  it("AUTHENTICATIONFAILED → token rejected with the IMAP permission hint", () => {
    const err = Object.assign(new Error("Command failed"), { authenticationFailed: true, response: "2 NO [AUTHENTICATIONFAILED] Authentication failed.", serverResponseCode: "AUTHENTICATIONFAILED" });
    const d = decodeImapError(err, { host: "outlook.office365.com", port: 993, user: "listener@contoso.com", kind: "m365-delegated" });
    expect(d).toMatchObject({ code: "imap.auth-failed", tokenRejected: true });
    expect(d.fix).toMatch(/IMAP\.AccessAsUser\.All/);
    expect(decodeImapError(err, { kind: "m365-app-smtp" }).fix).toMatch(/IMAP\.AccessAsApp/);
  });

  it("Exchange's 'User is authenticated but not connected' is a mailbox permission problem", () => {
    const err = Object.assign(new Error("Authentication failed"), { authenticationFailed: true, response: "User is authenticated but not connected." });
    expect(decodeImapError(err, { user: "shared@contoso.com" })).toMatchObject({ code: "imap.not-connected", category: "permission" });
  });
});

describe("transient or permanent (what the relay queue and the scheduler retry)", () => {
  const smtp = (reply: string) => decodeSmtpReply(reply, { host: "smtp.office365.com", port: 587 });
  it("SMTP 4xx is transient, 5xx is not", () => {
    expect(isTransientMailError(smtp("421 4.7.0 Temporary server error. Please try again later"))).toBe(true);
    expect(isTransientMailError(smtp("451 4.4.0 DNS temporary failure"))).toBe(true);
    expect(isTransientMailError(smtp("535 5.7.3 Authentication unsuccessful"))).toBe(false);
    expect(isTransientMailError(smtp("550 5.7.30 Basic authentication is not supported for Client Submission"))).toBe(false);
    expect(isTransientMailError(smtp("554 5.2.252 SendAsDenied"))).toBe(false);
  });
  it("Graph 429 and 5xx are transient and keep Retry-After; 4xx are not", () => {
    const throttled = decodeGraphError(429, { error: { code: "ApplicationThrottled" } }, { retryAfterSeconds: 30 });
    expect(isTransientMailError(throttled)).toBe(true);
    expect(throttled.retryAfterSeconds).toBe(30);
    expect(isTransientMailError(decodeGraphError(503, undefined, { retryAfterSeconds: 5 }))).toBe(true);
    expect(isTransientMailError(decodeGraphError(403, { error: { code: "ErrorAccessDenied" } }))).toBe(false);
    expect(isTransientMailError(decodeGraphError(401, undefined))).toBe(false);
  });
  it("network failures and timeouts are transient; TLS trust is not", () => {
    expect(isTransientMailError(decodeSmtpError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), { host: "h", port: 587 }))).toBe(true);
    expect(isTransientMailError(decodeSmtpError(Object.assign(new Error("Greeting never received"), { code: "ETIMEDOUT", timeoutType: "GREETING_TIMEOUT" }), { host: "h", port: 587 }))).toBe(true);
    expect(isTransientMailError(decodeSmtpError(Object.assign(new Error("self-signed certificate in certificate chain"), { code: "SELF_SIGNED_CERT_IN_CHAIN" }), { host: "h", port: 587 }))).toBe(false);
  });
});
