import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { startFakeEntra, type FakeEntra } from "../tests/fakes/fake-entra";
import { startSmtpPeer, type SmtpPeer } from "../tests/fakes/smtp-peer";
import { startDovecot, type DovecotServer } from "../tests/fakes/dovecot";
import { startFakeGraph, type FakeGraph } from "../tests/fakes/fake-graph";
import { CLIENT, SECRET, TENANT } from "../tests/fixtures/profiles";
import { DATA_DIR, collectResponses, ensureSignedIn, postLarge, screenshot } from "./helpers";

/**
 * "Send test" and "Test IMAP" end to end: an m365-app-smtp profile created through the form
 * points at a fake Entra ID (HTTPS) and a real SMTP server (smtp-server, XOAUTH2 tokens verified
 * against the test IdP key) started here on 127.0.0.1, plus a private Dovecot for IMAP. The
 * browser clicks "Send test" and sees the progress stream in (the SMTP greeting is held back by
 * a small TCP relay, so the in-flight state can be asserted), then the result with the server
 * reply and Message-ID, the transcript and the mail.send log entry. No token may reach the
 * browser. Failure cases: a closed port (decoded "connection refused" naming host:port), Graph's
 * 3 MB and larger attachments sent through an upload session, and the route handler's own guards.
 */
test.describe.configure({ mode: "serial" });

const PORT = Number(process.env.E2E_PORT ?? 3210);
const BASE = `http://127.0.0.1:${PORT}`;
const RUN = Date.now().toString(36);
const MAILBOX = "sender@contoso.com";
const GRAPH_MAILBOX = "noreply@contoso.com";
const SMTP_PROFILE = `Send SMTP ${RUN}`;
const REFUSED_PROFILE = `Send refused ${RUN}`;
const GRAPH_PROFILE = `Send Graph ${RUN}`;
const LOG_PROFILE = `Send log ${RUN}`;
const SUBJECT = `E2E send ${RUN}`;
/** A JWT (header.payload.signature): what every access token of the fake looks like. */
const JWT = /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/;
/** How long the relay holds the SMTP greeting back, so the page is caught mid-send. */
const GREETING_DELAY_MS = 2500;

let idp: FakeEntra;
let peer: SmtpPeer;
let graph: FakeGraph;
let relay: { port: number; close: () => Promise<void> };
let dovecot: DovecotServer | undefined;
let dovecotProblem = "";
let closedPort = 0;
let smtpProfileUrl = "";
/** Every response body the console sent to the browser in this file. */
const bodies: string[] = [];

/** A TCP relay to `target` that delays the server's first bytes (the 220 greeting). */
async function startDelayingRelay(target: { host: string; port: number }, delayMs: number): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => undefined);
      s.on("close", () => sockets.delete(s));
    }
    let first = true;
    upstream.on("data", (chunk) => {
      if (!first) return void client.write(chunk);
      first = false;
      upstream.pause();
      setTimeout(() => {
        client.write(chunk);
        upstream.resume();
      }, delayMs);
    });
    client.on("data", (chunk) => upstream.write(chunk));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens. */
