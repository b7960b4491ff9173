import { describe, expect, it } from "vitest";
import { containsSecret, redactSecrets, redactTranscript, truncateBody, REDACTED } from "./redact";
import { buildXoauth2 } from "./mail/smtp";
import { APP_CERT_KEY, pemMarker } from "@/tests/fixtures/profiles";

const JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1cG4iOiJzZW5kZXJAY29udG9zby5jb20iLCJleHAiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtYW5kLW1vcmU";
const OPAQUE = "EwBwA8l6BAAUO9chh8cJscQLmU+LSWpbnr0vmwwAAXmJHVmgzzVrL4LZhq8DwlG6sVVo";

describe("redactSecrets", () => {
  it("removes the XOAUTH2 blob in SMTP AUTH and IMAP AUTHENTICATE, with or without knowing the token", () => {
    const blob = buildXoauth2("sender@contoso.com", OPAQUE);
    for (const line of [`C: AUTH XOAUTH2 ${blob}`, `C: A1 AUTHENTICATE XOAUTH2 ${blob}`, `C: ${blob}`]) {
      const out = redactSecrets(line);
      expect(out).not.toContain(blob);
      expect(out).not.toContain(OPAQUE);
      expect(out).toContain(REDACTED);
    }
    // The blob without a command in front is still recognised by decoding it.
    expect(redactSecrets(`S: something ${blob}`)).not.toContain(blob);
  });

  it("removes known secrets in plain, base64 and URL-encoded form, also inside longer base64", () => {
    const secret = "Fixture~GraphClientSecret~3b8d";
    const text = [
      `client_secret=${encodeURIComponent(secret)}`,
      `raw ${secret} raw`,
      Buffer.from(secret).toString("base64"),
      Buffer.from(`x${secret}`).toString("base64"),
      Buffer.from(`xy${secret}`).toString("base64"),
      Buffer.from(`user=a\x01auth=Bearer ${secret}\x01\x01`).toString("base64"),
    ].join("\n");
    const out = redactSecrets(text, [secret]);
    expect(containsSecret(out, [secret])).toBe(false);
  });

  it("removes bearer tokens, JWTs and Basic credentials", () => {
    const out = redactSecrets(`Authorization: Bearer ${OPAQUE}\nid_token ${JWT}\nAuthorization: Basic dXNlcjpwYXNzd29yZA==`);
    expect(out).toContain("Authorization: Bearer [redacted]");
    expect(out).toContain("Authorization: Basic [redacted]");
    expect(out).not.toContain(OPAQUE);
    expect(out).not.toContain(JWT);
    expect(out).not.toContain("dXNlcjpwYXNzd29yZA");
  });

  it("keeps the words of a server reply that says 'Basic authentication' (not a credential)", () => {
    const reply = "550 5.7.30 Basic authentication is not supported for Client Submission.";
    expect(redactSecrets(reply)).toBe(reply);
    expect(redactSecrets("Authorization: Basic dXNlcjpwYXNz")).toBe("Authorization: Basic [redacted]");
  });

  it("removes secret fields in JSON, form bodies, query strings and config lines", () => {
    const json = JSON.stringify({ access_token: OPAQUE, refresh_token: "0.AAAA-refresh-token-value", token_type: "Bearer", expires_in: 3599, client_secret: "s3cr3t-value", error: { code: "ErrorAccessDenied" } });
    const form = `grant_type=password&username=a%40b.com&password=Pa55word!&client_assertion=${JWT}&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&refresh_token=rt-123456`;
    const url = "https://console.example.com/api/oauth/callback?code=0.AXoA-auth-code-value&state=abc";
    const config = "CLIENT_SECRET=Value~from~Azure\nDELEGATED_PASSWORD=hunter22\nTOKEN=abcdef123456";
    const out = redactSecrets([json, form, url, config].join("\n"));
    for (const leaked of [OPAQUE, "0.AAAA-refresh-token-value", "s3cr3t-value", "Pa55word!", JWT, "rt-123456", "0.AXoA-auth-code-value", "Value~from~Azure", "hunter22", "abcdef123456"]) {
      expect(out).not.toContain(leaked);
    }
    // What helps debugging stays.
    expect(out).toContain('"code":"ErrorAccessDenied"');
    expect(out).toContain('"expires_in":3599');
    expect(out).toContain("grant_type=password");
    expect(out).toContain("username=a%40b.com");
    expect(out).toContain("state=abc");
  });

  it("removes PEM private keys, including the \\n-escaped form inside service-account JSON", () => {
    // The test certificate's key from tests/fixtures (no key material is written in source files).
    const pem = APP_CERT_KEY.trim();
    const escaped = JSON.stringify({ private_key: pem });
    expect(redactSecrets(pem)).toBe("[redacted private key]");
    expect(redactSecrets(escaped)).not.toContain(pemMarker(pem));
    expect(redactSecrets("-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----")).toBe("[redacted private key]");
  });

  it("leaves ordinary SMTP and IMAP lines alone", () => {
    const lines = ["S: 250-AUTH LOGIN PLAIN XOAUTH2", "S: 535 5.7.3 Authentication unsuccessful [SN4PR0601CA0002]", "* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 SASL-IR", "C: MAIL FROM:<a@b.com>", "S: 250 2.0.0 OK <id@host> [Hostname=X]"];
    for (const l of lines) expect(redactSecrets(l)).toBe(l);
  });
});

