import fs from "node:fs";
import { decodeGraphError, decodeHttpError, type DecodedMailError, type GraphErrorBody } from "./errors";
import { GRAPH_INLINE_ATTACHMENT_LIMIT, formatBytes } from "./message";
import { progressSink } from "./progress";
import { redactTranscript, truncateBody } from "../redact";
import { composeMessage, type RawMime } from "./smtp";

/**
 * Microsoft Graph sendMail (POST /users/{id}/sendMail) with a JSON message. A leaf: plain
 * values in, an outcome out. 202 means Graph accepted the message for delivery, not that it
 * was delivered; the result says so. A 429 is retried once when its Retry-After fits in the
 * time left; 401 is reported with tokenRejected so the caller can refresh the token once.
 */

/** Base64 bytes, or a streamed upload's temp file (read when the message is built). */
export type GraphAttachment = { filename: string; contentType: string; size: number } & ({ contentBase64: string; path?: undefined } | { path: string; contentBase64?: undefined });

/** Inline attachments are under 3 MB in total, so a temp file is read whole here. */
const inlineBase64 = (a: GraphAttachment): string => (a.path !== undefined ? fs.readFileSync(a.path).toString("base64") : a.contentBase64.replace(/[\r\n]/g, ""));

export type GraphMessage = {
  subject: string;
  body: string;
  html?: boolean;
  to: string[];
  cc?: string[];
  bcc?: string[];
  /** Sets message.from (send as another mailbox); omitted when it is the mailbox itself. */
  from?: string;
  replyTo?: string;
  attachments?: GraphAttachment[];
  readReceipt?: boolean;
  deliveryReceipt?: boolean;
};

export type GraphSendRequest = {
  /** The sendMail URL with {FROM_ADDRESS} already substituted. */
  url: string;
  accessToken: string;
  /** The mailbox in the URL (for messages and hints). */
  mailbox: string;
  message: GraphMessage;
  saveToSentItems: boolean;
  timeoutMs: number;
  onProgress?: (p: { stage: "sending" | "throttled" | "done"; message: string }) => void;
};

export type GraphSendSuccess = {
  ok: true;
  status: number;
  /** "202 Accepted — accepted by Graph for delivery (not a delivery confirmation)". */
  response: string;
  requestId?: string;
  durationMs: number;
  transcript: string[];
};

export type GraphSendFailure = { ok: false; status?: number; error: DecodedMailError; durationMs: number; transcript: string[]; requestId?: string };

export type GraphSendOutcome = GraphSendSuccess | GraphSendFailure;

const recipients = (list: string[] | undefined) => (list ?? []).map((address) => ({ emailAddress: { address } }));

/** The sendMail request body (Graph's message resource). */
export function buildGraphSendMailBody(message: GraphMessage, saveToSentItems: boolean): Record<string, unknown> {
  return {
    message: {
      subject: message.subject,
      body: { contentType: message.html ? "HTML" : "Text", content: message.body },
      toRecipients: recipients(message.to),
      ...(message.cc?.length ? { ccRecipients: recipients(message.cc) } : {}),
      ...(message.bcc?.length ? { bccRecipients: recipients(message.bcc) } : {}),
      ...(message.from ? { from: { emailAddress: { address: message.from } } } : {}),
      ...(message.replyTo ? { replyTo: recipients([message.replyTo]) } : {}),
      ...(message.attachments?.length
        ? {
            attachments: message.attachments.map((a) => ({
              "@odata.type": "#microsoft.graph.fileAttachment",
              name: a.filename,
              contentType: a.contentType,
              contentBytes: inlineBase64(a),
            })),
          }
        : {}),
      isReadReceiptRequested: Boolean(message.readReceipt),
      isDeliveryReceiptRequested: Boolean(message.deliveryReceipt),
    },
    saveToSentItems,
  };
}

/** The request body for the transcript: attachment bytes and most of the body left out. */
function describeBody(body: Record<string, unknown>): string {
  const json = JSON.stringify(body, (key, value: unknown) => {
    if (key === "contentBytes" && typeof value === "string") return `[${value.length} base64 characters]`;
    if (key === "content" && typeof value === "string") return truncateBody(value, 200);
    return value;
  });
  return json;
}

