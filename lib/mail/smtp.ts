import { createHash } from "node:crypto";
import fs from "node:fs";
import type { Readable } from "node:stream";
import { format } from "node:util";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import MailComposer from "nodemailer/lib/mail-composer";
import XOAuth2 from "nodemailer/lib/xoauth2";
import { decodeSmtpError, type DecodedMailError } from "./errors";
import { progressSink } from "./progress";
import { redactTranscript } from "../redact";

/**
 * One SMTP submission: connect (implicit TLS or STARTTLS, TLS always required), authenticate
 * (XOAUTH2 or LOGIN/PLAIN), send one message, quit. A leaf: plain values in, an outcome out,
 * never throws for a remote failure and never returns a secret.
 *
 * nodemailer's SMTPConnection is used directly (not a transport) so each stage can report
 * progress, the EHLO capabilities (DSN) are known, and XOAUTH2 runs through our own handler: the
 * built-in one, on a rejection, asks its token generator for a new token on the same
 * connection and loses the server's 535 reply when there is none; here the caller decides
 * (refresh once, or fall back to the login user) with the reply in hand.
 */

export type SmtpSecurity = "starttls" | "tls";

export type SmtpAuth =
  | { type: "xoauth2"; user: string; accessToken: string }
  | { type: "basic"; user: string; password: string };

/** Bytes, or a fresh stream of a temp file (a streamed upload; one per composition). */
export type SmtpAttachment = { filename: string; contentType: string; content: Buffer | Readable };

export type SmtpMessage = {
  from: string;
  sender?: string;
  replyTo?: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  subject: string;
  body: string;
  html?: boolean;
  attachments?: SmtpAttachment[];
  /** Adds Disposition-Notification-To: <from> (MDN, RFC 8098). */
  readReceipt?: boolean;
  /** Asks for DSN NOTIFY=SUCCESS,FAILURE,DELAY (RFC 3461) when the server offers DSN. */
  deliveryReceipt?: boolean;
  /** Extra headers (X-…); values must be single-line. */
  headers?: Record<string, string>;
};

/** The MIME bytes of a message as received (relay): in memory, or a file for large messages. */
export type RawMime = { bytes: Buffer } | { path: string };

/**
 * A message sent as is: the envelope decides who gets it (MAIL FROM / RCPT TO), the bytes are
 * never rebuilt, so the Message-ID and every header stay as received.
 */
export type SmtpRawMessage = { envelope: { from: string; to: string[] }; raw: RawMime };

export type SmtpTimeouts = { connectMs: number; greetingMs: number; socketMs: number; overallMs?: number };

/** "connecting" covers TCP, the greeting, EHLO and STARTTLS (nodemailer reports them as one step). */
export type SmtpStage = "connecting" | "authenticating" | "sending" | "done";

export type SmtpProgress = { stage: SmtpStage; message: string };

export type SmtpSendRequest = {
  host: string;
  port: number;
  security: SmtpSecurity;
  auth: SmtpAuth;
  /** MAIL FROM; defaults to message.from. */
  envelopeFrom?: string;
  /** A message to compose (test message), or raw MIME with its envelope (relay). */
  message: SmtpMessage | SmtpRawMessage;
  timeouts: SmtpTimeouts;
  /** EHLO name; defaults to the machine's host name. */
  clientName?: string;
  /** Profile kind, so the decoded hints fit (app vs delegated, Google vs Microsoft). */
  kind?: string;
  /** Secrets that must not appear in the transcript besides those in `auth` (e.g. a refresh token). */
  extraSecrets?: string[];
  onProgress?: (p: SmtpProgress) => void;
  /**
   * Upstream connection reuse (relay worker): an authenticated connection to the same server, user
   * and credential is taken from here and kept after the message. Without it (send test): one
   * connection for this message, closed with QUIT, and the transcript shows the whole session.
   */
  connections?: SmtpConnectionCache;
};

export type SmtpTlsInfo = { protocol: string | null; cipher: string | null; authorized: boolean };

