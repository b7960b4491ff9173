import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { issueTestAccessToken } from "@/tests/fakes/idp-keys";
import { startFakeGraph, type FakeGraph } from "@/tests/fakes/fake-graph";
import { createHash, randomBytes } from "node:crypto";
import { buildGraphSendMailBody, sendGraphMail, sendGraphMime, type GraphSendRequest } from "./graph";

const MAILBOX = "noreply@contoso.com";
let graph: FakeGraph;
let token: string;

beforeAll(async () => {
  graph = await startFakeGraph({ mailboxes: [MAILBOX] });
  token = await issueTestAccessToken({ aud: "https://graph.microsoft.com", roles: ["Mail.Send"], idtyp: "app" });
});
afterAll(async () => {
  await graph?.stop();
});
beforeEach(() => {
  graph.requests.length = 0;
});

const request = (overrides: Partial<GraphSendRequest> = {}): GraphSendRequest => ({
  url: graph.endpointTemplate.replace("{FROM_ADDRESS}", encodeURIComponent(MAILBOX)),
  accessToken: token,
  mailbox: MAILBOX,
  message: { subject: "Graph test", body: "Hello from Graph", to: ["rcpt@example.net"] },
  saveToSentItems: true,
  timeoutMs: 15_000,
  ...overrides,
});

describe("sendGraphMail", () => {
  it("builds Graph's message JSON (recipients, HTML, attachment, receipts, saveToSentItems)", () => {
    const body = buildGraphSendMailBody(
      { subject: "S", body: "<b>x</b>", html: true, to: ["a@x.com"], cc: ["c@x.com"], bcc: ["b@x.com"], from: "boss@x.com", replyTo: "r@x.com", attachments: [{ filename: "a.txt", contentType: "text/plain", contentBase64: "aGk=", size: 2 }], readReceipt: true, deliveryReceipt: true },
      false,
    );
    expect(body).toEqual({
      message: {
        subject: "S",
        body: { contentType: "HTML", content: "<b>x</b>" },
        toRecipients: [{ emailAddress: { address: "a@x.com" } }],
        ccRecipients: [{ emailAddress: { address: "c@x.com" } }],
        bccRecipients: [{ emailAddress: { address: "b@x.com" } }],
        from: { emailAddress: { address: "boss@x.com" } },
        replyTo: [{ emailAddress: { address: "r@x.com" } }],
        attachments: [{ "@odata.type": "#microsoft.graph.fileAttachment", name: "a.txt", contentType: "text/plain", contentBytes: "aGk=" }],
        isReadReceiptRequested: true,
        isDeliveryReceiptRequested: true,
      },
      saveToSentItems: false,
    });
  });

  it("202 is reported as accepted by Graph, not delivered; the fake saw a valid message", async () => {
    const res = await sendGraphMail(request({ message: { subject: "Graph test", body: "Hi", to: ["rcpt@example.net"], attachments: [{ filename: "n.txt", contentType: "text/plain", contentBase64: Buffer.from("note").toString("base64"), size: 4 }], readReceipt: true, deliveryReceipt: true }, saveToSentItems: false }));
    expect(res.ok, JSON.stringify(res)).toBe(true);
    if (!res.ok) return;
    expect(res.status).toBe(202);
    expect(res.response).toMatch(/accepted by Graph/i);
    expect(res.response).toMatch(/not a delivery confirmation/);
    const seen = graph.requests[0];
    expect(seen.mailbox).toBe(MAILBOX);
    expect(seen.body?.saveToSentItems).toBe(false);
    expect(seen.body?.message.isReadReceiptRequested).toBe(true);
    expect(seen.body?.message.isDeliveryReceiptRequested).toBe(true);
    expect(seen.body?.message.attachments?.[0].name).toBe("n.txt");
    const text = res.transcript.join("\n");
    expect(text).toContain("Authorization: Bearer [redacted]");
    expect(text).not.toContain(token);
    expect(text).toContain("[8 base64 characters]");
  });

  it("401 (expired token) is decoded with tokenRejected so the caller refreshes", async () => {
    const expired = await issueTestAccessToken({ aud: "https://graph.microsoft.com", roles: ["Mail.Send"] }, -60);
    const res = await sendGraphMail(request({ accessToken: expired }));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.status).toBe(401);
    expect(res.error.code).toBe("graph.401.InvalidAuthenticationToken");
    expect(res.error.tokenRejected).toBe(true);
    expect(JSON.stringify(res)).not.toContain(expired);
  });

  it("403 ErrorAccessDenied names Mail.Send and the application access policy", async () => {
    const noRole = await issueTestAccessToken({ aud: "https://graph.microsoft.com", roles: [] });
    const res = await sendGraphMail(request({ accessToken: noRole }));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe("graph.403.ErrorAccessDenied");
    expect(res.error.fix).toMatch(/Mail\.Send/);
    expect(res.error.fix).toMatch(/ApplicationAccessPolicy/);
  });

  it("429 with Retry-After is waited out once and then succeeds", async () => {
    graph.script({ status: 429, headers: { "retry-after": "1" }, body: { error: { code: "TooManyRequests", message: "Too many requests" } } });
    const stages: string[] = [];
    const res = await sendGraphMail(request({ onProgress: (p) => stages.push(p.stage) }));
    expect(res.ok, JSON.stringify(res)).toBe(true);
    expect(graph.requests.map((r) => r.status)).toEqual([429, 202]);
    expect(stages).toContain("throttled");
  });

  it("a second 429 is reported, not retried forever", async () => {
    graph.script({ status: 429, headers: { "retry-after": "1" } }, { status: 429, headers: { "retry-after": "1" } });
    const res = await sendGraphMail(request());
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe("graph.429");
    expect(graph.requests).toHaveLength(2);
  });

  it("429 whose Retry-After exceeds the timeout is reported at once", async () => {
    graph.script({ status: 429, headers: { "retry-after": "120" } });
    const res = await sendGraphMail(request({ timeoutMs: 5000 }));
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.summary).toMatch(/Retry-After 120 s/);
    expect(graph.requests).toHaveLength(1);
  });

  it("decodes 400 ErrorInvalidRecipients and 413", async () => {
    graph.script({ status: 400, body: { error: { code: "ErrorInvalidRecipients", message: "At least one recipient is not valid." } } }, { status: 413, body: { error: { code: "RequestEntityTooLarge", message: "too large" } } });
    const a = await sendGraphMail(request());
    const b = await sendGraphMail(request());
    expect(a.ok || a.error.code).toBe("graph.400.ErrorInvalidRecipients");
    expect(b.ok || b.error.code).toBe("graph.413");
  });

  it("sends attachments of 3 MB or more as MIME through a draft and an upload session (chunks under 4 MB, no Authorization on the upload URL)", async () => {
    graph.sent.length = 0;
    const big = randomBytes(6 * 1024 * 1024);
    const small = Buffer.from("small attachment");
    const res = await sendGraphMail(request({ message: { subject: "big", body: "b", to: ["r@example.net"], bcc: ["hidden@example.net"], attachments: [{ filename: "big.bin", contentType: "application/octet-stream", contentBase64: big.toString("base64"), size: big.length }, { filename: "small.txt", contentType: "text/plain", contentBase64: small.toString("base64"), size: small.length }] } }));
    expect(res.ok, res.transcript.join("\n")).toBe(true);
    expect(graph.sent).toHaveLength(1);
    const sent = graph.sent[0];
    expect(sent.via).toBe("draft");
    expect(sent.recipients.sort()).toEqual(["hidden@example.net", "r@example.net"]);
    const up = sent.attachments.find((a) => a.name === "big.bin")!;
    expect(up).toMatchObject({ via: "upload", size: big.length, sha256: createHash("sha256").update(big).digest("hex") });
    expect(sent.attachments.find((a) => a.name === "small.txt")).toMatchObject({ size: small.length });
    expect(graph.uploadsWithAuthorization()).toBe(0);
    const puts = graph.requests.filter((r) => r.method === "PUT");
    expect(puts.length).toBeGreaterThanOrEqual(2);
    expect(res.transcript.join("\n")).not.toContain(token);
  });
});

