import { decodeGraphError, decodeHttpError, type DecodedMailError, type GraphErrorBody } from "./errors";
import { GRAPH_INLINE_ATTACHMENT_LIMIT, formatBytes } from "./message";
import { progressSink } from "./progress";
import { redactTranscript, truncateBody } from "../redact";
import type { RawMime } from "./smtp";

/**
 * Microsoft Graph sendMail (POST /users/{id}/sendMail) with a JSON message. A leaf: plain
 * values in, an outcome out. 202 means Graph accepted the message for delivery, not that it
 * was delivered; the result says so. A 429 is retried once when its Retry-After fits in the
 * time left; 401 is reported with tokenRejected so the caller can refresh the token once.
 */

export type GraphAttachment = { filename: string; contentType: string; contentBase64: string; size: number };

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
              contentBytes: a.contentBase64.replace(/[\r\n]/g, ""),
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

/** Refuses attachments Graph would reject inline; returns the decoded error or null. */
export function checkGraphAttachments(attachments: GraphAttachment[] | undefined): DecodedMailError | null {
  const total = (attachments ?? []).reduce((n, a) => n + a.size, 0);
  if (total < GRAPH_INLINE_ATTACHMENT_LIMIT) return null;
  return {
    code: "graph.attachment-too-large",
    category: "size",
    summary: `Attachments total ${formatBytes(total)}; Graph sendMail takes inline attachments only under 3 MB`,
    cause: "Files of 3 MB and more need a draft message plus an upload session (createUploadSession, Mail.ReadWrite), which the test send does not do.",
    fix: "Attach a smaller file (under 3 MB in total), or test with an SMTP profile.",
    tokenRejected: false,
  };
}

export async function sendGraphMail(req: GraphSendRequest): Promise<GraphSendOutcome> {
  const started = Date.now();
  const raw: string[] = [];
  const secrets = [req.accessToken];
  const done = (t: string[]) => redactTranscript(t, { secrets });
  const notify = progressSink(req.onProgress, started);

  const tooLarge = checkGraphAttachments(req.message.attachments);
  if (tooLarge) {
    raw.push(`* ${tooLarge.summary}: nothing was sent`);
    return { ok: false, error: tooLarge, durationMs: Date.now() - started, transcript: done(raw) };
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
// Raw MIME (relay)

/** A received message sent through Graph as is: sendMail with base64 MIME, or a draft plus an upload session when large. */
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
 * HOOK for the relay (issue 14): Graph raw MIME (POST sendMail with Content-Type text/plain and
 * the base64 MIME; a draft + createUploadSession for messages of 3 MB and more). The delivery
 * pipeline (lib/mail/pipeline.ts, viaGraph) already calls this for `{ type: "raw" }` messages;
 * until it is implemented it answers a decoded, permanent "not supported yet" error.
 */
export async function sendGraphRawMime(req: GraphRawSendRequest): Promise<GraphSendOutcome> {
  const error: DecodedMailError = {
    code: "graph.raw-unsupported",
    category: "config",
    summary: "Relaying a received message through Graph is not supported yet",
    cause: `Profile mailbox ${req.mailbox} sends with Microsoft Graph; sending received MIME as is through Graph is not implemented yet.`,
    fix: "Relay through an SMTP (XOAUTH2) profile for now.",
    tokenRejected: false,
  };
  return { ok: false, error, durationMs: 0, transcript: [`* ${error.summary}: nothing was sent`] };
}