export type SmtpSendSuccess = {
  ok: true;
  /** The server's final reply to the message data, e.g. "250 2.0.0 OK <id> [Hostname=…]". */
  response: string;
  /** Message-ID header we generated. */
  messageId: string;
  /** Message-ID the server assigned (Exchange replaces ours), when its reply names one. */
  serverMessageId?: string;
  accepted: string[];
  rejected: string[];
  /** The server's reply to each refused RCPT TO (redacted): the message went to the others only. */
  rejectedReplies: { address: string; reply: string }[];
  durationMs: number;
  dsn: { requested: boolean; offered: boolean };
  tls: SmtpTlsInfo | null;
  /** Redacted transcript lines ("C: …", "S: …", "* …"). */
  transcript: string[];
};

export type SmtpSendFailure = {
  ok: false;
  stage: SmtpStage;
  error: DecodedMailError;
  durationMs: number;
  transcript: string[];
  /** The server's last reply, redacted. */
  lastReply?: string;
};

export type SmtpSendOutcome = SmtpSendSuccess | SmtpSendFailure;

/** Builds the RFC 5322 message (Bcc stays off the headers; it is only in the envelope). */
export async function composeMessage(message: SmtpMessage): Promise<{ raw: Buffer; messageId: string; envelope: { from: string; to: string[] } }> {
  const headers: Record<string, string> = { ...(message.headers ?? {}) };
  for (const [k, v] of Object.entries(headers)) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new Error(`Header ${k} must be a single line`);
  }
  if (message.readReceipt) headers["Disposition-Notification-To"] = message.from;
  const composer = new MailComposer({
    from: message.from,
    sender: message.sender,
    replyTo: message.replyTo,
    to: message.to,
    cc: message.cc?.length ? message.cc : undefined,
    bcc: message.bcc?.length ? message.bcc : undefined,
    subject: message.subject,
    ...(message.html ? { html: message.body, text: htmlToText(message.body) } : { text: message.body }),
    attachments: (message.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
    headers,
    // Content comes from the form/CLI as bytes; never let a value be read as a path or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    xMailer: "OAuth Mail Console",
  });
  const node = composer.compile();
  const envelope = node.getEnvelope();
  const raw = await node.build();
  return { raw, messageId: node.messageId(), envelope: { from: envelope.from || message.from, to: envelope.to } };
}

export const isRawMessage = (m: SmtpMessage | SmtpRawMessage): m is SmtpRawMessage => "raw" in m;

