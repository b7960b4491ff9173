import { ImapFlow, type ImapFlowOptions } from "imapflow";
import { decodeImapError, type DecodedMailError } from "./errors";
import { progressSink } from "./progress";
import { redactTranscript } from "../redact";

/**
 * One IMAP check with XOAUTH2: connect (TLS 993 by default, STARTTLS required otherwise),
 * authenticate, list mailboxes, INBOX message count, newest message's subject and date, log out.
 * A leaf: plain values in, an outcome out; never throws for a remote failure, never returns a
 * secret, and always closes the client (imapflow keeps the process alive after a failed connect
 * unless close() is called).
 */

export type ImapSecurity = "tls" | "starttls";

export type ImapStage = "connecting" | "authenticating" | "listing" | "inbox" | "done";

export type ImapProgress = { stage: ImapStage; message: string };

export type ImapTestRequest = {
  host: string;
  port: number;
  security: ImapSecurity;
  user: string;
  accessToken: string;
  timeoutMs: number;
  /** Profile kind, so the decoded hints fit (app vs delegated, Google vs Microsoft). */
  kind?: string;
  onProgress?: (p: ImapProgress) => void;
};

export type ImapMailbox = { path: string; specialUse?: string };

export type ImapTestSuccess = {
  ok: true;
  mailboxes: ImapMailbox[];
  inboxCount: number;
  newest: { subject: string; date: string | null; from?: string } | null;
  capabilities: string[];
  durationMs: number;
  transcript: string[];
};

export type ImapTestFailure = { ok: false; stage: ImapStage; error: DecodedMailError; durationMs: number; transcript: string[] };

export type ImapTestOutcome = ImapTestSuccess | ImapTestFailure;

const MAX_TRANSCRIPT_LINES = 400;

type ImapLogEntry = { src?: string; msg?: string; err?: { message?: string } };

function transcriptLogger(lines: string[], onAuth: () => void) {
  const push = (entry: unknown) => {
    if (lines.length >= MAX_TRANSCRIPT_LINES) return;
    const e = (entry && typeof entry === "object" ? entry : { msg: String(entry) }) as ImapLogEntry;
    const text = e.msg ?? e.err?.message;
    if (!text) return;
    const prefix = e.src === "c" ? "C: " : e.src === "s" ? "S: " : "* ";
    if (e.src === "c" && /^\S+\s+AUTHENTICATE\b/i.test(text)) onAuth();
    for (const line of String(text).split(/\r?\n/)) if (line) lines.push(`${prefix}${line}`);
    if (lines.length === MAX_TRANSCRIPT_LINES) lines.push("* [transcript truncated]");
  };
  return { debug: push, info: push, warn: push, error: push };
}

const STAGE_TEXT: Record<ImapStage, (r: ImapTestRequest) => string> = {
  connecting: (r) => `Connecting to ${r.host}:${r.port} (${r.security === "tls" ? "TLS" : "STARTTLS required"})`,
  authenticating: (r) => `Authenticating as ${r.user} (XOAUTH2)`,
  listing: () => "Listing mailboxes",
  inbox: () => "Reading INBOX",
  done: () => "IMAP test finished",
};

/**
 * An imapflow client with XOAUTH2 as the console uses it everywhere: TLS 1.2+, STARTTLS mandatory
 * on a plain start (no silent fall-back to clear text), SNI unless the host is an IP, no IDLE,
 * one timeout for connect/greeting/socket, and an "error" listener (without one a socket failure
 * after connect would throw in Node).
 */
export function createImapClient(req: Pick<ImapTestRequest, "host" | "port" | "security" | "user" | "accessToken" | "timeoutMs">, logger: ImapFlowOptions["logger"]): ImapFlow {
  const client = new ImapFlow({
    host: req.host,
    port: req.port,
    secure: req.security === "tls",
    doSTARTTLS: req.security === "starttls" ? true : undefined,
    servername: /^\d{1,3}(\.\d{1,3}){3}$/.test(req.host) ? undefined : req.host,
    auth: { user: req.user, accessToken: req.accessToken },
    logger,
    clientInfo: { name: "OAuth Mail Console", vendor: "OAuth Mail Console" },
    disableAutoIdle: true,
    disableCompression: true,
    connectionTimeout: req.timeoutMs,
    greetingTimeout: req.timeoutMs,
    socketTimeout: req.timeoutMs,
    tls: { minVersion: "TLSv1.2" },
  });
  client.on("error", () => undefined);
  return client;
}

export async function testImapMailbox(req: ImapTestRequest): Promise<ImapTestOutcome> {
  const started = Date.now();
  const raw: string[] = [];
  const secrets = [req.accessToken, Buffer.from(`user=${req.user}\x01auth=Bearer ${req.accessToken}\x01\x01`).toString("base64")];
  const state: { stage: ImapStage } = { stage: "connecting" };
  const report = progressSink(req.onProgress, started);
  const progress = (s: ImapStage) => {
    if (state.stage === s) return;
    state.stage = s;
    report(s, STAGE_TEXT[s](req));
  };
  report("connecting", STAGE_TEXT.connecting(req));

  const client = createImapClient(req, transcriptLogger(raw, () => progress("authenticating")));

  const run = async (): Promise<ImapTestSuccess> => {
    await client.connect();
    progress("listing");
    const list = await client.list();
    progress("inbox");
    const box = await client.mailboxOpen("INBOX", { readOnly: true });
    const inboxCount = box.exists;
    let newest: ImapTestSuccess["newest"] = null;
    if (inboxCount > 0) {
      // The highest sequence number is the most recently arrived message.
      const msg = await client.fetchOne(String(inboxCount), { envelope: true, internalDate: true });
      if (msg) {
        const date = msg.envelope?.date ?? msg.internalDate;
        newest = {
          subject: msg.envelope?.subject ?? "(no subject)",
          date: date ? new Date(date).toISOString() : null,
          from: msg.envelope?.from?.[0]?.address,
        };
      }
    }
    await client.logout();
    progress("done");
    return {
      ok: true,
      mailboxes: list.map((m) => ({ path: m.path, ...(m.specialUse ? { specialUse: m.specialUse } : {}) })),
      inboxCount,
      newest,
      capabilities: [...(client.capabilities?.keys?.() ?? [])].filter((c): c is string => typeof c === "string"),
      durationMs: Date.now() - started,
      transcript: redactTranscript(raw, { secrets }),
    };
  };

  let timer: NodeJS.Timeout | undefined;
  const overallMs = req.timeoutMs * 3;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`No answer within ${Math.round(overallMs / 1000)} s`), { code: "ETIMEDOUT" })), overallMs);
  });
  try {
    return await Promise.race([run(), deadline]);
  } catch (error) {
    const decoded = decodeImapError(error, { host: req.host, port: req.port, user: req.user, security: req.security, stage: state.stage, timeoutMs: req.timeoutMs, kind: req.kind });
    raw.push(`* failed during ${state.stage}: ${decoded.summary}`);
    const clean = (t: string) => redactTranscript([`* ${t}`], { secrets })[0].slice(2);
    return {
      ok: false,
      stage: state.stage,
      durationMs: Date.now() - started,
      transcript: redactTranscript(raw, { secrets }),
      error: { ...decoded, summary: clean(decoded.summary), cause: clean(decoded.cause), remoteReply: decoded.remoteReply === undefined ? undefined : clean(decoded.remoteReply) },
    };
  } finally {
    clearTimeout(timer);
    try {
      client.close();
    } catch {
      // already closed
    }
  }
}
