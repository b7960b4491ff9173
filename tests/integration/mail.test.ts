import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawDatabaseBytes, useTestDb } from "@/tests/helpers/test-db";
import { startFakeEntra, type FakeEntra } from "@/tests/fakes/fake-entra";
import { startFakeGoogle, type FakeGoogle } from "@/tests/fakes/fake-google";
import { startSmtpPeer, type SmtpPeer } from "@/tests/fakes/smtp-peer";
import { startFakeGraph, type FakeGraph } from "@/tests/fakes/fake-graph";
import { startDovecot, type DovecotServer } from "@/tests/fakes/dovecot";
import { APP_CERT_PEM, CLIENT, FIXTURE_SECRETS, GOOGLE_SA_JSON, SECRET, TENANT, fixtureProfile } from "@/tests/fixtures/profiles";
import { localOperator, type Actor } from "@/lib/auth/actor";
import { createAdmin } from "@/lib/auth/admins";
import { createProfile, getProfile, type ProfileDto } from "@/lib/profiles/dal";
import type { ProfileKind } from "@/lib/profiles/schema";
import { getActivityDetail, listActivity } from "@/lib/activity/dal";
import { completeAuthorization, getAccessToken, getOAuthRedirectUri, startAuthorization } from "@/lib/tokens";
import { sendTestMessage, type SendTestProgress } from "@/lib/mail/send-test";
import { testImap } from "@/lib/mail/imap-test";
import { composeMessage } from "@/lib/mail/smtp";
import { deliver } from "@/lib/mail/pipeline";
import { loadProfileWithSecrets } from "@/lib/profiles/dal";
import { runCliCaptured } from "@/tests/helpers/cli";

// End to end through the library: profiles in a real (test) database, tokens from the fake
// Entra / Google over HTTPS (lib/tokens), SMTP to smtp-server peers, Graph to an HTTPS fake,
// IMAP to a private Dovecot. Nothing is mocked.

const db = useTestDb();
const sa = JSON.parse(GOOGLE_SA_JSON) as { client_email: string; client_id: string; private_key: string };

const DELEGATED = "sender@contoso.com";
const AUTH_CODE = "listener@contoso.com";
const APP_IMAP = "shared@contoso.com";
const GOOGLE = "sender@example.org";
const GENERIC = "svc-mail@example.net";

let idp: FakeEntra;
let google: FakeGoogle;
let peer: SmtpPeer;
let basicPeer: SmtpPeer;
let graph: FakeGraph;
let dovecot: DovecotServer;
let admin: Actor;
const operator = localOperator();
const extraPeers: SmtpPeer[] = [];

const msTokenUrl = () => `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`;
const smtpAt = (p: SmtpPeer) => ({ smtpHost: p.host, smtpPort: p.port, smtpSecurity: "starttls" });
const imapAt = () => ({ imapHost: dovecot.host, imapPort: dovecot.port, imapSecurity: "tls" });

async function profileOf(kind: ProfileKind, name: string, settings: Record<string, unknown> = {}): Promise<ProfileDto> {
  const base = fixtureProfile(kind, name);
  return createProfile(operator, { ...base, settings: { ...base.settings, ...settings } as never });
}

async function newPeer(options: Parameters<typeof startSmtpPeer>[0]) {
  const p = await startSmtpPeer(options);
  extraPeers.push(p);
  return p;
}

const cli = (...argv: string[]) => runCliCaptured(argv);

beforeAll(async () => {
  idp = await startFakeEntra({
    tenants: [TENANT],
    clients: [
      { clientId: CLIENT, secret: [SECRET.delegatedClientSecret, SECRET.graphClientSecret, SECRET.authCodeClientSecret], certificates: [APP_CERT_PEM], redirectUris: [getOAuthRedirectUri()] },
      { clientId: "generic-client", secret: SECRET.genericClientSecret },
    ],
    users: [{ username: DELEGATED, password: SECRET.delegatedPassword }, { username: AUTH_CODE, password: "unused-password-1" }],
    authorize: "auto",
  });
  google = await startFakeGoogle({ serviceAccounts: [{ clientEmail: sa.client_email, clientId: sa.client_id, keyPem: sa.private_key, delegatedScopes: ["https://mail.google.com/"] }], users: [GOOGLE] });
  // Mailboxes the SMTP peer knows; noreply@contoso.com is not one (the delegated fallback case).
  peer = await startSmtpPeer({ dsn: true, mailboxes: [DELEGATED, AUTH_CODE, GOOGLE, GENERIC] });
  basicPeer = await startSmtpPeer({ auth: "basic", basicUsers: { "relay@contoso.com": SECRET.basicPassword } });
  graph = await startFakeGraph({ mailboxes: ["noreply@contoso.com"] });
  dovecot = await startDovecot({
    accounts: [
      { address: DELEGATED, messages: [{ from: "boss@contoso.com", subject: "Quarterly numbers", date: new Date("2026-02-01T09:30:00Z") }] },
      { address: AUTH_CODE, messages: [{ from: "a@example.net", subject: "Older", date: new Date("2026-01-01T00:00:00Z") }, { from: "b@example.net", subject: "Latest for listener", date: new Date("2026-03-01T12:00:00Z") }] },
      { address: APP_IMAP, messages: [], login: "app" },
      { address: GOOGLE, messages: [{ from: "c@example.net", subject: "Hello Google", date: new Date("2026-01-05T00:00:00Z") }], login: "email" },
    ],
    clientIds: [CLIENT, "generic-client", sa.client_id],
  });
  const a = await createAdmin(operator, "mailadmin", "Correct-Horse-Battery-9");
  admin = { id: a.id, username: a.username, via: "web" };
}, 180_000);