/** The Message-ID header of raw MIME (first 64 KB of the header block), or "" when it has none. */
export function rawMessageId(raw: RawMime): string {
  let head: Buffer;
  if ("bytes" in raw) head = raw.bytes.subarray(0, 65536);
  else {
    const fd = fs.openSync(raw.path, "r");
    try {
      head = Buffer.alloc(65536);
      head = head.subarray(0, fs.readSync(fd, head, 0, head.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  }
  const text = head.toString("latin1");
  const end = text.search(/\r?\n\r?\n/);
  const headers = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
  return headers.match(/^Message-ID:\s*(<[^>\r\n]+>)/im)?.[1] ?? "";
}

/** What goes over the wire: composed bytes with their envelope, or raw MIME as received. */
async function prepare(m: SmtpMessage | SmtpRawMessage): Promise<{ data: () => Buffer | fs.ReadStream; messageId: string; envelope: { from: string; to: string[] }; dsnAllowed: boolean }> {
  if (isRawMessage(m)) {
    if (!m.envelope.to.length) throw new Error("The envelope has no recipients");
    const raw = m.raw;
    return { data: () => ("bytes" in raw ? raw.bytes : fs.createReadStream(raw.path)), messageId: rawMessageId(raw), envelope: { from: m.envelope.from, to: [...m.envelope.to] }, dsnAllowed: false };
  }
  const composed = await composeMessage(m);
  return { data: () => composed.raw, messageId: composed.messageId, envelope: composed.envelope, dsnAllowed: Boolean(m.deliveryReceipt) };
}

/** A plain-text alternative for an HTML body (good enough for a test message). */
function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|h\d|li|tr)>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** XOAUTH2 initial response: base64("user=" user ^A "auth=Bearer " token ^A ^A). */
export function buildXoauth2(user: string, accessToken: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`, "utf8").toString("base64");
}

type LogEntry = Record<string, unknown> | undefined;

/** A bunyan-style logger that turns nodemailer's transaction log into transcript lines. */
function transcriptLogger(sink: { lines: string[] }) {
  const write = (level: string) => (...args: unknown[]) => {
    const data = (typeof args[0] === "object" && args[0] !== null ? args.shift() : undefined) as LogEntry;
    const text = args.length ? format(...(args as [unknown, ...unknown[]])) : "";
    const tnx = data?.tnx;
    const prefix = tnx === "client" ? "C: " : tnx === "server" ? "S: " : tnx === "message" ? "D: " : "* ";
    for (const line of text.split(/\r?\n/)) sink.lines.push(`${prefix}${level === "error" || level === "warn" ? `[${level}] ` : ""}${line}`);
  };
  return { trace: () => undefined, debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error"), fatal: write("error") };
}

const STAGE_TEXT: Record<SmtpStage, (r: SmtpSendRequest) => string> = {
  connecting: (r) => `Connecting to ${r.host}:${r.port} (${r.security === "tls" ? "implicit TLS" : "STARTTLS required"})`,
  authenticating: (r) => `Authenticating as ${r.auth.user} (${r.auth.type === "xoauth2" ? "XOAUTH2" : "basic"})`,
  sending: () => "Sending the message",
  done: () => "Accepted by the server",
};

/**
 * Sends one message. Resolves with `ok: false` and a decoded error for any remote, TLS,
 * network or timeout failure; the connection is closed (or, with `connections`, kept for the next
 * message after a success; discarded after any failure) and the promise always settles
 * (an overall deadline backs up nodemailer's per-phase timeouts).
 */
export async function sendSmtp(req: SmtpSendRequest): Promise<SmtpSendOutcome> {
  const started = Date.now();
  const raw: string[] = [];
  const secrets = [req.auth.type === "xoauth2" ? req.auth.accessToken : req.auth.password, ...(req.extraSecrets ?? [])];
  if (req.auth.type === "xoauth2") secrets.push(buildXoauth2(req.auth.user, req.auth.accessToken));
  const transcript = () => redactTranscript(raw, { secrets });
  // An object, not a `let`: TypeScript would otherwise narrow it to "connecting" in the catch.
  const state: { stage: SmtpStage } = { stage: "connecting" };
  const report = progressSink(req.onProgress, started);
  const progress = (s: SmtpStage) => {
    state.stage = s;
    report(s, STAGE_TEXT[s](req));
  };

  let composed: Awaited<ReturnType<typeof prepare>>;
  try {
    composed = await prepare(req.message);
  } catch (error) {
    return {
      ok: false,
      stage: state.stage,
      durationMs: Date.now() - started,
      transcript: [],
      error: { code: "smtp.compose", category: "config", summary: "The message could not be built", cause: error instanceof Error ? error.message : String(error), fix: "Check the message fields.", tokenRejected: false },
    };
  }

  const overallMs = req.timeouts.overallMs ?? req.timeouts.connectMs + req.timeouts.greetingMs + 3 * req.timeouts.socketMs;
  const cache = req.connections;
  const key = cache ? connectionKey(req) : "";
  // The connection this message runs on: a new one, or an authenticated one taken from the cache.
  // An object, not a `let`, for the same reason as `state`.
  const on: { current: PooledSmtp | null } = { current: null };

  // Every stage waits on one callback; an "error" or an early "end" from the connection
  // rejects whichever stage is running, so no stage can wait forever on a callback that a
  // dropped connection never calls.
  const step = <T>(c: PooledSmtp, start: (resolve: (v: T) => void, reject: (e: unknown) => void) => void) =>
    new Promise<T>((resolve, reject) => {
      c.fail = reject;
      start(resolve, reject);
    });

  const open = async (): Promise<PooledSmtp> => {
    const c = newConnection(req, raw);
    on.current = c;
    if (cache) cache.stats.opened++;
    progress("connecting");
    await step<void>(c, (resolve, reject) => c.conn.connect((err) => (err ? reject(err) : resolve())));
    const tlsInfo = tlsInfoOf(c.conn);
    if (!tlsInfo) {
      // Defence in depth: requireTLS / secure already guarantee this.
      throw Object.assign(new Error("Connection is not encrypted"), { code: "ETLS" });
    }
    c.tls = tlsInfo;
    raw.push(`* TLS ${tlsInfo.protocol ?? "?"} ${tlsInfo.cipher ?? ""}`.trimEnd());

    progress("authenticating");
    c.extensions = lastEhloExtensions(raw);
    const offered = authMechanisms(c.extensions);
    if (req.auth.type === "basic" && offered.length && !offered.includes("LOGIN") && !offered.includes("PLAIN")) {
      // Do not let nodemailer try a mechanism the server does not have: say what it offers.
      throw Object.assign(new Error(`The server offers AUTH ${offered.join(" ")}, no LOGIN or PLAIN`), { code: "ENOPASSWORDAUTH", offered });
    }
    await step<void>(c, (resolve, reject) => {
      // XOAUTH2 must be asked for with an `oauth2` object: without one nodemailer picks the first
      // mechanism the server lists (LOGIN at Microsoft 365 and Gmail) and fails with
      // 'Missing credentials for "LOGIN"'. The token itself goes through our customAuth handler.
      const auth =
        req.auth.type === "xoauth2"
          ? { method: "XOAUTH2", user: req.auth.user, oauth2: new XOAuth2({ user: req.auth.user, accessToken: req.auth.accessToken }) }
          : { user: req.auth.user, pass: req.auth.password };
      c.conn.login(auth, (err) => (err ? reject(err) : resolve()));
    });
    return c;
  };

  /**
   * A cached connection, checked with RSET before anything of this message is sent: one the
   * server closed or that no longer answers is dropped and a new one opened for this message
   * (nothing was sent on it, so there is nothing to duplicate).
   */
  const reuse = async (): Promise<PooledSmtp | null> => {
    const c = cache?.take(key);
    if (!c) return null;
    on.current = c;
    c.sink.lines = raw;
    c.busy = true;
    progress("connecting");
    raw.push(`* Reusing the authenticated connection to ${req.host}:${req.port} (message ${c.uses + 1} on it)`);
    try {
      await step<void>(c, (resolve, reject) => c.conn.reset((err) => (err ? reject(err) : resolve())));
      return c;
    } catch (error) {
      raw.push(`* The cached connection no longer answers (${error instanceof Error ? error.message : String(error)}): opening a new one`);
      discard(c);
      on.current = null;
      return null;
    }
  };

  const run = async (): Promise<SmtpSendOutcome> => {
    const c = (await reuse()) ?? (await open());
    progress("sending");
    const dsnOffered = c.extensions.some((l) => /^DSN\b/i.test(l));
    const envelope = {
      from: req.envelopeFrom ?? composed.envelope.from,
      to: composed.envelope.to,
      ...(composed.dsnAllowed ? { dsn: { notify: ["SUCCESS", "FAILURE", "DELAY"], ret: "HDRS", envid: composed.messageId.replace(/[<>]/g, "") } } : {}),
    };
    if (composed.dsnAllowed && !dsnOffered) raw.push("* Delivery receipt requested, but the server does not offer DSN: sent without it");
    const info = await step<{ response: string; accepted: string[]; rejected: string[]; rejectedErrors?: { recipient?: string; response?: string; message?: string }[]; serverMessageId?: string }>(c, (resolve, reject) =>
      c.conn.send(envelope, composed.data(), (err, result) => (err || !result ? reject(err) : resolve(result))),
    );
    c.busy = false;
    c.fail = null;
    c.uses++;
    progress("done");
    // Kept for the next message of the same server, user and token, or closed with QUIT.
    if (!cache?.put(c, key)) c.conn.quit();
    on.current = null;
    return {
      ok: true,
      response: redactLine(info.response, secrets),
      messageId: composed.messageId,
      serverMessageId: info.serverMessageId,
      accepted: info.accepted,
      rejected: info.rejected,
      rejectedReplies: (info.rejectedErrors ?? []).map((e) => ({ address: e.recipient ?? "", reply: redactLine(e.response ?? e.message ?? "", secrets) })),
      durationMs: Date.now() - started,
      dsn: { requested: Boolean(composed.dsnAllowed && dsnOffered), offered: dsnOffered },
      tls: c.tls,
      transcript: transcript(),
    };
  };

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`No progress within ${Math.round(overallMs / 1000)} s`), { code: "ETIMEDOUT", timeoutType: "OVERALL" })), overallMs);
  });
  try {
    return await Promise.race([run(), deadline]);
  } catch (error) {
    const decoded = decodeSmtpError(error, {
      host: req.host,
      port: req.port,
      user: req.auth.user,
      security: req.security,
      stage: state.stage === "sending" ? "data" : state.stage,
      timeoutMs: timeoutFor(error, req.timeouts, overallMs),
      kind: req.kind,
    });
    raw.push(`* failed during ${state.stage}: ${decoded.summary}`);
    const lastReply = (error as { response?: unknown })?.response;
    return {
      ok: false,
      stage: state.stage,
      durationMs: Date.now() - started,
      transcript: transcript(),
      lastReply: typeof lastReply === "string" ? redactLine(lastReply, secrets) : undefined,
      error: redactDecoded(decoded, secrets),
    };
  } finally {
    clearTimeout(timer);
    // A connection a failure (or the deadline) left behind is never reused: its state is unknown.
    if (on.current) discard(on.current);
  }
}

/** One SMTP connection and what the messages after the first need to know about it. */
type PooledSmtp = {
  conn: SMTPConnection;
  /** Where the transaction log goes: the transcript of the message currently on the connection. */
  sink: { lines: string[] };
  tls: SmtpTlsInfo | null;
  extensions: string[];
  /** Messages accepted on it so far. */
  uses: number;
  /** A message is running on it (an "end" then fails that message; when idle it only leaves the cache). */
  busy: boolean;
  /** Rejects the stage that is waiting, when there is one. */
  fail: ((err: unknown) => void) | null;
  closed: boolean;
  /** Called when the connection ends or fails while it sits in a cache. */
  onGone: (() => void) | null;
};

function discard(c: PooledSmtp): void {
  c.busy = false;
  c.fail = null;
  c.onGone?.();
  if (c.closed) return;
  c.closed = true;
  try {
    c.conn.close();
  } catch {
    // already closed
  }
}

function newConnection(req: SmtpSendRequest, lines: string[]): PooledSmtp {
  const sink = { lines };
  const conn = new SMTPConnection({
    host: req.host,
    port: req.port,
    secure: req.security === "tls",
    // STARTTLS is mandatory on a plain-text start: nodemailer fails with ETLS instead of
    // continuing in clear text when the server does not offer or accept it.
    requireTLS: req.security === "starttls",
    ignoreTLS: false,
    opportunisticTLS: false,
    name: req.clientName,
    connectionTimeout: req.timeouts.connectMs,
    greetingTimeout: req.timeouts.greetingMs,
    socketTimeout: req.timeouts.socketMs,
    socketCloseTimeout: 1000,
    logger: transcriptLogger(sink),
    // Commands and replies only; message data is never logged (bodies stay out of the transcript).
    transactionLog: true,
    debug: false,
    tls: { servername: isIp(req.host) ? undefined : req.host, minVersion: "TLSv1.2" },
    customAuth:
      req.auth.type === "xoauth2"
        ? {
            XOAUTH2: xoauth2Handler(req.auth.user, req.auth.accessToken, sink),
          }
        : undefined,
  });
  const c: PooledSmtp = { conn, sink, tls: null, extensions: [], uses: 0, busy: true, fail: null, closed: false, onGone: null };
  conn.on("error", (err: Error) => {
    if (c.busy) c.fail?.(err);
    else discard(c);
  });
  conn.on("end", () => {
    c.closed = true;
    if (!c.busy) {
      c.onGone?.();
      return;
    }
    // A server that answers 421 (or any error) and hangs up: its last reply says why.
    const last = [...c.sink.lines].reverse().find((l) => l.startsWith("S: "))?.slice(3);
    if (last && /^[45]\d\d[ -]/.test(last)) c.fail?.(Object.assign(new Error(`Connection closed after: ${last}`), { code: "EPROTOCOL", response: last, responseCode: Number(last.slice(0, 3)) }));
    else c.fail?.(Object.assign(new Error("Connection closed unexpectedly"), { code: "ECONNECTION" }));
  });
  return c;
}

/** Which cached connections a message may use: same server, client name, user and credential. */
function connectionKey(req: SmtpSendRequest): string {
  const secret = req.auth.type === "xoauth2" ? req.auth.accessToken : req.auth.password;
  // The credential only as a hash: a key can be logged or inspected without revealing it.
  return `${serverKey(req)}|${createHash("sha256").update(secret).digest("base64url")}`;
}

function serverKey(req: SmtpSendRequest): string {
  return `${req.security}|${req.host.toLowerCase()}|${req.port}|${req.clientName ?? ""}|${req.auth.type}|${req.auth.user.toLowerCase()}`;
}

export type SmtpConnectionCacheOptions = {
  /** Messages per connection before it is closed with QUIT (default 100). */
  maxMessagesPerConnection?: number;
  /** An idle connection is closed with QUIT after this long (default 5 s). */
  idleMs?: number;
};

/**
 * Upstream connection reuse (what Postfix calls connection caching) for a caller that sends many
 * messages through the same server as the same user, like the relay worker: an authenticated
 * connection is kept after a message and the next message with the same server, user and
 * credential (the XOAUTH2 token: it authenticates a connection, so a new token means a new
 * connection) goes over it after RSET. At most `maxMessagesPerConnection` messages per
 * connection, idle ones closed with QUIT after `idleMs`; a connection that failed in any way is
 * never put back. The cache holds only idle connections: how many run at once is the caller's
 * limit (the relay's per-profile concurrency), since a new one is opened only when no idle one is there.
 */
export class SmtpConnectionCache {
  private readonly idle = new Map<string, PooledSmtp[]>();
  private readonly maxMessages: number;
  private readonly idleMs: number;
  private closing = false;
  /** Connections opened and messages sent over a reused connection, for status and tests. */
  readonly stats = { opened: 0, reused: 0 };

  constructor(options: SmtpConnectionCacheOptions = {}) {
    this.maxMessages = options.maxMessagesPerConnection ?? 100;
    this.idleMs = options.idleMs ?? 5_000;
  }

  /** Idle connections held now. */
  get size(): number {
    let n = 0;
    for (const list of this.idle.values()) n += list.length;
    return n;
  }

  /** @internal An idle connection for `key`; idle ones of the same server and user with another credential are closed. */
  take(key: string): PooledSmtp | undefined {
    const server = key.slice(0, key.lastIndexOf("|"));
    for (const [k, list] of this.idle) {
      if (k !== key && k.slice(0, k.lastIndexOf("|")) === server) for (const c of [...list]) this.quit(c);
    }
    const c = this.idle.get(key)?.pop();
    if (!c) return undefined;
    c.onGone = null;
    if (this.idle.get(key)?.length === 0) this.idle.delete(key);
    this.stats.reused++;
    return c;
  }

  /** @internal Keeps a connection that just delivered a message; false when it must be closed instead. */
  put(c: PooledSmtp, key: string): boolean {
    if (this.closing || c.closed || c.uses >= this.maxMessages) return false;
    const list = this.idle.get(key) ?? [];
    list.push(c);
    this.idle.set(key, list);
    const timer = setTimeout(() => this.quit(c), this.idleMs);
    timer.unref?.();
    c.onGone = () => {
      clearTimeout(timer);
      c.onGone = null;
      const l = this.idle.get(key);
      if (!l) return;
      const i = l.indexOf(c);
      if (i >= 0) l.splice(i, 1);
      if (!l.length) this.idle.delete(key);
    };
    return true;
  }

  /** Closes every idle connection with QUIT and keeps none from now on (graceful stop). */
  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.idle.values()].flat();
    await Promise.all(
      all.map(
        (c) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => {
              discard(c);
              resolve();
            }, 2_000);
            c.conn.once("end", () => {
              clearTimeout(t);
              resolve();
            });
            this.quit(c);
            if (c.closed) {
              clearTimeout(t);
              resolve();
            }
          }),
      ),
    );
  }

  private quit(c: PooledSmtp): void {
    c.onGone?.();
    if (c.closed) return;
    try {
      c.conn.quit();
    } catch {
      discard(c);
    }
  }
}


function timeoutFor(error: unknown, t: SmtpTimeouts, overallMs: number): number | undefined {
  const type = (error as { timeoutType?: string } | null)?.timeoutType;
  if (type === "CONNECTION_TIMEOUT") return t.connectMs;
  if (type === "GREETING_TIMEOUT") return t.greetingMs;
  if (type === "SOCKET_TIMEOUT") return t.socketMs;
  if (type === "OVERALL") return overallMs;
  return undefined;
}

/**
 * XOAUTH2 as Microsoft and Google speak it: AUTH XOAUTH2 <initial response>; a 334 carries a
 * base64 JSON error (Google) that the client acknowledges with an empty line before the final
 * 535. The JSON (status, schemes, scope; nothing secret) goes into the transcript.
 */
function xoauth2Handler(user: string, accessToken: string, sink: { lines: string[] }) {
  return async (ctx: { sendCommand(cmd: string): Promise<{ status: number; response: string }> }) => {
    let reply = await ctx.sendCommand(`AUTH XOAUTH2 ${buildXoauth2(user, accessToken)}`);
    if (reply.status === 334) {
      const payload = reply.response.replace(/^334\s*/, "");
      try {
        const json = Buffer.from(payload, "base64").toString("utf8");
        if (json.trim().startsWith("{")) sink.lines.push(`* XOAUTH2 error challenge: ${json.trim()}`);
      } catch {
        // not base64: nothing to add
      }
      reply = await ctx.sendCommand("");
    }
    if (reply.status !== 235) {
      throw Object.assign(new Error(`Invalid login: ${reply.response}`), { response: reply.response, responseCode: reply.status });
    }
  };
}

/** Redacts one line of server text (a reply, an error summary) with the same rules as transcripts. */
function redactLine(text: string, secrets: string[]): string {
  return redactTranscript([`* ${text}`], { secrets })[0].slice(2);
}

function redactDecoded(d: DecodedMailError, secrets: string[]): DecodedMailError {
  return { ...d, summary: redactLine(d.summary, secrets), cause: redactLine(d.cause, secrets), remoteReply: d.remoteReply === undefined ? undefined : redactLine(d.remoteReply, secrets) };
}

/** The SASL mechanisms of an EHLO reply's AUTH line(s), upper case, in the server's order. */
function authMechanisms(extensions: string[]): string[] {
  return [...new Set(extensions.filter((l) => /^AUTH[ =]/i.test(l)).flatMap((l) => l.slice(5).trim().split(/[\s=]+/).filter(Boolean).map((m) => m.toUpperCase())))];
}

/** Extensions from the last EHLO reply in the transcript (after STARTTLS they may differ). */
function lastEhloExtensions(lines: string[]): string[] {
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^C: EHLO\b/i.test(lines[i])) {
      start = i;
      break;
    }
  }
  if (start < 0) return [];
  const out: string[] = [];
  for (let i = start + 1; i < lines.length && lines[i].startsWith("S: 250"); i++) out.push(lines[i].slice(7).trim());
  return out.slice(1);
}

function tlsInfoOf(conn: SMTPConnection): SmtpTlsInfo | null {
  const sock = conn._socket as unknown as { encrypted?: boolean; getProtocol?: () => string | null; getCipher?: () => { name?: string } | undefined; authorized?: boolean } | null | false;
  if (!sock || !sock.encrypted) return null;
  return { protocol: sock.getProtocol?.() ?? null, cipher: sock.getCipher?.()?.name ?? null, authorized: sock.authorized ?? false };
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}
