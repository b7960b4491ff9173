import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { simpleParser, type AddressObject } from "mailparser";
import { z } from "zod";
import { testCa } from "./test-ca";
import { verifyTestAccessToken } from "./idp-keys";

/**
 * A Graph-shaped HTTPS endpoint on 127.0.0.1 (test CA certificate). It validates what Graph
 * validates: the bearer token (signature, expiry, audience https://graph.microsoft.com, the
 * Mail.Send role), the mailbox being one it knows, and
 *  - POST /users/{id}/sendMail with a JSON message (the test send) or with Content-Type
 *    text/plain and base64 MIME (the relay), 202 Accepted;
 *  - POST /users/{id}/messages with base64 MIME → a draft (201 with its id);
 *  - POST …/messages/{mid}/attachments (JSON fileAttachment, under 3 MB only);
 *  - POST …/messages/{mid}/attachments/createUploadSession → a pre-authenticated upload URL;
 *    PUT chunks with Content-Range (each at most 4 MB, in order; a request that carries an
 *    Authorization header is refused with 401, as Graph does);
 *  - POST …/messages/{mid}/send (202), DELETE …/messages/{mid} (204).
 * Every request body is limited to 4 MB (413), inline attachments of 3 MB or more are refused,
 * at most 4 requests run at once per mailbox (the 5th gets 429 with Retry-After). Answers can be
 * programmed (401/403/429 + Retry-After/503/…) one request at a time, optionally per path; every
 * request is recorded and every message Graph accepted for sending is in `sent`.
 */

const address = z.object({ emailAddress: z.object({ address: z.email(), name: z.string().optional() }) });
export const graphSendMailSchema = z.object({
  message: z.object({
    subject: z.string(),
    body: z.object({ contentType: z.enum(["Text", "HTML", "text", "html"]), content: z.string() }),
    toRecipients: z.array(address).min(1),
    ccRecipients: z.array(address).optional(),
    bccRecipients: z.array(address).optional(),
    from: address.optional(),
    replyTo: z.array(address).optional(),
    attachments: z
      .array(
        z.object({
          "@odata.type": z.literal("#microsoft.graph.fileAttachment"),
          name: z.string().min(1),
          contentType: z.string().optional(),
          contentBytes: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/),
        }),
      )
      .optional(),
    isReadReceiptRequested: z.boolean().optional(),
    isDeliveryReceiptRequested: z.boolean().optional(),
  }),
  saveToSentItems: z.boolean().optional(),
});
export type GraphSendMailBody = z.infer<typeof graphSendMailSchema>;

export type GraphRecordedRequest = {
  method: string;
  path: string;
  mailbox: string;
  /** Claims of the bearer token when it verified. */
  claims?: Record<string, unknown>;
  body?: GraphSendMailBody;
  status: number;
};

export type GraphScriptedAnswer = { status: number; body?: unknown; headers?: Record<string, string>; /** Only for requests whose path matches. */ path?: RegExp };

/** A message Graph accepted for sending (202), as the recipients would get it. */
export type GraphSentMessage = {
  mailbox: string;
  via: "sendMail-json" | "sendMail-mime" | "draft";
  /** MIME as sent (sendMail-mime) or the draft's MIME (draft). */
  mime?: Buffer;
  /** JSON sendMail body (sendMail-json). */
  json?: GraphSendMailBody;
  /** Every attachment with its size and sha256 (MIME parts, JSON attachments and uploads). */
  attachments: { name: string; size: number; sha256: string; via: "mime" | "json" | "upload" }[];
  /** Recipients Graph sends to (To, Cc, Bcc of the MIME or JSON), lower case. */
  recipients: string[];
  messageId?: string;
};

export type FakeGraphOptions = {
  /** Mailboxes (UPNs) that exist. */
  mailboxes: string[];
  /** Role the app token must carry. Default Mail.Send; null = not checked. */
  requiredRole?: string | null;
  /** Largest request body accepted before 413 (Graph: 4 MB). */
  maxBodyBytes?: number;
};