async function unusedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not start within ${ms / 1000} s`)), ms))]);
}

test.beforeAll(async () => {
  idp = await startFakeEntra({ tenants: [TENANT], clients: [{ clientId: CLIENT, secret: [SECRET.smtpAppClientSecret, SECRET.graphClientSecret] }] });
  peer = await startSmtpPeer({ mailboxes: [MAILBOX], audience: "https://outlook.office365.com" });
  relay = await startDelayingRelay(peer, GREETING_DELAY_MS);
  graph = await startFakeGraph({ mailboxes: [GRAPH_MAILBOX] });
  closedPort = await unusedPort();
  // Dovecot (Debian's, installed by `npm test` when missing): the IMAP case runs when it starts.
  const starting = startDovecot({
    accounts: [
      {
        address: MAILBOX,
        login: "app",
        messages: [
          { from: "boss@contoso.com", subject: "Older news", date: new Date("2026-01-10T08:00:00Z") },
          { from: "payroll@contoso.com", subject: `Newest for ${RUN}`, date: new Date("2026-03-02T09:15:00Z") },
        ],
      },
    ],
    clientIds: [CLIENT],
  });
  try {
    dovecot = await withTimeout(starting, 45_000, "Dovecot");
  } catch (error) {
    dovecotProblem = error instanceof Error ? error.message : String(error);
    // Stop it if it comes up late.
    void starting.then((d) => d.stop()).catch(() => undefined);
  }
});

test.afterAll(async () => {
  await Promise.all([relay?.close(), peer?.stop(), graph?.stop(), idp?.close(), dovecot?.stop()]);
});

function sendPanel(page: Page): Locator {
  return page.locator("section", { has: page.locator("#send-test") });
}

function imapPanel(page: Page): Locator {
  return page.locator("section", { has: page.locator("#imap-test") });
}

async function createAppSmtpProfile(page: Page, name: string, smtpPort: number): Promise<string> {
  await page.goto("/profiles/new?kind=m365-app-smtp");
  await page.getByLabel("Profile name").fill(name);
  await page.getByLabel("Tenant ID").fill(TENANT);
  await page.getByLabel("Client ID").fill(CLIENT);
  await page.getByLabel("Token URL").fill(`${idp.url}/{TENANT_ID}/oauth2/v2.0/token`);
  await page.getByLabel("Client secret", { exact: true }).fill(SECRET.smtpAppClientSecret);
  await page.getByLabel("Mailbox (XOAUTH2 user)").fill(MAILBOX);
  await page.getByLabel("Domain", { exact: true }).fill("contoso.onmicrosoft.com");
  await page.getByLabel("SMTP host").fill("127.0.0.1");
  await page.getByLabel("SMTP port").fill(String(smtpPort));
  if (dovecot) {
    await page.getByLabel("IMAP host").fill(dovecot.host);
    await page.getByLabel("IMAP port").fill(String(dovecot.port));
  }
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  return new URL(page.url()).pathname;
}

function xoauth2Blob(user: string, token: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString("base64");
}

test("Send test over SMTP XOAUTH2: live progress, then the reply, Message-ID, transcript and the log entry", async ({ page, context }) => {
  const seen = collectResponses(context);
  await ensureSignedIn(page);
  smtpProfileUrl = await createAppSmtpProfile(page, SMTP_PROFILE, relay.port);

  const panel = sendPanel(page);
  await expect(panel.getByText("Nothing sent yet")).toBeVisible();
  await expect(panel.getByLabel("Subject")).toHaveValue("Test from OAuth Mail Console");
  await expect(panel.getByLabel("From", { exact: true })).toHaveAttribute("placeholder", MAILBOX);

  // To is required: checked in the browser, nothing is sent.
  const received = peer.received.length;
  await panel.getByRole("button", { name: "Send test" }).click();
  await expect(panel.getByLabel("To", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(panel.getByText("To: at least one address is required")).toBeVisible();
  await expect(panel.getByLabel("To", { exact: true })).toBeFocused();
  // An address the server's schema refuses: the field says why, the panel stays as it was.
  await panel.getByLabel("To", { exact: true }).fill("not an address");
  await panel.getByRole("button", { name: "Send test" }).click();
  await expect(panel.getByText("To: each address must be an email address like name@example.com")).toBeVisible();
  await expect(panel.getByLabel("To", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(panel.getByLabel("To", { exact: true })).toBeFocused();
  await expect(panel.getByText("Nothing sent yet")).toBeVisible();
  expect(peer.received.length).toBe(received);

  await panel.getByLabel("To", { exact: true }).fill("rcpt@example.net");
  await panel.getByLabel("Cc", { exact: true }).fill("copy@example.net");
  await panel.getByLabel("Subject").fill(SUBJECT);
  await panel.getByLabel("Body", { exact: true }).fill(`Hello from the e2e run ${RUN}.`);
  await panel.getByLabel("Attachments").setInputFiles({ name: "note.txt", mimeType: "text/plain", buffer: Buffer.from(`attachment of ${RUN}\n`) });
  await expect(panel.getByRole("list", { name: "Attached files" })).toContainText("note.txt");
  await panel.getByLabel("Request a read receipt").check();

  await panel.getByRole("button", { name: "Send test" }).click();
  // Mid-send (the relay holds the greeting back): the button says what is happening, the steps
  // so far are done, "Connecting" is running and the rest is still to come — and no result yet.
  await expect(panel.getByRole("button", { name: "Sending…" })).toBeDisabled();
  const steps = panel.getByTestId("progress-steps");
  await expect(steps.locator('li[data-stage="connecting"][data-status="active"]')).toContainText(`127.0.0.1:${relay.port}`);
  await expect(steps.locator('li[data-stage="token"][data-status="done"]')).toBeVisible();
  await expect(steps.locator('li[data-stage="authenticating"][data-status="pending"]')).toBeVisible();
  await expect(panel.getByTestId("send-result")).toHaveCount(0);
  await expect(panel.getByLabel("To", { exact: true })).toBeDisabled();
  await screenshot(page, "send-test");

  // The result.
  const result = panel.getByTestId("send-result");
  await expect(result).toHaveAttribute("data-outcome", "ok", { timeout: 30_000 });
  await expect(result).toContainText("Sent");
  await expect(result).toContainText(`Accepted by 127.0.0.1:${relay.port}`);
  for (const stage of ["preparing", "token", "connecting", "authenticating", "sending"]) await expect(steps.locator(`li[data-stage="${stage}"][data-status="done"]`)).toBeVisible();
  await expect(panel.getByTestId("send-server-reply")).toContainText("250 2.6.0 <test-peer-queued@peer.test.local> Queued mail for delivery");
  const messageId = (await panel.getByTestId("send-message-id").locator("span").first().textContent()) ?? "";
  expect(messageId).toMatch(/^<.+@contoso\.com>$/);
  await expect(panel.getByTestId("send-duration")).toHaveText(/^\d+(\.\d)? (ms|s)$/);
  await expect(panel.getByTestId("send-attempts")).toHaveText("1");
  await expect(panel.getByRole("button", { name: "Send test" })).toBeEnabled();
  // The form keeps what was typed.
  await expect(panel.getByLabel("Subject")).toHaveValue(SUBJECT);

  // What the SMTP server really received.
  await expect.poll(() => peer.received.length).toBe(received + 1);
  const mail = peer.received[peer.received.length - 1];
  expect(mail.parsed.subject).toBe(SUBJECT);
  expect(mail.authUser).toBe(MAILBOX);
  expect(mail.secure).toBe(true);
  expect(mail.parsed.messageId).toBe(messageId);
  expect(mail.rcptTo.map((r) => r.address).sort()).toEqual(["copy@example.net", "rcpt@example.net"]);
  expect(mail.parsed.attachments.map((a) => a.filename)).toEqual(["note.txt"]);
  expect(mail.parsed.attachments[0].content.toString()).toBe(`attachment of ${RUN}\n`);
  expect(mail.parsed.headers.get("disposition-notification-to")).toBeTruthy();
  expect(peer.credentialsSeen.length).toBeGreaterThan(0);

  // The redacted transcript, on demand.
  await panel.getByRole("button", { name: "Show transcript" }).click();
  const transcript = panel.getByTestId("transcript");
  await expect(transcript).toContainText("AUTH XOAUTH2");
  await expect(transcript).toContainText("235 Authentication successful");
  await expect(transcript).toContainText("C: AUTH XOAUTH2 [redacted]");
  const shown = (await transcript.textContent()) ?? "";
  expect(shown).not.toMatch(JWT);
  for (const token of peer.credentialsSeen) {
    expect(shown).not.toContain(token);
    expect(shown).not.toContain(xoauth2Blob(MAILBOX, token));
  }
  await screenshot(page, "send-result");

  // The NDJSON stream itself, read whole by the test (Chromium does not keep the body of a
  // response the page consumed as a stream): progress lines, then the result — and no token.
  const api = await page.request.post(`/api/profiles/${smtpProfileUrl.split("/")[2]}/send-test`, { headers: { "Content-Type": "application/json", Origin: BASE }, data: JSON.stringify({ to: "rcpt@example.net", subject: `${SUBJECT} (API)` }) });
  expect(api.status()).toBe(200);
  expect(api.headers()["content-type"]).toBe("application/x-ndjson; charset=utf-8");
  expect(api.headers()["cache-control"]).toBe("no-store");
  const ndjson = await api.text();
  const lines = ndjson.trim().split("\n").map((l) => JSON.parse(l) as { type: string; stage?: string; ok?: boolean });
  expect([...new Set(lines.filter((l) => l.type === "progress").map((l) => l.stage))]).toEqual(["preparing", "token", "connecting", "authenticating", "sending", "done"]);
  expect(lines.at(-1)).toMatchObject({ type: "result", ok: true });
  bodies.push(ndjson);

  // The log entry, through the link in the result.
  await panel.getByRole("link", { name: "activity log" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Logs" })).toBeVisible();
  const entry = page.getByRole("listitem").filter({ hasText: "mail.send" }).filter({ hasText: `Test message sent via SMTP from ${MAILBOX}` }).first();
  await expect(entry).toBeVisible();
  await entry.locator("summary").click();
  await expect(entry).toContainText("250 2.6.0");

  bodies.push(...seen.bodies);
});

test("Test IMAP: mailboxes, INBOX count and the newest message", async ({ page, context }) => {
  test.skip(!dovecot, `Dovecot unavailable: ${dovecotProblem}`);
  const seen = collectResponses(context);
  await ensureSignedIn(page);
  await page.goto(smtpProfileUrl);
  const panel = imapPanel(page);
  await expect(panel).toContainText(`${dovecot!.host}:${dovecot!.port}`);
  await panel.getByRole("button", { name: "Test IMAP" }).click();
  const result = panel.getByTestId("imap-result");
  await expect(result).toHaveAttribute("data-outcome", "ok", { timeout: 30_000 });
  await expect(result).toContainText("IMAP works");
  for (const stage of ["token", "connecting", "authenticating", "listing", "inbox"]) await expect(panel.getByTestId("progress-steps").locator(`li[data-stage="${stage}"][data-status="done"]`)).toBeVisible();
  await expect(panel.getByTestId("imap-inbox-count")).toHaveText("2 messages");
  await expect(panel.getByTestId("imap-newest")).toContainText(`Newest for ${RUN}`);
  await expect(panel.getByTestId("imap-newest")).toContainText("2026-03-02 09:15:00 UTC");
  const mailboxes = panel.getByRole("list", { name: "Mailboxes" });
  for (const name of ["INBOX", "Sent", "Archive"]) await expect(mailboxes).toContainText(name);
  await panel.getByRole("button", { name: "Show transcript" }).click();
  await expect(panel.getByTestId("transcript")).not.toHaveText(JWT);
  await screenshot(page, "imap-result");
  bodies.push(...seen.bodies);
});

test("a closed SMTP port: the decoded connection-refused error names host:port; the failure is logged", async ({ page, context }) => {
  const seen = collectResponses(context);
  await ensureSignedIn(page);
  await createAppSmtpProfile(page, REFUSED_PROFILE, closedPort);
  const panel = sendPanel(page);
  await panel.getByLabel("To", { exact: true }).fill("rcpt@example.net");
  await panel.getByRole("button", { name: "Send test" }).click();
  const result = panel.getByTestId("send-result");
  await expect(result).toHaveAttribute("data-outcome", "failed", { timeout: 30_000 });
  await expect(result).toContainText("Send failed");
  await expect(result).toContainText(`127.0.0.1:${closedPort}`);
  const decoded = panel.getByTestId("decoded-error");
  await expect(decoded).toContainText(`Nothing accepts connections on 127.0.0.1:${closedPort}`);
  await expect(decoded).toContainText("Fix:");
  await expect(decoded).toContainText("code: network.refused");
  await expect(panel.getByTestId("progress-steps").locator('li[data-stage="connecting"][data-status="failed"]')).toBeVisible();
  await screenshot(page, "send-failed");

  await page.goto(`/logs?action=mail.send&outcome=failure`);
  const entry = page.getByRole("listitem").filter({ hasText: REFUSED_PROFILE }).first();
  await expect(entry).toContainText("Test send failed");
  bodies.push(...seen.bodies);
});

test("log-only: the message is written to the log, nothing is sent", async ({ page, context }) => {
  const seen = collectResponses(context);
  await ensureSignedIn(page);
  await page.goto("/profiles/new?kind=log-only");
  await page.getByLabel("Profile name").fill(LOG_PROFILE);
  await page.getByLabel("From address").fill("app@example.com");
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("heading", { level: 1, name: LOG_PROFILE })).toBeVisible();
  const panel = sendPanel(page);
  await panel.getByLabel("To", { exact: true }).fill("someone@example.net, other@example.net");
  await panel.getByLabel("Subject").fill(`Logged ${RUN}`);
  await panel.getByRole("button", { name: "Send test" }).click();
  const result = panel.getByTestId("send-result");
  await expect(result).toHaveAttribute("data-outcome", "ok");
  await expect(result).toContainText("Logged — not sent");
  await panel.getByRole("button", { name: "Show transcript" }).click();
  await expect(panel.getByTestId("transcript")).toContainText(`Subject: Logged ${RUN}`);
  await expect(panel.getByTestId("transcript")).toContainText("To: someone@example.net, other@example.net");
  bodies.push(...seen.bodies);
});

test("Graph: 3 MB of attachments goes through a draft and an upload session; a small send is accepted by Graph, not delivered", async ({ page, context }) => {
  const seen = collectResponses(context);
  await ensureSignedIn(page);
  await page.goto("/profiles/new?kind=m365-app-graph");
  await page.getByLabel("Profile name").fill(GRAPH_PROFILE);
  await page.getByLabel("Tenant ID").fill(TENANT);
  await page.getByLabel("Client ID").fill(CLIENT);
  await page.getByLabel("Token URL").fill(`${idp.url}/{TENANT_ID}/oauth2/v2.0/token`);
  await page.getByLabel("Client secret", { exact: true }).fill(SECRET.graphClientSecret);
  await page.getByLabel("From address (mailbox)").fill(GRAPH_MAILBOX);
  await page.getByLabel("sendMail endpoint (ENDPOINT)").fill(graph.endpointTemplate);
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("heading", { level: 1, name: GRAPH_PROFILE })).toBeVisible();

  const panel = sendPanel(page);
  const posts: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().includes("/send-test")) posts.push(r.url());
  });
  await panel.getByLabel("To", { exact: true }).fill("rcpt@example.net");
  await panel.getByLabel("Attachments").setInputFiles({ name: "big.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(3 * 1024 * 1024 + 1024, 7) });
  await panel.getByLabel("Subject").fill(`Graph big ${RUN}`);
  await panel.getByRole("button", { name: "Send test" }).click();
  await expect(panel.getByTestId("send-result")).toHaveAttribute("data-outcome", "ok", { timeout: 60_000 });
  expect(posts).toHaveLength(1);
  const bigSent = graph.sent.find((m) => m.attachments.some((a) => a.name === "big.bin"));
  expect(bigSent?.via).toBe("draft");
  expect(bigSent?.attachments.find((a) => a.name === "big.bin")).toMatchObject({ via: "upload", size: 3 * 1024 * 1024 + 1024 });
  expect(graph.uploadsWithAuthorization()).toBe(0);

  // More than a browser request can carry (the proxy's 36 MB body limit) is never dropped
  // silently (11.5): the file is listed as not attached and the send is refused until it is removed.
  await panel.getByLabel("Attachments").setInputFiles({ name: "huge.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(28 * 1024 * 1024, 7) });
  await expect(panel.getByRole("list", { name: "Files that cannot be attached" })).toContainText(/huge\.bin \(28\.00 MB\) — not attached: would take the attachments over \d+\.\d+ MB, the most a test from the browser can carry/);
  await expect(panel.getByRole("list", { name: "Attached files" })).not.toContainText("huge.bin");
  const postsBefore = posts.length;
  await panel.getByRole("button", { name: "Send test" }).click();
  await expect(panel.getByText(/huge\.bin \(28\.00 MB\) cannot be attached: .* Remove it to send the test without it\./)).toBeVisible();
  expect(posts).toHaveLength(postsBefore);
  await panel.getByRole("button", { name: "Remove huge.bin" }).click();
  await expect(panel.getByRole("list", { name: "Files that cannot be attached" })).toHaveCount(0);

  // Removing the file clears the refusal; a small message goes through Graph sendMail.
  await panel.getByRole("button", { name: "Remove big.bin" }).click();
  await panel.getByLabel("Subject").fill(`Graph ${RUN}`);
  await panel.getByLabel("Body is HTML").check();
  await panel.getByLabel("Body", { exact: true }).fill(`<p>Hello from <b>${RUN}</b></p>`);
  await panel.getByLabel("Request a delivery receipt").check();
  await panel.getByRole("button", { name: "Send test" }).click();
  const result = panel.getByTestId("send-result");
  await expect(result).toHaveAttribute("data-outcome", "ok", { timeout: 30_000 });
  await expect(result).toContainText("Accepted by Graph");
  await expect(panel.getByText("Accepted by Graph — not a delivery confirmation")).toBeVisible();
  await expect(panel.getByTestId("send-request-id")).not.toBeEmpty();
  await expect(panel.getByTestId("send-server-reply")).toContainText("202");
  for (const stage of ["preparing", "token", "sending"]) await expect(panel.getByTestId("progress-steps").locator(`li[data-stage="${stage}"][data-status="done"]`)).toBeVisible();
  const sent = graph.requests.filter((r) => r.status === 202).at(-1);
  expect(sent?.mailbox).toBe(GRAPH_MAILBOX);
  expect(sent?.body?.message.subject).toBe(`Graph ${RUN}`);
  expect(sent?.body?.message.isDeliveryReceiptRequested).toBe(true);
  await screenshot(page, "send-result-graph");
  // The stream of a Graph send, read whole for the leak check (the bearer token must not be in it).
  const api = await page.request.post(`/api/profiles/${new URL(page.url()).pathname.split("/")[2]}/send-test`, { headers: { "Content-Type": "application/json", Origin: BASE }, data: JSON.stringify({ to: "rcpt@example.net", subject: `Graph ${RUN} (API)` }) });
  expect(api.status()).toBe(200);
  bodies.push(await api.text());
  bodies.push(...seen.bodies);
});

test("the streaming routes refuse other origins, other content types, bad ids, bad input and anonymous callers", async ({ page, playwright }) => {
  await ensureSignedIn(page);
  await page.goto(smtpProfileUrl);
  const profileId = smtpProfileUrl.split("/")[2];
  const url = `/api/profiles/${profileId}/send-test`;
  const message = { to: "rcpt@example.net", subject: `Refused ${RUN}` };
  const before = peer.received.length;

  const foreign = await page.request.post(url, { headers: { "Content-Type": "application/json", Origin: "https://evil.example" }, data: JSON.stringify(message) });
  expect(foreign.status()).toBe(403);
  const nullOrigin = await page.request.post(url, { headers: { "Content-Type": "application/json", Origin: "null" }, data: JSON.stringify(message) });
  expect(nullOrigin.status()).toBe(403);
  const form = await page.request.post(url, { headers: { "Content-Type": "text/plain", Origin: BASE }, data: JSON.stringify(message) });
  expect(form.status()).toBe(415);
  const badId = await page.request.post("/api/profiles/not-a-uuid/send-test", { headers: { "Content-Type": "application/json", Origin: BASE }, data: JSON.stringify(message) });
  expect(badId.status()).toBe(404);
  const unknown = await page.request.post("/api/profiles/00000000-0000-4000-8000-000000000000/imap-test", { headers: { "Content-Type": "application/json", Origin: BASE }, data: "{}" });
  expect(unknown.status()).toBe(404);
  const invalid = await page.request.post(url, { headers: { "Content-Type": "application/json", Origin: BASE }, data: JSON.stringify({ to: "not an address" }) });
  expect(invalid.status()).toBe(400);
  const refusal = (await invalid.json()) as { error: { code: string; fieldErrors: Record<string, string[]> } };
  expect(refusal.error.code).toBe("invalid_input");
  expect(Object.entries(refusal.error.fieldErrors)).toEqual([["to.0", ["To: each address must be an email address like name@example.com"]]]);

  // Larger than the proxy's body limit (36 MB): refused as too large, never parsed half.
  // The answer may come before the body is sent (the server refuses from the Content-Length).
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const huge = await postLarge(`${BASE}${url}`, { "Content-Type": "application/json", Origin: BASE, Cookie: cookie }, 39 * 1024 * 1024);
  expect(huge.status).toBe(413);

  const anonymous = await playwright.request.newContext({ baseURL: BASE });
  const anon = await anonymous.post(url, { headers: { "Content-Type": "application/json", Origin: BASE }, data: JSON.stringify(message) });
  expect(anon.status()).toBe(401);
  await anonymous.dispose();

  // 12.3: the multipart upload is streamed to temp files; the attachment that passes the 25 MB
  // total is named in a field error, nothing is sent and no temp file stays in DATA_DIR/tmp.
  // Refused mid-stream (a second file under a name the route does not take): answered at once,
  // also 12 at a time; the rest of each body is discarded (tests/security/03-upload-refusals.test.ts).
  const unexpectedUpload = () =>
    page.request.post(url, {
      headers: { Origin: BASE },
      multipart: {
        to: "rcpt@example.net",
        subject: `Too much ${RUN}`,
        attachments: { name: "first.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(1024, 1) },
        more: { name: "second.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(1024, 2) },
      },
    });
  // (Playwright names each file part by its key; the route takes files only as "attachments".)
  for (const unexpected of await Promise.all(Array.from({ length: 12 }, unexpectedUpload))) {
    expect(unexpected.status()).toBe(400);
    expect(((await unexpected.json()) as { error: { fieldErrors: Record<string, string[]> } }).error.fieldErrors.attachments).toEqual(["Unexpected file field more."]);
  }
  const overLimit = await postMultipart(`${BASE}${url}`, { Origin: BASE, Cookie: cookie }, [
    { name: "to", value: "rcpt@example.net" },
    { name: "attachments", filename: "first.bin", bytes: 20 * 1024 * 1024 },
    { name: "attachments", filename: "second.bin", bytes: 6 * 1024 * 1024 },
  ]);
  expect(overLimit.status).toBe(413);
  expect((JSON.parse(overLimit.body) as { error: { fieldErrors: Record<string, string[]> } }).error.fieldErrors.attachments[0]).toMatch(/^second\.bin takes the attachments over 25\.00 MB/);
  // Without an Origin header a multipart body is refused unread (a plain cross-site form could send one).
  const noOrigin = await postMultipart(`${BASE}${url}`, { Cookie: cookie }, [{ name: "to", value: "rcpt@example.net" }]);
  expect(noOrigin.status).toBe(415);
  expect(fs.readdirSync(path.join(DATA_DIR, "tmp")).filter((f) => f.startsWith("send-test-"))).toEqual([]);

  expect(peer.received.length).toBe(before);
});

/** A multipart POST (file parts filled with zeros); the server may answer before all of it is sent. */
function postMultipart(url: string, headers: Record<string, string>, parts: ({ name: string; value: string } | { name: string; filename: string; bytes: number })[]): Promise<{ status: number; body: string }> {
  const boundary = `----e2e${RUN}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if ("value" in p) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    else chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`), Buffer.alloc(p.bytes), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const all = Buffer.concat(chunks);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method: "POST", headers: { ...headers, "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": String(all.length) } }, (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // A write after the server answered and closed is expected; without an answer it is a failure.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    req.end(all);
  });
}

test("no token, XOAUTH2 blob or client secret ever reached the browser", async () => {
  expect(bodies.length).toBeGreaterThan(0);
  const all = bodies.join("\n");
  expect(all).not.toMatch(JWT);
  expect(all).not.toContain(SECRET.smtpAppClientSecret);
  expect(all).not.toContain(SECRET.graphClientSecret);
  for (const token of peer.credentialsSeen) {
    expect(all).not.toContain(token);
    expect(all).not.toContain(xoauth2Blob(MAILBOX, token));
  }
  expect(graph.tokensSeen.length).toBeGreaterThan(0);
  for (const token of graph.tokensSeen) expect(all).not.toContain(token);
});
