import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueTestAccessToken } from "@/tests/fakes/idp-keys";
import { startDovecot, type DovecotServer } from "@/tests/fakes/dovecot";
import { testImapMailbox, type ImapTestRequest } from "./imap";

// Real IMAP against a private Dovecot (XOAUTH2 validated locally against the test IdP key).

const USER = "listener@contoso.com";
const APP_MAILBOX = "shared@contoso.com";
const GOOGLE_USER = "sender@example.org";
const MESSAGES = [
  { from: "first@example.net", subject: "Oldest message", date: new Date("2026-01-01T08:00:00Z") },
  { from: "second@example.net", subject: "Middle message", date: new Date("2026-01-02T08:00:00Z") },
  { from: "third@example.net", subject: "Newest message ✓", date: new Date("2026-01-03T08:00:00Z") },
];

let dovecot: DovecotServer;
beforeAll(async () => {
  dovecot = await startDovecot({
    accounts: [
      { address: USER, messages: MESSAGES },
      { address: APP_MAILBOX, messages: MESSAGES.slice(0, 1), login: "app" },
      { address: GOOGLE_USER, messages: [], login: "email" },
    ],
    clientIds: ["3f2e1d0c-b9a8-4765-8432-10fedcba9876"],
  });
}, 120_000);
afterAll(async () => {
  await dovecot?.stop();
});

const request = (user: string, accessToken: string, overrides: Partial<ImapTestRequest> = {}): ImapTestRequest => ({
  host: dovecot.host,
  port: dovecot.port,
  security: "tls",
  user,
  accessToken,
  timeoutMs: 15_000,
  ...overrides,
});

describe("testImapMailbox against Dovecot", () => {
  it("authenticates with a delegated token, lists mailboxes, counts INBOX and reads the newest message", async () => {
    const token = await issueTestAccessToken({ upn: USER, sub: "user-sub", scp: "IMAP.AccessAsUser.All" });
    const stages: string[] = [];
    const res = await testImapMailbox(request(USER, token, { onProgress: (p) => stages.push(p.stage) }));
    expect(res.ok, JSON.stringify(res, null, 1)).toBe(true);
    if (!res.ok) return;
    expect(stages).toEqual(["connecting", "authenticating", "listing", "inbox", "done"]);
    expect(res.inboxCount).toBe(3);
    expect(res.newest?.subject).toBe("Newest message ✓");
    expect(res.newest?.date).toBe("2026-01-03T08:00:00.000Z");
    expect(res.newest?.from).toBe("third@example.net");
    expect(res.mailboxes.map((m) => m.path).sort()).toEqual(["Archive", "INBOX", "Sent"]);
    expect(res.mailboxes.find((m) => m.path === "Sent")?.specialUse).toBe("\\Sent");
    const text = res.transcript.join("\n");
    expect(text).toMatch(/AUTHENTICATE XOAUTH2/);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split(".")[2]);
  });

  it("works with an app token (IMAP.AccessAsApp) for a mailbox the app may open", async () => {
    const token = await issueTestAccessToken({ idtyp: "app", sub: "sp-app", azp: "3f2e1d0c-b9a8-4765-8432-10fedcba9876", roles: ["IMAP.AccessAsApp"] });
    const res = await testImapMailbox(request(APP_MAILBOX, token));
    expect(res.ok, JSON.stringify(res, null, 1)).toBe(true);
    if (res.ok) expect(res.inboxCount).toBe(1);
  });

  it("works with a Google token for the impersonated user (empty INBOX)", async () => {
    const token = await issueTestAccessToken({ email: GOOGLE_USER, sub: GOOGLE_USER, scope: "https://mail.google.com/" });
    const res = await testImapMailbox(request(GOOGLE_USER, token));
    expect(res.ok, JSON.stringify(res, null, 1)).toBe(true);
    if (res.ok) {
      expect(res.inboxCount).toBe(0);
      expect(res.newest).toBeNull();
    }
  });

  it("decodes a token for another user as an IMAP authentication failure", async () => {
    const token = await issueTestAccessToken({ upn: "someone-else@contoso.com", sub: "x" });
    const res = await testImapMailbox(request(USER, token));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.stage).toBe("authenticating");
    expect(res.error.code).toBe("imap.auth-failed");
    expect(res.error.tokenRejected).toBe(true);
    expect(res.error.remoteReply).toMatch(/AUTHENTICATIONFAILED/);
    expect(res.error.fix).toMatch(/IMAP\.AccessAsUser\.All/);
    expect(JSON.stringify(res)).not.toContain(token);
  });

  it("rejects an expired token", async () => {
    const token = await issueTestAccessToken({ upn: USER, sub: "x" }, -300);
    const res = await testImapMailbox(request(USER, token));
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe("imap.auth-failed");
  });

  it("names the port when nothing listens", async () => {
    const res = await testImapMailbox(request(USER, "x".repeat(40), { port: 1 }));
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe("network.refused");
      expect(res.error.summary).toContain("127.0.0.1:1");
    }
  });
});