export type FakeGraph = {
  url: string;
  /** The sendMail endpoint template for a profile: https://127.0.0.1:PORT/v1.0/users/{FROM_ADDRESS}/sendMail */
  endpointTemplate: string;
  requests: GraphRecordedRequest[];
  /** Every bearer token received, for leak checks. */
  tokensSeen: string[];
  /** Answers the next requests with these, in order, before normal processing. */
  script: (...answers: GraphScriptedAnswer[]) => void;
  /** Messages accepted for sending. */
  sent: GraphSentMessage[];
  /** Requests to upload URLs that carried an Authorization header (must stay 0). */
  uploadsWithAuthorization: () => number;
  /** Most requests seen running at once for one mailbox. */
  maxConcurrent: () => number;
  stop: () => Promise<void>;
};

const graphError = (code: string, message: string) => ({ error: { code, message, innerError: { date: new Date().toISOString(), "request-id": crypto.randomUUID() } } });

export async function startFakeGraph(options: FakeGraphOptions): Promise<FakeGraph> {
  const ca = testCa();
  const requests: GraphRecordedRequest[] = [];
  const tokensSeen: string[] = [];
  const scripted: GraphScriptedAnswer[] = [];
  const sent: GraphSentMessage[] = [];
  const mailboxes = new Set(options.mailboxes.map((m) => m.toLowerCase()));
  const requiredRole = options.requiredRole === undefined ? "Mail.Send" : options.requiredRole;
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const INLINE_LIMIT = 3 * 1024 * 1024;
  type Draft = { mailbox: string; mime: Buffer; extra: GraphSentMessage["attachments"]; extraBytes: Buffer[] };
  const drafts = new Map<string, Draft>();
  type Upload = { draftId: string; name: string; size: number; received: Buffer[]; next: number };
  const uploads = new Map<string, Upload>();
  let uploadsWithAuth = 0;
  const inflight = new Map<string, number>();
  let maxConcurrent = 0;

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const requestId = crypto.randomUUID();
    res.writeHead(status, { "request-id": requestId, "client-request-id": requestId, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

  async function describeMime(mailbox: string, via: GraphSentMessage["via"], mime: Buffer, extra: GraphSentMessage["attachments"] = []): Promise<GraphSentMessage> {
    const parsed = await simpleParser(mime);
    const list = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => (v.address ?? "").toLowerCase()));
    return {
      mailbox,
      via,
      mime,
      attachments: [...parsed.attachments.map((a) => ({ name: a.filename ?? "", size: a.content.length, sha256: sha(a.content), via: "mime" as const })), ...extra],
      recipients: [...list(parsed.to), ...list(parsed.cc), ...list(parsed.bcc)],
      messageId: parsed.messageId,
    };
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "https://graph.test");
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size <= maxBody) chunks.push(c as Buffer);
    }
    const body = Buffer.concat(chunks);
    const record: GraphRecordedRequest = { method: req.method ?? "", path: url.pathname, mailbox: "", status: 0 };
    requests.push(record);
    const answer = (status: number, payload?: unknown, headers?: Record<string, string>) => {
      record.status = status;
      send(res, status, payload, headers);
    };

    // Upload URLs are pre-authenticated: no bearer token, and one sent anyway is refused.
    const up = url.pathname.match(/^\/upload\/([\w-]+)$/);
    if (up) {
      if (req.headers.authorization) {
        uploadsWithAuth++;
        return answer(401, graphError("InvalidAuthenticationToken", "The upload URL is pre-authenticated: do not send an Authorization header."));
      }
      const u = uploads.get(up[1]);
      if (!u || req.method !== "PUT") return answer(404, graphError("ItemNotFound", "Upload session not found."));
      if (size > maxBody) return answer(413, graphError("RequestEntityTooLarge", `A chunk may be at most ${maxBody} bytes.`));
      const range = String(req.headers["content-range"] ?? "").match(/^bytes (\d+)-(\d+)\/(\d+)$/);
      if (!range || Number(range[3]) !== u.size || Number(range[1]) !== u.next || Number(range[2]) - Number(range[1]) + 1 !== body.length) {
        return answer(416, graphError("InvalidRange", `Expected bytes ${u.next}- of ${u.size}, got ${req.headers["content-range"] ?? "no Content-Range"} with ${body.length} bytes.`));
      }
      u.received.push(body);
      u.next += body.length;
      if (u.next < u.size) return answer(200, { expirationDateTime: new Date(Date.now() + 3600_000).toISOString(), nextExpectedRanges: [`${u.next}-`] });
      uploads.delete(up[1]);
      const content = Buffer.concat(u.received);
      const d = drafts.get(u.draftId);
      if (d) {
        d.extra.push({ name: u.name, size: content.length, sha256: sha(content), via: "upload" });
        d.extraBytes.push(content);
      }
      return answer(201);
    }

    const m = url.pathname.match(/^\/v1\.0\/users\/([^/]+)\/(sendMail|messages)(?:\/([^/]+)(?:\/(send|attachments)(?:\/(createUploadSession))?)?)?$/);
    const mailbox = m ? decodeURIComponent(m[1]) : "";
    record.mailbox = mailbox;
    if (!m) return answer(404, graphError("ResourceNotFound", "Resource not found for the segment."));
    const auth = req.headers.authorization ?? "";
    const token = auth.match(/^Bearer (.+)$/)?.[1];
    if (token) {
      tokensSeen.push(token);
      try {
        record.claims = await verifyTestAccessToken(token, "https://graph.microsoft.com");
      } catch {
        record.claims = undefined;
      }
    }
    const i = scripted.findIndex((a) => !a.path || a.path.test(url.pathname));
    if (i >= 0) {
      const next = scripted.splice(i, 1)[0];
      return answer(next.status, next.body, next.headers);
    }

    if (!token) return answer(401, graphError("InvalidAuthenticationToken", "Access token is empty."), { "www-authenticate": 'Bearer realm=""' });
    if (!record.claims) return answer(401, graphError("InvalidAuthenticationToken", "Access token validation failure. Invalid audience or expired token."));
    const roles = Array.isArray(record.claims.roles) ? (record.claims.roles as string[]) : [];
    if (requiredRole && !roles.includes(requiredRole)) return answer(403, graphError("ErrorAccessDenied", "Access is denied. Check credentials and try again."));
    if (size > maxBody) return answer(413, graphError("RequestEntityTooLarge", `The request is larger than ${maxBody} bytes.`));
    if (!mailboxes.has(mailbox.toLowerCase())) return answer(404, graphError("ErrorInvalidUser", `The requested user '${mailbox}' is invalid.`));

    const key = mailbox.toLowerCase();
    if ((inflight.get(key) ?? 0) >= 4) return answer(429, graphError("ApplicationThrottled", "Application is over its MailboxConcurrency limit."), { "retry-after": "1" });
    inflight.set(key, (inflight.get(key) ?? 0) + 1);
    maxConcurrent = Math.max(maxConcurrent, inflight.get(key)!);
    try {
      // Let concurrent requests overlap as they would against the real service.
      await new Promise((r) => setTimeout(r, 5));
      const [, , collection, id, sub, session] = m;
      const isMime = /^text\/plain/i.test(String(req.headers["content-type"] ?? ""));
      const mimeOf = (): Buffer | null => {
        const text = body.toString("latin1").replace(/[\r\n]/g, "");
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length === 0) return null;
        return Buffer.from(text, "base64");
      };
      if (collection === "sendMail" && req.method === "POST") {
        if (isMime) {
          const mime = mimeOf();
          if (!mime) return answer(400, graphError("ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content."));
          const msg = await describeMime(mailbox, "sendMail-mime", mime);
          if (msg.recipients.length === 0) return answer(400, graphError("ErrorInvalidRecipients", "At least one recipient is not valid."));
          sent.push(msg);
          return answer(202);
        }
        let json: unknown;
        try {
          json = JSON.parse(body.toString("utf8"));
        } catch {
          return answer(400, graphError("BadRequest", "Unable to read JSON request payload."));
        }
        const parsed = graphSendMailSchema.safeParse(json);
        if (!parsed.success) {
          const recipientIssue = parsed.error.issues.some((i) => i.path.some((p) => String(p).endsWith("Recipients")));
          return answer(400, recipientIssue ? graphError("ErrorInvalidRecipients", "At least one recipient is not valid.") : graphError("BadRequest", parsed.error.issues[0]?.message ?? "Invalid request"));
        }
        const atts = (parsed.data.message.attachments ?? []).map((a) => Buffer.from(a.contentBytes, "base64"));
        if (atts.reduce((n, a) => n + a.length, 0) >= INLINE_LIMIT) return answer(413, graphError("ErrorMessageSizeExceeded", "Attachments of 3 MB or more must be uploaded with an upload session."));
        record.body = parsed.data;
        const r = parsed.data.message;
        sent.push({ mailbox, via: "sendMail-json", json: parsed.data, attachments: (r.attachments ?? []).map((a, n) => ({ name: a.name, size: atts[n].length, sha256: sha(atts[n]), via: "json" })), recipients: [...r.toRecipients, ...(r.ccRecipients ?? []), ...(r.bccRecipients ?? [])].map((x) => x.emailAddress.address.toLowerCase()) });
        return answer(202);
      }
      if (collection === "messages" && !id && req.method === "POST") {
        if (!isMime) return answer(400, graphError("BadRequest", "This fake creates drafts from MIME only."));
        const mime = mimeOf();
        if (!mime) return answer(400, graphError("ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content."));
        const draftId = `AAMk${crypto.randomUUID().replace(/-/g, "")}`;
        drafts.set(draftId, { mailbox, mime, extra: [], extraBytes: [] });
        return answer(201, { id: draftId, isDraft: true });
      }
      const draft = id ? drafts.get(id) : undefined;
      if (collection === "messages" && id && !draft) return answer(404, graphError("ErrorItemNotFound", "The specified object was not found in the store."));
      if (draft && !sub && req.method === "DELETE") {
        drafts.delete(id!);
        return answer(204);
      }
      if (draft && sub === "attachments" && session && req.method === "POST") {
        const item = (JSON.parse(body.toString("utf8") || "{}") as { AttachmentItem?: { attachmentType?: string; name?: string; size?: number } }).AttachmentItem;
        if (!item || item.attachmentType !== "file" || !item.name || !item.size || item.size > 150 * 1024 * 1024) return answer(400, graphError("ErrorInvalidRequest", "AttachmentItem with attachmentType file, name and size (at most 150 MB) is required."));
        const uploadId = crypto.randomUUID();
        uploads.set(uploadId, { draftId: id!, name: item.name, size: item.size, received: [], next: 0 });
        return answer(201, { uploadUrl: `${baseUrl}/upload/${uploadId}`, expirationDateTime: new Date(Date.now() + 3600_000).toISOString(), nextExpectedRanges: ["0-"] });
      }
      if (draft && sub === "attachments" && !session && req.method === "POST") {
        const a = JSON.parse(body.toString("utf8")) as { name?: string; contentBytes?: string };
        const bytes = Buffer.from(a.contentBytes ?? "", "base64");
        if (bytes.length >= INLINE_LIMIT) return answer(413, graphError("ErrorAttachmentSizeShouldNotBeLessThanMinimumSize", "Attachments of 3 MB or more must be uploaded with an upload session."));
        draft.extra.push({ name: a.name ?? "", size: bytes.length, sha256: sha(bytes), via: "json" });
        return answer(201, { id: crypto.randomUUID() });
      }
      if (draft && sub === "send" && req.method === "POST") {
        drafts.delete(id!);
        sent.push(await describeMime(mailbox, "draft", draft.mime, draft.extra));
        return answer(202);
      }
      return answer(405, graphError("ErrorInvalidRequest", "The OData request is not supported."));
    } finally {
      inflight.set(key, (inflight.get(key) ?? 1) - 1);
    }
  };

  const server = https.createServer({ key: fs.readFileSync(ca.serverKey), cert: fs.readFileSync(ca.serverCert) }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, graphError("InternalServerError", "fake failure"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    endpointTemplate: `${baseUrl}/v1.0/users/{FROM_ADDRESS}/sendMail`,
    requests,
    tokensSeen,
    sent,
    uploadsWithAuthorization: () => uploadsWithAuth,
    maxConcurrent: () => maxConcurrent,
    script: (...answers) => scripted.push(...answers),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
