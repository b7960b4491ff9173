import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { issueTestAccessToken } from "@/tests/fakes/idp-keys";
import { startFakeGraph, type FakeGraph } from "@/tests/fakes/fake-graph";
import { buildGraphSendMailBody, sendGraphMail, type GraphSendRequest } from "./graph";

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

  it("refuses attachments of 3 MB or more before calling Graph", async () => {
    const size = 3 * 1024 * 1024;
    const res = await sendGraphMail(request({ message: { subject: "big", body: "b", to: ["r@example.net"], attachments: [{ filename: "big.bin", contentType: "application/octet-stream", contentBase64: Buffer.alloc(size).toString("base64"), size }] } }));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe("graph.attachment-too-large");
    expect(res.error.summary).toMatch(/under 3 MB/);
    expect(graph.requests).toHaveLength(0);
  });
});