afterAll(async () => {
  await Promise.all([idp?.close(), google?.close(), peer?.stop(), basicPeer?.stop(), graph?.stop(), dovecot?.stop(), ...extraPeers.map((p) => p.stop())]);
});

async function authorizeAuthCode(p: ProfileDto) {
  const { url } = await startAuthorization(admin, p.id);
  const res = await fetch(url, { redirect: "manual" });
  const back = new URL(res.headers.get("location")!);
  await completeAuthorization(admin, { state: back.searchParams.get("state")!, code: back.searchParams.get("code")! });
}

const lastReceived = (p: SmtpPeer) => p.received[p.received.length - 1];

describe("every kind sends", () => {
  it("m365-delegated: XOAUTH2 as the login user over STARTTLS, with progress", async () => {
    const p = await profileOf("m365-delegated", "d-send", { tokenUrl: msTokenUrl(), fromAddress: DELEGATED, ...smtpAt(peer) });
    const progress: SendTestProgress[] = [];
    const r = await sendTestMessage(admin, p.id, { to: "rcpt@example.net", subject: "Delegated" }, { onProgress: (e) => progress.push(e) });
    expect(r.ok, r.transcript).toBe(true);
    expect(r.summary).toMatch(new RegExp(`^Accepted by 127\\.0\\.0\\.1:${peer.port}: 250 `));
    expect(r.messageId).toMatch(/^<.+@contoso\.com>$/);
    expect(r.durationMs).toBeGreaterThan(0);
    expect(progress.map((e) => e.stage)).toEqual(expect.arrayContaining(["preparing", "token", "connecting", "authenticating", "sending", "done"]));
    expect(lastReceived(peer)).toMatchObject({ authUser: DELEGATED, mailFrom: DELEGATED, secure: true });
    expect(lastReceived(peer).parsed.subject).toBe("Delegated");
    expect((await getProfile(admin, p.id)).status).toBe("ok");
    const [entry] = (await listActivity(admin, { profileId: p.id, action: "mail.send" })).items;
    expect(entry).toMatchObject({ outcome: "success", hasDetail: true });
    expect(entry.remoteReply).toMatch(/^250 /);
  });

  it("m365-app-smtp: app token (certificate) for the mailbox", async () => {
    const p = await profileOf("m365-app-smtp", "app-send", { tokenUrl: msTokenUrl(), ...smtpAt(peer) });
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"] });
    expect(r.ok, r.transcript).toBe(true);
    expect(lastReceived(peer).authUser).toBe(DELEGATED);
  });

  it("m365-app-smtp without a mailbox (imported from IBM i): send and IMAP refused naming the field; the test's From is the XOAUTH2 user", async () => {
    const base = fixtureProfile("m365-app-smtp", "app-incomplete");
    const settings: Record<string, unknown> = { ...base.settings, tokenUrl: msTokenUrl(), ...smtpAt(peer) };
    delete settings.mailbox;
    const p = await createProfile(operator, { ...base, settings: settings as never });
    expect(p.status).toBe("incomplete");
    await expect(sendTestMessage(admin, p.id, { to: ["rcpt@example.net"] })).rejects.toMatchObject({ code: "invalid_input", field: "settings.mailbox" });
    await expect(testImap(admin, p.id)).rejects.toMatchObject({ code: "invalid_input", field: "settings.mailbox" });
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"], from: DELEGATED });
    expect(r.ok, r.transcript).toBe(true);
    expect(lastReceived(peer).authUser).toBe(DELEGATED);
  });

  it("m365-auth-code: the authorized mailbox, token from the refresh token", async () => {
    const p = await profileOf("m365-auth-code", "code-send", { tokenUrl: msTokenUrl(), ...smtpAt(peer), ...imapAt() });
    await authorizeAuthCode(p);
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"] });
    expect(r.ok, r.transcript).toBe(true);
    expect(lastReceived(peer).authUser).toBe(AUTH_CODE);
  });

  it("google-service-account: XOAUTH2 user is the impersonated user, never the service account", async () => {
    const p = await profileOf("google-service-account", "google-send", { tokenUrl: google.tokenUrl, ...smtpAt(peer) });
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"] });
    expect(r.ok, r.transcript).toBe(true);
    expect(r.authUser).toBe(GOOGLE);
    expect(lastReceived(peer).authUser).toBe(GOOGLE);
    expect(peer.authAttempts.map((a) => a.user)).not.toContain(sa.client_email);
  });

  it("oauth2-generic: client credentials at the generic token URL", async () => {
    const p = await profileOf("oauth2-generic", "generic-send", { tokenUrl: `${idp.url}/${TENANT}/oauth2/v2.0/token`, grantType: "client_credentials", scope: "https://outlook.office365.com/.default", ...smtpAt(peer) });
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"] });
    expect(r.ok, r.transcript).toBe(true);
    expect(lastReceived(peer).authUser).toBe(GENERIC);
  });

  it("smtp-basic: LOGIN with the stored password", async () => {
    const p = await profileOf("smtp-basic", "basic-send", smtpAt(basicPeer));
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"], body: "basic body" });
    expect(r.ok, r.transcript).toBe(true);
    expect(lastReceived(basicPeer).authUser).toBe("relay@contoso.com");
    expect(r.transcript).not.toContain(SECRET.basicPassword);
  });

  it("m365-app-graph: 202 reported as accepted by Graph, not delivered", async () => {
    const p = await profileOf("m365-app-graph", "graph-send", { tokenUrl: msTokenUrl(), graphEndpoint: graph.endpointTemplate, saveToSentItems: false });
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"], cc: ["cc@example.net"], subject: "Via Graph", body: "<p>hi</p>", html: true, readReceipt: true, deliveryReceipt: true, attachments: [{ filename: "a.txt", contentType: "text/plain", contentBase64: Buffer.from("attached").toString("base64") }] });
    expect(r.ok, r.transcript).toBe(true);
    expect(r.transport).toBe("graph");
    expect(r.summary).toMatch(/accepted by Graph for delivery \(not a delivery confirmation\)/);
    expect(r.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.messageId).toBeUndefined();
    const seen = graph.requests[graph.requests.length - 1];
    expect(seen.mailbox).toBe("noreply@contoso.com");
    expect(seen.body).toMatchObject({ saveToSentItems: false, message: { subject: "Via Graph", body: { contentType: "HTML" }, isReadReceiptRequested: true, isDeliveryReceiptRequested: true, ccRecipients: [{ emailAddress: { address: "cc@example.net" } }] } });
    expect(seen.body?.message.attachments?.[0]).toMatchObject({ name: "a.txt", contentBytes: Buffer.from("attached").toString("base64") });
  });

  it("m365-app-graph without a From address (imported from iMail): refused naming the field, then the test's From is the Graph mailbox", async () => {
    const base = fixtureProfile("m365-app-graph", "graph-incomplete");
    const settings: Record<string, unknown> = { ...base.settings, tokenUrl: msTokenUrl(), graphEndpoint: graph.endpointTemplate };
    delete settings.fromAddress;
    const p = await createProfile(operator, { ...base, settings: settings as never });
    expect(p.status).toBe("incomplete");
    await expect(sendTestMessage(admin, p.id, { to: ["rcpt@example.net"] })).rejects.toMatchObject({ code: "invalid_input", field: "settings.fromAddress" });
    const before = graph.requests.length;
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"], from: "noreply@contoso.com" });
    expect(r.ok, r.transcript).toBe(true);
    expect(graph.requests.length).toBe(before + 1);
    expect(graph.requests[graph.requests.length - 1].mailbox).toBe("noreply@contoso.com");
    // A passing send does not make the profile complete: it stays incomplete until the field is set.
    expect((await getProfile(admin, p.id)).status).toBe("incomplete");
  });

  it("log-only: nothing is sent, the full message goes to the activity log", async () => {
    const p = await profileOf("log-only", "log-send");
    const body = "Line one of the logged body\nLine two";
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"], bcc: ["b@example.net"], subject: "Dummy", body, readReceipt: true });
    expect(r.ok).toBe(true);
    expect(r.transport).toBe("log-only");
    const [entry] = (await listActivity(admin, { profileId: p.id, action: "mail.send" })).items;
    expect(entry.summary).toMatch(/logged \(log-only profile, nothing sent\)/);
    const detail = await getActivityDetail(admin, entry.id);
    expect(detail).toContain("Subject: Dummy");
    expect(detail).toContain("Bcc: b@example.net");
    expect(detail).toContain("Disposition-Notification-To: flows@example.com");
    expect(detail).toContain("Line one of the logged body");
    expect(detail).toContain("Line two");
  });
});