export async function sendGraphMail(req: GraphSendRequest): Promise<GraphSendOutcome> {
  const started = Date.now();
  const raw: string[] = [];
  const secrets = [req.accessToken];
  const done = (t: string[]) => redactTranscript(t, { secrets });
  const notify = progressSink(req.onProgress, started);

  // Attachments of 3 MB or more cannot go inline: the message goes as MIME through the same
  // path the relay uses (a draft, upload sessions for the large files, then send).
  const attachmentBytes = (req.message.attachments ?? []).reduce((n, a) => n + a.size, 0);
  if (attachmentBytes >= GRAPH_INLINE_ATTACHMENT_LIMIT) {
    const m = req.message;
    const composed = await composeMessage({
      from: m.from ?? req.mailbox,
      replyTo: m.replyTo,
      to: m.to,
      cc: m.cc,
      bcc: m.bcc,
      subject: m.subject,
      body: m.body,
      html: m.html,
      attachments: (m.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.path !== undefined ? fs.createReadStream(a.path) : Buffer.from(a.contentBase64, "base64") })),
      readReceipt: m.readReceipt,
    });
    const res = await sendGraphMime({ url: req.url, accessToken: req.accessToken, mailbox: req.mailbox, mime: composed.raw, envelopeTo: composed.envelope.to, timeoutMs: req.timeoutMs, onProgress: req.onProgress });
    return { ...res, transcript: [`* attachments total ${formatBytes(attachmentBytes)} (3 MB or more): sending as MIME through a draft with upload sessions`, ...res.transcript] };
  }

  const body = buildGraphSendMailBody(req.message, req.saveToSentItems);
  const payload = JSON.stringify(body);
  const deadline = started + req.timeoutMs;
  let retried = false;

  for (;;) {
    notify("sending", `POST ${safeUrl(req.url)}`);
    raw.push(`C: POST ${safeUrl(req.url)}`);
    raw.push("C: Authorization: Bearer [redacted]");
    raw.push("C: Content-Type: application/json");
    raw.push(`C: ${describeBody(body)}`);
    let res: Response;
    try {
      res = await fetch(req.url, {
        method: "POST",
        headers: { Authorization: `Bearer ${req.accessToken}`, "Content-Type": "application/json", Accept: "application/json", "client-request-id": crypto.randomUUID(), "return-client-request-id": "true" },
        body: payload,
        redirect: "error",
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
    } catch (error) {
      const url = new URL(req.url);
      const decoded = decodeHttpError(error, { host: url.hostname, port: Number(url.port) || 443, user: req.mailbox, timeoutMs: req.timeoutMs, stage: "sending" });
      raw.push(`* ${decoded.summary}`);
      return { ok: false, error: decoded, durationMs: Date.now() - started, transcript: done(raw) };
    }
    const requestId = res.headers.get("request-id") ?? undefined;
    const text = await res.text().catch(() => "");
    raw.push(`S: HTTP ${res.status} ${res.statusText}`);
    for (const h of ["request-id", "client-request-id", "retry-after", "www-authenticate"]) {
      const v = res.headers.get(h);
      if (v) raw.push(`S: ${h}: ${v}`);
    }
    if (text) raw.push(`S: ${truncateBody(text, 2000)}`);

    if (res.status === 202 || (res.status >= 200 && res.status < 300)) {
      notify("done", "Accepted by Graph");
      return {
        ok: true,
        status: res.status,
        response: `${res.status} ${res.statusText || "Accepted"}: accepted by Graph for delivery (not a delivery confirmation)`,
        requestId,
        durationMs: Date.now() - started,
        transcript: done(raw),
      };
    }

    let parsed: GraphErrorBody | undefined;
    try {
      parsed = text ? (JSON.parse(text) as GraphErrorBody) : undefined;
    } catch {
      parsed = undefined;
    }
    const retryAfter = parseRetryAfter(res.headers.get("retry-after"));
    if (res.status === 429 && !retried && retryAfter !== undefined && Date.now() + retryAfter * 1000 < deadline - 500) {
      retried = true;
      raw.push(`* throttled: waiting ${retryAfter} s (Retry-After) and retrying once`);
      notify("throttled", `Graph throttled the request; retrying in ${retryAfter} s`);
      await new Promise((r) => setTimeout(r, retryAfter * 1000));
      continue;
    }
    const decoded = decodeGraphError(res.status, parsed, { user: req.mailbox, retryAfterSeconds: retryAfter });
    return { ok: false, status: res.status, error: { ...decoded, remoteReply: decoded.remoteReply ? done([`* ${decoded.remoteReply}`])[0].slice(2) : undefined }, requestId, durationMs: Date.now() - started, transcript: done(raw) };
  }
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** The URL without query string (never carries secrets here, but keeps logs tidy). */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

// ---------------------------------------------------------------------------------------------
// MIME: the relay's messages (and test messages with large attachments) as they are.

/** Graph's limit for one request body. */
export const GRAPH_REQUEST_LIMIT = 4 * 1024 * 1024;
/** Upload-session chunks: a multiple of 320 KiB and under 4 MB, as Graph requires. */
export const GRAPH_UPLOAD_CHUNK = 320 * 1024 * 10;
/** Largest message Graph takes through a draft with upload sessions. */
export const GRAPH_MAX_MESSAGE = 150 * 1024 * 1024;

export type GraphMimeRequest = {
  /** The sendMail URL with {FROM_ADDRESS} substituted (…/users/{mailbox}/sendMail). */
  url: string;
  accessToken: string;
  mailbox: string;
  /** The RFC 5322 message as received. */
  mime: Buffer;
  /** Envelope recipients: those not named in To/Cc/Bcc are added as Bcc, so none is lost. */
  envelopeTo: string[];
  timeoutMs: number;
  onProgress?: (p: { stage: "sending" | "throttled" | "done"; message: string }) => void;
};

export type GraphRawSendRequest = {
  /** The sendMail URL with {FROM_ADDRESS} already substituted. */
  url: string;
  accessToken: string;
  mailbox: string;
  /** Who gets it (Bcc recipients are only here, not in the headers). */
  envelope: { from: string; to: string[] };
  mime: RawMime;
  saveToSentItems: boolean;
  timeoutMs: number;
  onProgress?: (p: { stage: "sending" | "throttled" | "done"; message: string }) => void;
};

/**
 * The pipeline's Graph hook for raw MIME (lib/mail/pipeline.ts viaGraph, `{ type: "raw" }`):
 * the relay's received messages, sent as they are through {@link sendGraphMime}.
 */
export async function sendGraphRawMime(req: GraphRawSendRequest): Promise<GraphSendOutcome> {
  const bytes = "bytes" in req.mime ? req.mime.bytes : await fs.promises.readFile(req.mime.path);
  return sendGraphMime({ url: req.url, accessToken: req.accessToken, mailbox: req.mailbox, mime: bytes, envelopeTo: req.envelope.to, timeoutMs: req.timeoutMs, onProgress: req.onProgress });
}

export type GraphMimeOutcome = (GraphSendSuccess & { path: "sendMail" | "draft" }) | (GraphSendFailure & { retryAfterSeconds?: number });

type Step = { status: number; statusText: string; text: string; headers: Headers };

/**
 * Sends a MIME message through Graph. Up to 4 MB of request (the base64 MIME): POST sendMail with
 * Content-Type text/plain. Larger (up to 150 MB): the MIME without its large attachments becomes a
 * draft (POST /messages, base64 MIME), each large attachment goes up through
 * attachments/createUploadSession in chunks under 4 MB — PUT to the pre-authenticated upload URL
 * without an Authorization header — and the draft is sent (POST /messages/{id}/send). Bcc
 * recipients (envelope recipients the headers do not name) are kept. Never throws for a remote
 * failure; a 429 or 503 reports Retry-After for the caller's queue.
 */
export async function sendGraphMime(req: GraphMimeRequest): Promise<GraphMimeOutcome> {
  const started = Date.now();
  const raw: string[] = [];
  const secrets = [req.accessToken];
  const done = (t: string[]) => redactTranscript(t, { secrets });
  const deadline = started + req.timeoutMs;
  const base = req.url.replace(/\/sendMail\/?$/i, "");
  const notify = (stage: "sending" | "throttled" | "done", message: string) => {
    try {
      req.onProgress?.({ stage, message });
    } catch {
      // a progress listener must not break the send
    }
  };
  const fail = (error: DecodedMailError, status?: number, requestId?: string, retryAfterSeconds?: number): GraphMimeOutcome => ({
    ok: false,
    status,
    error: { ...error, remoteReply: error.remoteReply ? done([`* ${error.remoteReply}`])[0].slice(2) : undefined },
    requestId,
    retryAfterSeconds,
    durationMs: Date.now() - started,
    transcript: done(raw),
  });

  if (req.mime.length > GRAPH_MAX_MESSAGE) {
    return fail({ code: "graph.message-too-large", category: "size", summary: `The message is ${formatBytes(req.mime.length)}; Graph takes at most 150 MB`, cause: "Microsoft Graph refuses messages over 150 MB.", fix: "Send a smaller message (or the files by another way).", tokenRejected: false });
  }
  const mime = withEnvelopeBcc(req.mime, req.envelopeTo);
  if (mime.added.length) raw.push(`* Bcc kept: ${mime.added.length} envelope recipient(s) not named in To/Cc/Bcc added as Bcc`);

  const call = async (method: string, url: string, body: Buffer | string | undefined, headers: Record<string, string>, opts: { auth: boolean; describe?: string }): Promise<Step | DecodedMailError> => {
    const shown = safeUrl(url);
    raw.push(`C: ${method} ${opts.auth ? shown : `${new URL(url).origin}/[upload URL]`}`);
    if (opts.auth) raw.push("C: Authorization: Bearer [redacted]");
    for (const [k, v] of Object.entries(headers)) raw.push(`C: ${k}: ${v}`);
    if (opts.describe) raw.push(`C: ${opts.describe}`);
    try {
      const res = await fetch(url, {
        method,
        headers: { ...(opts.auth ? { Authorization: `Bearer ${req.accessToken}`, "client-request-id": crypto.randomUUID(), "return-client-request-id": "true" } : {}), Accept: "application/json", ...headers },
        body: body === undefined ? undefined : typeof body === "string" ? body : (new Uint8Array(body.buffer, body.byteOffset, body.byteLength) as unknown as BodyInit),
        redirect: "error",
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
      const text = await res.text().catch(() => "");
      raw.push(`S: HTTP ${res.status} ${res.statusText}`);
      for (const h of ["request-id", "retry-after", "www-authenticate"]) {
        const v = res.headers.get(h);
        if (v) raw.push(`S: ${h}: ${v}`);
      }
      if (text) raw.push(`S: ${truncateBody(text, 2000)}`);
      return { status: res.status, statusText: res.statusText, text, headers: res.headers };
    } catch (error) {
      const u = new URL(url);
      const decoded = decodeHttpError(error, { host: u.hostname, port: Number(u.port) || 443, user: req.mailbox, timeoutMs: req.timeoutMs, stage: "sending" });
      raw.push(`* ${decoded.summary}`);
      return decoded;
    }
  };
  const isStep = (r: Step | DecodedMailError): r is Step => "status" in r && typeof r.status === "number" && "headers" in r;
  const failed = (r: Step | DecodedMailError): GraphMimeOutcome => {
    if (!isStep(r)) return fail(r);
    let parsed: GraphErrorBody | undefined;
    try {
      parsed = r.text ? (JSON.parse(r.text) as GraphErrorBody) : undefined;
    } catch {
      parsed = undefined;
    }
    const retryAfter = parseRetryAfter(r.headers.get("retry-after"));
    if (r.status === 429) notify("throttled", `Graph throttled the request${retryAfter !== undefined ? `; Retry-After ${retryAfter} s` : ""}`);
    return fail(decodeGraphError(r.status, parsed, { user: req.mailbox, retryAfterSeconds: retryAfter }), r.status, r.headers.get("request-id") ?? undefined, retryAfter);
  };
  const ok2xx = (r: Step | DecodedMailError): r is Step => isStep(r) && r.status >= 200 && r.status < 300;

  const b64 = mime.data.toString("base64");
  if (b64.length <= GRAPH_REQUEST_LIMIT) {
    notify("sending", `POST ${safeUrl(req.url)} (MIME, ${formatBytes(mime.data.length)})`);
    const r = await call("POST", req.url, b64, { "Content-Type": "text/plain" }, { auth: true, describe: `[MIME message, ${mime.data.length} bytes, as ${b64.length} base64 characters]` });
    if (!ok2xx(r)) return failed(r);
    notify("done", "Accepted by Graph");
    return { ok: true, path: "sendMail", status: r.status, response: `${r.status} ${r.statusText || "Accepted"}: accepted by Graph for delivery (not a delivery confirmation)`, requestId: r.headers.get("request-id") ?? undefined, durationMs: Date.now() - started, transcript: done(raw) };
  }

  // Large: draft from the MIME without the big attachments, then upload sessions, then send.
  raw.push(`* ${formatBytes(mime.data.length)} is over Graph's 4 MB request limit as base64: draft + upload sessions`);
  let split: Awaited<ReturnType<typeof splitLargeAttachments>>;
  try {
    split = await splitLargeAttachments(mime.data);
  } catch (error) {
    return fail({ code: "graph.mime-unreadable", category: "protocol", summary: "The message could not be parsed to upload its attachments", cause: error instanceof Error ? error.message : String(error), fix: "Check the message's MIME structure (the device sent something that is not valid MIME).", tokenRejected: false });
  }
  const draftB64 = split.draft.toString("base64");
  if (draftB64.length > GRAPH_REQUEST_LIMIT) {
    return fail({ code: "graph.body-too-large", category: "size", summary: `The message body without attachments is ${formatBytes(split.draft.length)}: over Graph's 4 MB request limit`, cause: "Graph creates a draft from MIME in one request of at most 4 MB; only attachments can be uploaded separately.", fix: "Send large content as attachments rather than in the body.", tokenRejected: false });
  }
  notify("sending", `Creating a draft (${split.uploads.length} attachment(s) to upload)`);
  const created = await call("POST", `${base}/messages`, draftB64, { "Content-Type": "text/plain" }, { auth: true, describe: `[MIME draft, ${split.draft.length} bytes]` });
  if (!ok2xx(created)) return failed(created);
  let draftId: string;
  try {
    draftId = (JSON.parse(created.text) as { id: string }).id;
    if (!draftId) throw new Error("no id");
  } catch {
    return fail({ code: "graph.draft-no-id", category: "protocol", summary: "Graph created the draft but its answer has no message id", cause: "Unexpected response from Graph.", fix: "Read the response in the transcript.", tokenRejected: false });
  }
  const msgUrl = `${base}/messages/${encodeURIComponent(draftId)}`;
  const discard = async () => {
    raw.push("* discarding the draft");
    await call("DELETE", msgUrl, undefined, {}, { auth: true });
  };

  for (const a of split.uploads) {
    notify("sending", `Uploading ${a.filename} (${formatBytes(a.content.length)})`);
    const session = await call(
      "POST",
      `${msgUrl}/attachments/createUploadSession`,
      JSON.stringify({ AttachmentItem: { attachmentType: "file", name: a.filename, size: a.content.length, contentType: a.contentType, ...(a.contentId ? { isInline: true, contentId: a.contentId } : { isInline: false }) } }),
      { "Content-Type": "application/json" },
      { auth: true },
    );
    if (!ok2xx(session)) {
      const out = failed(session);
      await discard();
      return out;
    }
    let uploadUrl: string;
    try {
      uploadUrl = (JSON.parse(session.text) as { uploadUrl: string }).uploadUrl;
      new URL(uploadUrl);
    } catch {
      await discard();
      return fail({ code: "graph.upload-no-url", category: "protocol", summary: "Graph's upload session has no upload URL", cause: "Unexpected response from Graph.", fix: "Read the response in the transcript.", tokenRejected: false });
    }
    for (let off = 0; off < a.content.length; off += GRAPH_UPLOAD_CHUNK) {
      const chunk = a.content.subarray(off, Math.min(a.content.length, off + GRAPH_UPLOAD_CHUNK));
      // The upload URL carries its own authorization: sending the bearer token there is refused (401).
      const put = await call("PUT", uploadUrl, chunk, { "Content-Type": "application/octet-stream", "Content-Range": `bytes ${off}-${off + chunk.length - 1}/${a.content.length}` }, { auth: false });
      if (!ok2xx(put)) {
        const out = failed(put);
        await discard();
        return out;
      }
    }
  }
  notify("sending", "Sending the draft");
  const sent = await call("POST", `${msgUrl}/send`, "", { "Content-Length": "0" }, { auth: true });
  if (!ok2xx(sent)) {
    const out = failed(sent);
    await discard();
    return out;
  }
  notify("done", "Accepted by Graph");
  return { ok: true, path: "draft", status: sent.status, response: `${sent.status} ${sent.statusText || "Accepted"}: accepted by Graph for delivery through a draft with ${split.uploads.length} uploaded attachment(s) (not a delivery confirmation)`, requestId: sent.headers.get("request-id") ?? undefined, durationMs: Date.now() - started, transcript: done(raw) };
}

/** Adds a Bcc header naming envelope recipients that To/Cc/Bcc do not (Graph sends to the headers' recipients). */
export function withEnvelopeBcc(mime: Buffer, envelopeTo: string[]): { data: Buffer; added: string[] } {
  const end = (() => {
    for (let i = 0; i < Math.min(mime.length, 256 * 1024); i++) {
      if (mime[i] === 0x0a && (mime[i + 1] === 0x0a || (mime[i + 1] === 0x0d && mime[i + 2] === 0x0a))) return i + 1;
    }
    return -1;
  })();
  const block = mime.subarray(0, end < 0 ? 0 : end).toString("utf8");
  const named = new Set<string>();
  const unfolded = block.replace(/\r?\n[ \t]+/g, " ");
  for (const line of unfolded.split(/\r?\n/)) {
    const m = line.match(/^(to|cc|bcc)\s*:(.*)$/i);
    if (!m) continue;
    for (const a of m[2].matchAll(/[^\s<>,;:"]+@[^\s<>,;:"]+/g)) named.add(a[0].toLowerCase());
  }
  const added = [...new Set(envelopeTo.map((a) => a.toLowerCase()))].filter((a) => !named.has(a));
  if (added.length === 0) return { data: mime, added };
  const header = Buffer.from(`Bcc: ${added.join(",\r\n ")}\r\n`, "utf8");
  return { data: Buffer.concat([header, mime]), added };
}

type UploadPart = { filename: string; contentType: string; contentId?: string; content: Buffer };

/**
 * Rebuilds the message without attachments that would push the draft over Graph's 4 MB request
 * limit (largest first); returns the draft MIME and the attachments to upload.
 */
async function splitLargeAttachments(mime: Buffer): Promise<{ draft: Buffer; uploads: UploadPart[] }> {
  const { simpleParser } = await import("mailparser");
  const MailComposer = (await import("nodemailer/lib/mail-composer")).default;
  const parsed = await simpleParser(mime, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, keepCidLinks: true });
  const attachments = [...parsed.attachments].sort((a, b) => b.content.length - a.content.length);
  const budget = 2 * 1024 * 1024;
  let kept = attachments.reduce((n, a) => n + a.content.length, 0);
  const uploads: UploadPart[] = [];
  const keep = [];
  for (const a of attachments) {
    if (kept > budget) {
      uploads.push({ filename: a.filename ?? "attachment", contentType: a.contentType || "application/octet-stream", contentId: a.related && a.cid ? a.cid : undefined, content: a.content });
      kept -= a.content.length;
    } else keep.push(a);
  }
  // Headers as received, minus the ones that describe the old MIME structure.
  const skip = new Set(["content-type", "content-transfer-encoding", "mime-version", "content-disposition"]);
  const headers: { key: string; value: string }[] = [];
  for (const line of parsed.headerLines) {
    if (skip.has(line.key)) continue;
    const i = line.line.indexOf(":");
    headers.push({ key: line.line.slice(0, i), value: line.line.slice(i + 1).replace(/\r?\n[ \t]+/g, " ").trim() });
  }
  const composer = new MailComposer({
    headers,
    text: parsed.text,
    html: parsed.html || undefined,
    attachments: keep.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content, cid: a.cid, contentDisposition: a.contentDisposition as "attachment" | "inline" | undefined })),
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const node = composer.compile();
  node.keepBcc = true;
  return { draft: await node.build(), uploads };
}