describe("sendGraphMime", () => {
  const mime = (extra = "") => Buffer.from(`From: noreply@contoso.com\r\nTo: a@example.net\r\nSubject: relay\r\nMessage-ID: <m1@test>\r\n${extra}\r\nbody\r\n`);
  const req = (overrides: Partial<Parameters<typeof sendGraphMime>[0]> = {}) => ({ url: graph.endpointTemplate.replace("{FROM_ADDRESS}", encodeURIComponent(MAILBOX)), accessToken: token, mailbox: MAILBOX, mime: mime(), envelopeTo: ["a@example.net", "bcc@example.net"], timeoutMs: 15_000, ...overrides });

  it("posts base64 MIME to sendMail (202) and keeps envelope-only recipients as Bcc", async () => {
    graph.sent.length = 0;
    const res = await sendGraphMime(req());
    expect(res.ok).toBe(true);
    if (res.ok) expect(res.path).toBe("sendMail");
    expect(graph.sent[0]).toMatchObject({ via: "sendMail-mime", messageId: "<m1@test>" });
    expect(graph.sent[0].recipients.sort()).toEqual(["a@example.net", "bcc@example.net"]);
  });

  it("429 reports Retry-After; 503 is a server error the caller may retry", async () => {
    graph.script({ status: 429, headers: { "retry-after": "7" }, body: { error: { code: "ApplicationThrottled", message: "MailboxConcurrency" } } }, { status: 503, headers: { "retry-after": "3" } });
    const a = await sendGraphMime(req());
    const b = await sendGraphMime(req());
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a).toMatchObject({ status: 429, retryAfterSeconds: 7 });
    if (!b.ok) expect(b).toMatchObject({ status: 503, retryAfterSeconds: 3 });
  });

  it("discards the draft when an upload fails", async () => {
    graph.sent.length = 0;
    graph.requests.length = 0;
    const big = randomBytes(5 * 1024 * 1024).toString("base64").replace(/.{76}/g, "$&\r\n");
    const m = Buffer.from(`From: noreply@contoso.com\r\nTo: a@example.net\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XX\r\nContent-Type: application/octet-stream; name=a.bin\r\nContent-Disposition: attachment; filename=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n${big}\r\n--XX--\r\n`);
    graph.script({ status: 503, path: /createUploadSession$/ });
    const res = await sendGraphMime(req({ mime: m, envelopeTo: ["a@example.net"] }));
    expect(res.ok).toBe(false);
    expect(graph.requests.some((r) => r.method === "DELETE")).toBe(true);
    expect(graph.sent).toHaveLength(0);
  });
});