describe("SMTP behaviour", () => {
  it("delegated from-address fallback: 535 as the From address, retried as the login user with From = login user", async () => {
    // The fixture's fromAddress (noreply@contoso.com) differs from loginUser (sender@contoso.com).
    const p = await profileOf("m365-delegated", "d-fallback", { tokenUrl: msTokenUrl(), ...smtpAt(peer) });
    const before = peer.authAttempts.length;
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"], subject: "Fallback" });
    expect(r.ok, r.transcript).toBe(true);
    expect(r.fallbackToLoginUser).toBe(true);
    expect(r.tokenRefreshed).toBe(false);
    expect(r.attempts.map((a) => [a.authUser, a.ok])).toEqual([["noreply@contoso.com", false], [DELEGATED, true]]);
    expect(peer.authAttempts.slice(before).map((a) => [a.user, a.ok])).toEqual([["noreply@contoso.com", false], [DELEGATED, true]]);
    expect(r.from).toBe(DELEGATED);
    expect(lastReceived(peer).parsed.from?.value[0].address).toBe(DELEGATED);
    expect(r.transcript).toContain(`retrying with login user ${DELEGATED}`);
    const [entry] = (await listActivity(admin, { profileId: p.id, action: "mail.send" })).items;
    expect(entry.summary).toContain("retried with login user");
  });

  it("a rejected cached token is dropped, refreshed once and the send retried once", async () => {
    const revoked = new Set<string>();
    const strict = await newPeer({ mailboxes: [DELEGATED], authorize: (user, claims) => !revoked.has(String(claims.jti)) && claims.upn === user });
    const p = await profileOf("m365-delegated", "d-refresh", { tokenUrl: msTokenUrl(), fromAddress: DELEGATED, ...smtpAt(strict) });
    const cached = await getAccessToken(admin, p.id, { purpose: "smtp" });
    revoked.add(String((JSON.parse(Buffer.from(cached.accessToken.split(".")[1], "base64url").toString()) as { jti: string }).jti));
    const requestsBefore = idp.tokenRequests().length;
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"] });
    expect(r.ok, r.transcript).toBe(true);
    expect(r.tokenRefreshed).toBe(true);
    expect(r.attempts.map((a) => [a.tokenSource, a.ok])).toEqual([["cache", false], ["new", true]]);
    expect(idp.tokenRequests().length).toBe(requestsBefore + 1);
    expect((await listActivity(admin, { profileId: p.id, action: "token.invalidate" })).total).toBe(1);
  });

  it("wrong token → 535 5.7.3 decoded after one refresh; failure logged with hint; status failing", async () => {
    const deny = await newPeer({ forceAuthReply: "535 5.7.3 Authentication unsuccessful [SN4PR0601CA0002.namprd06.prod.outlook.com]" });
    const p = await profileOf("m365-app-smtp", "app-535", { tokenUrl: msTokenUrl(), ...smtpAt(deny) });
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"] });
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe("smtp.535.5.7.3");
    expect(r.error?.remoteReply).toMatch(/^535 5\.7\.3 Authentication unsuccessful/);
    expect(r.error?.fix).toMatch(/Add-MailboxPermission|Authenticated SMTP/);
    expect(r.tokenRefreshed).toBe(true);
    expect(r.attempts).toHaveLength(2);
    expect(deny.received).toHaveLength(0);
    const [entry] = (await listActivity(admin, { profileId: p.id, action: "mail.send" })).items;
    expect(entry).toMatchObject({ outcome: "failure", errorCode: "smtp.535.5.7.3" });
    expect(entry.hint).toMatch(/Fix:/);
    expect((await getProfile(admin, p.id)).status).toBe("failing");
  });

  it("server drops the connection mid-DATA: clear error, log entry, no hang", async () => {
    const dropper = await newPeer({ dropMidData: true, mailboxes: [DELEGATED] });
    const p = await profileOf("m365-delegated", "d-drop", { tokenUrl: msTokenUrl(), fromAddress: DELEGATED, ...smtpAt(dropper) });
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"], body: "x".repeat(150_000) });
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe("network.closed-during-data");
    expect(r.error?.message).toMatch(/closed the connection while the message was being sent/);
    expect(r.error?.cause).toMatch(/most likely not delivered/);
    expect(r.tokenRefreshed).toBe(false);
    const [entry] = (await listActivity(admin, { profileId: p.id, action: "mail.send" })).items;
    expect(entry).toMatchObject({ outcome: "failure", errorCode: "network.closed-during-data" });
  });

  it("STARTTLS not offered: refused, no credentials or message in clear", async () => {
    const plain = await newPeer({ tls: "plain", mailboxes: [DELEGATED] });
    const p = await profileOf("m365-delegated", "d-plain", { tokenUrl: msTokenUrl(), fromAddress: DELEGATED, ...smtpAt(plain) });
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"], subject: "Must not leak" });
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe("smtp.starttls-refused");
    expect(plain.authAttempts).toHaveLength(0);
    expect(plain.received).toHaveLength(0);
    expect(plain.plaintextFromClients()).not.toMatch(/AUTH|MAIL FROM|Must not leak/);
  });

  it("untrusted certificate: decoded TLS error naming the CA / DCM step", async () => {
    const bad = await newPeer({ certificate: "untrusted", mailboxes: [DELEGATED] });
    const p = await profileOf("m365-delegated", "d-untrusted", { tokenUrl: msTokenUrl(), fromAddress: DELEGATED, ...smtpAt(bad) });
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"] });
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe("tls.untrusted-ca");
    expect(r.error?.fix).toMatch(/Digital Certificate Manager/);
    expect(bad.authAttempts).toHaveLength(0);
  });

  it("attachment, read receipt and delivery receipt arrive in the received message", async () => {
    const p = await profileOf("google-service-account", "google-receipts", { tokenUrl: google.tokenUrl, ...smtpAt(peer) });
    const r = await sendTestMessage(admin, p.id, {
      to: ["rcpt@example.net"],
      cc: ["cc@example.net"],
      bcc: ["bcc@example.net"],
      subject: "Receipts",
      body: "see attachment",
      attachments: [{ filename: "invoice.pdf", contentType: "application/pdf", contentBase64: Buffer.from("%PDF-1.4 test").toString("base64") }],
      readReceipt: true,
      deliveryReceipt: true,
    });
    expect(r.ok, r.transcript).toBe(true);
    expect(r.receipts).toEqual({ read: true, delivery: "requested" });
    const got = lastReceived(peer);
    expect(got.parsed.headers.get("disposition-notification-to")).toMatchObject({ value: [{ address: GOOGLE }] });
    expect(got.parsed.attachments[0]).toMatchObject({ filename: "invoice.pdf", contentType: "application/pdf" });
    expect(got.parsed.attachments[0].content.toString()).toBe("%PDF-1.4 test");
    expect(got.rcptTo.map((x) => x.address).sort()).toEqual(["bcc@example.net", "cc@example.net", "rcpt@example.net"]);
    expect(got.rcptTo.every((x) => x.notify?.includes("SUCCESS"))).toBe(true);
    expect(got.raw).not.toMatch(/^Bcc:/im);
  });
});