describe("redactTranscript", () => {
  it("redacts AUTH LOGIN credentials sent after 334 challenges", () => {
    const user = Buffer.from("relay@contoso.com").toString("base64");
    const pass = Buffer.from("Basic-Pa55").toString("base64");
    const out = redactTranscript(["C: AUTH LOGIN", "S: 334 VXNlcm5hbWU6", `C: ${user}`, "S: 334 UGFzc3dvcmQ6", `C: ${pass}`, "S: 235 2.7.0 Authentication successful"]);
    expect(out.join("\n")).not.toContain(pass);
    expect(out.join("\n")).not.toContain(user);
    expect(out).toContain("S: 235 2.7.0 Authentication successful");
  });

  it("keeps the empty acknowledgement of an XOAUTH2 error challenge and the final 535", () => {
    const out = redactTranscript([`C: AUTH XOAUTH2 ${buildXoauth2("u@x.com", OPAQUE)}`, "S: 334 eyJzdGF0dXMiOiI0MDAifQ==", "C: ", "S: 535 5.7.8 Username and Password not accepted"]);
    expect(out).toEqual(["C: AUTH XOAUTH2 [redacted]", "S: 334 eyJzdGF0dXMiOiI0MDAifQ==", "C: ", "S: 535 5.7.8 Username and Password not accepted"]);
  });

  it("keeps message headers and truncates the body of a DATA section", () => {
    const body = Array.from({ length: 200 }, (_, i) => `body line ${i} ${"x".repeat(40)}`);
    const out = redactTranscript(["C: DATA", "S: 354 End data with <CR><LF>.<CR><LF>", "D: Subject: Hello", "D: From: a@b.com", "D: ", ...body.map((l) => `D: ${l}`), "C: .", "S: 250 OK"], { maxBodyChars: 300 });
    const text = out.join("\n");
    expect(text).toContain("D: Subject: Hello");
    expect(text).toContain("body line 0");
    expect(text).not.toContain("body line 199");
    expect(text).toMatch(/message body truncated: \d+ more characters not stored/);
    expect(out.at(-1)).toBe("S: 250 OK");
    expect(text.length).toBeLessThan(1000);
  });

  it("scrubs known secrets everywhere in the transcript", () => {
    const out = redactTranscript(["* token http: POST /token", `* token http: password=${encodeURIComponent("Fixture-Delegated-Pa55word-7c1e")}`, "S: echo Fixture-Delegated-Pa55word-7c1e"], { secrets: ["Fixture-Delegated-Pa55word-7c1e"] });
    expect(out.join("\n")).not.toContain("Fixture-Delegated-Pa55word-7c1e");
  });
});

describe("truncateBody", () => {
  it("keeps short text and says how much was cut", () => {
    expect(truncateBody("short", 10)).toBe("short");
    expect(truncateBody("0123456789abc", 10)).toBe("0123456789… [message body truncated: 3 more characters not stored]");
  });
});