describe("Graph behaviour", () => {
  it("401 → token refreshed once, then 202", async () => {
    const p = await profileOf("m365-app-graph", "graph-401", { tokenUrl: msTokenUrl(), graphEndpoint: graph.endpointTemplate });
    await getAccessToken(admin, p.id, { purpose: "graph" });
    graph.script({ status: 401, body: { error: { code: "InvalidAuthenticationToken", message: "Lifetime validation failed, the token is expired." } } });
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"] });
    expect(r.ok, r.transcript).toBe(true);
    expect(r.tokenRefreshed).toBe(true);
    expect(r.attempts.map((a) => a.ok)).toEqual([false, true]);
  });

  it("403 ErrorAccessDenied is decoded (no retry: a new token would not help)", async () => {
    const p = await profileOf("m365-app-graph", "graph-403", { tokenUrl: msTokenUrl(), graphEndpoint: graph.endpointTemplate });
    graph.script({ status: 403, body: { error: { code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again." } } });
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"] });
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe("graph.403.ErrorAccessDenied");
    expect(r.attempts).toHaveLength(1);
  });

  it("429 with Retry-After is honoured once within the timeout", async () => {
    const p = await profileOf("m365-app-graph", "graph-429", { tokenUrl: msTokenUrl(), graphEndpoint: graph.endpointTemplate });
    graph.script({ status: 429, headers: { "retry-after": "1" }, body: { error: { code: "ApplicationThrottled", message: "Too many requests" } } });
    const stages: string[] = [];
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"] }, { onProgress: (e) => stages.push(e.stage) });
    expect(r.ok, r.transcript).toBe(true);
    expect(stages).toContain("throttled");
    expect(r.transcript).toMatch(/waiting 1 s \(Retry-After\)/);
  });
});

describe("IMAP against Dovecot", () => {
  it("delegated profile: IMAP.AccessAsUser.All token, mailboxes, INBOX count and newest message", async () => {
    const p = await profileOf("m365-delegated", "d-imap", { tokenUrl: msTokenUrl(), ...imapAt() });
    const r = await testImap(admin, p.id);
    expect(r.ok, r.transcript).toBe(true);
    expect(r.inboxCount).toBe(1);
    expect(r.newest).toMatchObject({ subject: "Quarterly numbers", date: "2026-02-01T09:30:00.000Z" });
    expect(r.mailboxes?.map((m) => m.path)).toEqual(expect.arrayContaining(["INBOX", "Sent", "Archive"]));
    const [entry] = (await listActivity(admin, { profileId: p.id, action: "imap.test" })).items;
    expect(entry).toMatchObject({ outcome: "success", hasDetail: true });
  });

  it("authorization-code profile: the authorized mailbox", async () => {
    const p = await profileOf("m365-auth-code", "code-imap", { tokenUrl: msTokenUrl(), ...imapAt() });
    await authorizeAuthCode(p);
    const r = await testImap(admin, p.id);
    expect(r.ok, r.transcript).toBe(true);
    expect(r.inboxCount).toBe(2);
    expect(r.newest?.subject).toBe("Latest for listener");
  });

  it("app profile (IMAP.AccessAsApp): a mailbox the app may open", async () => {
    const p = await profileOf("m365-app-smtp", "app-imap", { tokenUrl: msTokenUrl(), mailbox: APP_IMAP, ...imapAt() });
    const r = await testImap(admin, p.id);
    expect(r.ok, r.transcript).toBe(true);
    expect(r.inboxCount).toBe(0);
    expect(r.newest).toBeNull();
  });

  it("google service account: the impersonated user", async () => {
    const p = await profileOf("google-service-account", "google-imap", { tokenUrl: google.tokenUrl, ...imapAt() });
    const r = await testImap(admin, p.id);
    expect(r.ok, r.transcript).toBe(true);
    expect(r.newest?.subject).toBe("Hello Google");
  });

  it("a token for another mailbox is refused: decoded, refreshed once, logged, status failing", async () => {
    // An app token for the listener's mailbox, which only a delegated (upn) token may open here.
    const wrong = await profileOf("m365-app-smtp", "app-imap-wrong", { tokenUrl: msTokenUrl(), mailbox: AUTH_CODE, ...imapAt() });
    const r = await testImap(admin, wrong.id);
    expect(r.ok).toBe(false);
    expect(r.tokenRefreshed).toBe(true);
    expect(r.error?.code).toBe("imap.auth-failed");
    expect(r.error?.fix).toMatch(/IMAP\.AccessAsApp/);
    expect((await getProfile(admin, wrong.id)).status).toBe("failing");
    const [entry] = (await listActivity(admin, { profileId: wrong.id, action: "imap.test" })).items;
    expect(entry).toMatchObject({ outcome: "failure", errorCode: "imap.auth-failed" });
  });

  it("kinds without IMAP are refused with a clear message", async () => {
    const p = await profileOf("m365-app-graph", "graph-imap", { tokenUrl: msTokenUrl() });
    await expect(testImap(admin, p.id)).rejects.toMatchObject({ code: "unsupported" });
  });
});

describe("CLI: send-test and imap-test", () => {
  it("send-test prints progress, the reply, duration and message id; exit 0", async () => {
    await profileOf("m365-delegated", "cli-send", { tokenUrl: msTokenUrl(), fromAddress: DELEGATED, ...smtpAt(peer) });
    const res = await cli("send-test", "cli-send", "--to", "rcpt@example.net", "--cc", "cc@example.net", "--subject", "From the CLI", "--read-receipt", "--delivery-receipt");
    expect(res.code, res.err + res.out).toBe(0);
    expect(res.err).toMatch(/Connecting to 127\.0\.0\.1:\d+/);
    expect(res.err).toMatch(/Authenticating as sender@contoso\.com/);
    expect(res.out).toMatch(/^OK {2}Accepted by 127\.0\.0\.1:\d+: 250 /);
    expect(res.out).toMatch(/message id\s+<.+>/);
    expect(res.out).toMatch(/duration\s+\d+ ms/);
    expect(res.out).toMatch(/receipts\s+read: requested, delivery: requested/);
    expect(lastReceived(peer).parsed.subject).toBe("From the CLI");
  });

  it("send-test shows the decoded error and exits 1", async () => {
    const deny = await newPeer({ forceAuthReply: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant." });
    await profileOf("m365-delegated", "cli-deny", { tokenUrl: msTokenUrl(), fromAddress: DELEGATED, ...smtpAt(deny) });
    const res = await cli("send-test", "cli-deny", "--to", "rcpt@example.net");
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/^FAILED/);
    expect(res.out).toMatch(/reply\s+535 5\.7\.139/);
    expect(res.out).toMatch(/fix\s+Enable SMTP AUTH/);
  });

  it("send-test with a bad address exits 2 naming the field; unknown profile exits 1", async () => {
    const bad = await cli("send-test", "cli-send", "--to", "not-an-address");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/To: each address must be an email address/);
    const missing = await cli("send-test", "no-such-profile", "--to", "a@example.net");
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/No profile named "no-such-profile"/);
  });

  it("imap-test prints mailboxes, INBOX count and the newest message", async () => {
    await profileOf("google-service-account", "cli-imap", { tokenUrl: google.tokenUrl, ...imapAt() });
    const res = await cli("imap-test", "cli-imap");
    expect(res.code, res.err + res.out).toBe(0);
    expect(res.out).toMatch(/INBOX\s+1 message/);
    expect(res.out).toMatch(/newest\s+Hello Google/);
  });
});

describe("delivery pipeline (lib/mail/pipeline.ts)", () => {
  const rawMime = () => composeMessage({ from: "scanner@contoso.com", to: ["team@example.net"], subject: "Scan 4711", body: "Scanned document", headers: { "Message-ID": "<scan-4711@mfp.contoso.com>" } }).then((c) => c.raw);

  it("partial send: some recipients refused (550 5.1.1) → 'partly delivered' with each reason, logged as a failure, never a green success", async () => {
    const picky = await newPeer({ server: "gmail", mailboxes: [GOOGLE], unknownRecipients: ["ghost@example.net"] });
    const p = await profileOf("google-service-account", "google-partial", { tokenUrl: google.tokenUrl, ...smtpAt(picky) });
    const r = await sendTestMessage(admin, p.id, { to: ["rcpt@example.net", "ghost@example.net"], subject: "Partial" });
    expect(r.ok).toBe(false);
    expect(r.outcome).toBe("partial");
    expect(r.summary).toMatch(/^Partly delivered: .* accepted 1 of 2 recipients and refused ghost@example\.net \(550 5\.1\.1 /);
    expect(r.recipients).toEqual([
      { address: "rcpt@example.net", accepted: true },
      { address: "ghost@example.net", accepted: false, reply: expect.stringMatching(/^550 5\.1\.1 /), transient: false },
    ]);
    expect(r.error).toMatchObject({ code: "smtp.partial", transient: false });
    expect(picky.received[0].rcptTo.map((x) => x.address)).toEqual(["rcpt@example.net"]);
    const [entry] = (await listActivity(admin, { profileId: p.id, action: "mail.send" })).items;
    expect(entry).toMatchObject({ outcome: "failure", errorCode: "smtp.partial" });
    expect(entry.summary).toMatch(/partly delivered/);
    const res = await cli("send-test", "google-partial", "--to", "rcpt@example.net", "--to", "ghost@example.net");
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/^PARTLY DELIVERED/);
    expect(res.out).toMatch(/refused\s+ghost@example\.net: 550 5\.1\.1/);
  });

  it("raw MIME over SMTP XOAUTH2 (Gmail's AUTH line): envelope recipients, message kept as received", async () => {
    const gmail = await newPeer({ server: "gmail", mailboxes: [GOOGLE] });
    const p = await profileOf("google-service-account", "google-raw", { tokenUrl: google.tokenUrl, ...smtpAt(gmail) });
    const { profile, secrets } = await loadProfileWithSecrets(admin, p.id);
    const raw = await rawMime();
    const stages: string[] = [];
    const r = await deliver({ actor: admin, profile, secrets, message: { type: "raw", envelope: { from: GOOGLE, to: ["team@example.net", "bcc-only@example.net"] }, mime: { bytes: raw } }, onProgress: (e) => stages.push(e.stage) });
    expect(r.ok, r.transcript).toBe(true);
    expect(r.outcome).toBe("delivered");
    expect(r.messageId).toBe("<scan-4711@mfp.contoso.com>");
    expect(r.to).toEqual(["team@example.net", "bcc-only@example.net"]);
    expect(stages).toEqual(expect.arrayContaining(["preparing", "token", "connecting", "authenticating", "sending", "done"]));
    const got = lastReceived(gmail);
    expect(got.authUser).toBe(GOOGLE);
    expect(got.mailFrom).toBe(GOOGLE);
    expect(got.rcptTo.map((x) => x.address)).toEqual(["team@example.net", "bcc-only@example.net"]);
    expect(got.raw.replace(/\r\n/g, "\n").trimEnd()).toBe(raw.toString("utf8").replace(/\r\n/g, "\n").trimEnd());
  });

  it("raw MIME over basic SMTP and log-only (Graph raw: lib/mail/graph.ts sendGraphRawMime, tested with the relay)", async () => {
    const raw = await rawMime();
    const envelope = { from: "relay@contoso.com", to: ["team@example.net"] };
    const basic = await loadProfileWithSecrets(admin, (await profileOf("smtp-basic", "basic-raw", { ...smtpAt(basicPeer), username: "relay@contoso.com" })).id);
    const viaBasic = await deliver({ actor: admin, ...basic, message: { type: "raw", envelope, mime: { bytes: raw } } });
    expect(viaBasic.ok, viaBasic.transcript).toBe(true);
    expect(lastReceived(basicPeer).parsed.messageId).toBe("<scan-4711@mfp.contoso.com>");

    const logOnly = await loadProfileWithSecrets(admin, (await profileOf("log-only", "log-raw")).id);
    const logged = await deliver({ actor: admin, ...logOnly, message: { type: "raw", envelope, mime: { bytes: raw } } });
    expect(logged).toMatchObject({ ok: true, outcome: "logged", transport: "log-only", messageId: "<scan-4711@mfp.contoso.com>" });
    expect(logged.transcript).toContain("D: Subject: Scan 4711");
    expect(logged.transcript).toContain("RCPT TO:<team@example.net>");

  });

  it("says whether a failure is transient: SMTP 4xx and an IdP outage are, 5xx and a TLS trust problem are not", async () => {
    const busy = await newPeer({ forceAuthReply: "421 4.7.0 Temporary server error. Please try again later. PRX4" });
    const p421 = await profileOf("m365-app-smtp", "app-421", { tokenUrl: msTokenUrl(), ...smtpAt(busy) });
    expect((await sendTestMessage(admin, p421.id, { to: ["rcpt@example.net"] })).error).toMatchObject({ code: "smtp.4xx.throttled", transient: true });

    const deny = await newPeer({ forceAuthReply: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant." });
    const p535 = await profileOf("m365-app-smtp", "app-535-permanent", { tokenUrl: msTokenUrl(), ...smtpAt(deny) });
    expect((await sendTestMessage(admin, p535.id, { to: ["rcpt@example.net"] })).error).toMatchObject({ code: "smtp.535.5.7.139", transient: false });

    const bad = await newPeer({ certificate: "untrusted", mailboxes: [DELEGATED] });
    const pTls = await profileOf("m365-delegated", "d-untrusted-transient", { tokenUrl: msTokenUrl(), fromAddress: DELEGATED, ...smtpAt(bad) });
    expect((await sendTestMessage(admin, pTls.id, { to: ["rcpt@example.net"] })).error).toMatchObject({ code: "tls.untrusted-ca", transient: false });

    const pIdp = await profileOf("m365-app-smtp", "app-idp-down", { tokenUrl: msTokenUrl(), ...smtpAt(peer) });
    idp.setFailure({ kind: "status", status: 503 });
    const down = await sendTestMessage(admin, pIdp.id, { to: ["rcpt@example.net"] });
    idp.clearFailures();
    expect(down.ok).toBe(false);
    expect(down.error).toMatchObject({ transient: true, origin: "token" });
    expect(down.error?.code).toMatch(/^token\./);
    // An IdP outage says nothing about the profile: it is not marked failing.
    expect((await getProfile(admin, pIdp.id)).health).toEqual({ state: "untested" });
    // …while a configuration error at the IdP does, recording the check that found it.
    idp.setFailure({ kind: "error", aadsts: 7000215 });
    await sendTestMessage(admin, pIdp.id, { to: ["rcpt@example.net"] });
    idp.clearFailures();
    expect((await getProfile(admin, pIdp.id)).health).toMatchObject({ state: "failing", check: "token", detail: expect.stringMatching(/^Token: /) });
  });

  it("a test is not an edit: health records the check and its time; version, updated and by stay as the last edit left them", async () => {
    const p = await profileOf("m365-delegated", "d-not-an-edit", { tokenUrl: msTokenUrl(), fromAddress: DELEGATED, ...smtpAt(peer), ...imapAt() });
    const before = await getProfile(admin, p.id);
    expect(before.health).toEqual({ state: "untested" });
    await new Promise((r) => setTimeout(r, 5)); // a later millisecond, so a bump would show
    expect((await sendTestMessage(admin, p.id, { to: ["rcpt@example.net"] })).ok).toBe(true);
    const afterSend = await getProfile(admin, p.id);
    expect(afterSend.health).toMatchObject({ state: "ok", check: "send" });
    expect(afterSend.health.state === "ok" && Date.parse(afterSend.health.at!)).toBeGreaterThan(Date.parse(before.updatedAt));
    expect((await testImap(admin, p.id)).ok).toBe(true);
    const afterImap = await getProfile(admin, p.id);
    expect(afterImap.health).toMatchObject({ state: "ok", check: "imap" });
    for (const after of [afterSend, afterImap]) expect({ version: after.version, updatedAt: after.updatedAt, updatedBy: after.updatedBy }).toEqual({ version: before.version, updatedAt: before.updatedAt, updatedBy: before.updatedBy });
  });
});

describe("no secret leaks", () => {
  it("no token, password or secret in transcripts, the activity log or the database file", async () => {
    const tokens = [...peer.credentialsSeen, ...basicPeer.credentialsSeen, ...graph.tokensSeen, ...extraPeers.flatMap((p) => p.credentialsSeen)];
    expect(tokens.length).toBeGreaterThan(10);
    const needles = [...new Set([...tokens, ...FIXTURE_SECRETS])];
    const entries = (await listActivity(admin, { pageSize: 500 })).items.filter((e) => e.action === "mail.send" || e.action === "imap.test");
    expect(entries.length).toBeGreaterThan(15);
    for (const e of entries) {
      const text = `${e.summary}\n${e.remoteReply ?? ""}\n${e.hint ?? ""}\n${(await getActivityDetail(admin, e.id)) ?? ""}`;
      for (const n of needles) expect(text.includes(n), `${e.action} ${e.profileName} leaks a secret`).toBe(false);
      // JWT-shaped text, bearer values and XOAUTH2 blobs must be gone as well.
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
      expect(text).not.toMatch(/Bearer (?!\[redacted\])[A-Za-z0-9]/);
      expect(text).not.toMatch(/AUTH XOAUTH2 (?!\[redacted\])\S/);
    }
    const raw = rawDatabaseBytes(db).toString("latin1");
    for (const n of needles) expect(raw.includes(n)).toBe(false);
  });
});
