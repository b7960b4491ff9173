import "server-only";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { AppError } from "../errors";
import type { Actor } from "../auth/actor";
import type { ProfileDto } from "../profiles/dal";
import type { ProfileSecrets, ProfileSettings, ProfileSettingsOf } from "../profiles/schema";
import { getConsoleSettings } from "../settings/dal";
import { getAccessToken, invalidateToken, type CachedToken, type TokenPurpose } from "../tokens";
import { decodeTokenFailure, isTransientMailError, type DecodedMailError } from "./errors";
import { sendGraphMail, sendGraphRawMime, type GraphAttachment, type GraphSendOutcome } from "./graph";
import { testImapMailbox, type ImapMailbox, type ImapSecurity, type ImapStage } from "./imap";
import { attachmentBytes, isStoredAttachment, type DeliverableTestMessage } from "./message";
import { progressSink, type Progress, type ProgressListener } from "./progress";
import { redactTranscript, truncateBody } from "../redact";
import { rawMessageId, sendSmtp, type RawMime, type SmtpAuth, type SmtpConnectionCache, type SmtpSendOutcome, type SmtpTimeouts } from "./smtp";
import { imapTargetOf, sendTargetOf, type ImapTarget, type SmtpTarget } from "./targets";

/**
 * # The delivery pipeline — every message and every mailbox check of a profile goes through here
 *
 * ```ts
 * const { profile, secrets } = await loadProfileWithSecrets(actor, profileId);
 * const r = await deliver({ actor, profile, secrets, message, onProgress });      // send
 * const c = await checkImap({ actor, profile, secrets, onProgress });            // IMAP check
 * ```
 * - `message` is an {@link OutgoingMessage}: `{ type: "test", message }` (a composed test message,
 *   lib/mail/message.ts) or `{ type: "raw", envelope: { from, to }, mime: { bytes } | { path } }`
 *   (relay: the received MIME is sent as is, its Message-ID and headers untouched; `path` for
 *   large messages, streamed from disk). Raw MIME works over SMTP (XOAUTH2 and basic) and
 *   log-only; Graph raw goes to `sendGraphRawMime` in lib/mail/graph.ts.
 * - Steps: target (lib/mail/targets.ts: the one kind → transport/identity map) → token (cache,
 *   lib/tokens) → transport (SMTP / Graph / log-only / IMAP) → on a rejected token: drop it,
 *   fetch a fresh one, retry once (delegated SMTP first retries as the login user, as iMail does)
 *   → redacted transcript → decoded result.
 * - Never throws for a remote failure: `ok: false` with `error` ({@link DeliveryError}: code,
 *   cause, fix, the server's reply, `transient` + `retryAfterSeconds`). `transient` says whether
 *   the same delivery may succeed later unchanged (SMTP 4xx, network, timeouts, IdP outage,
 *   Graph 429/5xx) — the relay queue and the scheduler retry on it, and nothing else.
 * - SMTP recipients are reported one by one (`recipients`): a server that refuses some gives
 *   `outcome: "partial"` (ok: false) with each refused address and its reply.
 * - Throws AppError only when the profile cannot do it at all (unsupported kind, no password).
 * - Records nothing: callers log (send test, relay, monitor) — see lib/mail/test-outcome.ts.
 * - `onProgress` may throw or be slow-free: it is wrapped (lib/mail/progress.ts).
 */

// ---------------------------------------------------------------------------------------------
// Types

export type SendStage = "preparing" | "token" | "connecting" | "authenticating" | "sending" | "retrying" | "throttled" | "done" | "failed";
export type CheckStage = ImapStage | "token" | "retrying" | "failed";

/** A composed test message, or MIME bytes as received with the envelope to deliver them to. */
export type OutgoingMessage =
  | { type: "test"; message: DeliverableTestMessage; /** Extra single-line headers (X-…). */ headers?: Record<string, string> }
  | { type: "raw"; envelope: { from: string; to: string[] }; mime: RawMime };

export type { RawMime };

/** A decoded failure: what happened, why, what to do, and whether retrying later can help. */
export type DeliveryError = {
  /** Decoded error code (e.g. "smtp.535.5.7.3", "tls.untrusted-ca", "graph.429", "token.AADSTS7000215"). */
  code: string;
  message: string;
  cause: string;
  fix: string;
  remoteReply?: string;
  /** Retry later unchanged (SMTP 4xx, network, timeouts, IdP outage, Graph 429/5xx); false = needs a change first. */
  transient: boolean;
  /** Seconds the remote asked to wait (Retry-After), when it said so. */
  retryAfterSeconds?: number;
  /** "token": no token could be had (the token layer already logged it and set the profile's health); "transport": the mail server or Graph. */
  origin: "token" | "transport";
};

export type DeliveryAttempt = {
  transport: "smtp" | "graph";
  authUser: string;
  from: string;
  tokenSource?: CachedToken["source"];
  ok: boolean;
  reply?: string;
  errorCode?: string;
};

/** What the server said about one envelope recipient (SMTP). */
export type RecipientOutcome = { address: string; accepted: boolean; reply?: string; transient?: boolean };

export type DeliveryResult = {
  ok: boolean;
  /** delivered: accepted for every recipient; partial: some refused (see `recipients`); logged: log-only; failed: nothing sent. */
  outcome: "delivered" | "partial" | "logged" | "failed";
  profileId: string;
  profileName: string;
  kind: ProfileSettings["kind"];
  transport: "smtp" | "graph" | "log-only";
  /** One line for the result header: "Accepted by 127.0.0.1:587: 250 2.0.0 OK …". */
  summary: string;
  /** The server's final reply (SMTP) or status line (Graph), redacted. */
  remoteReply?: string;
  messageId?: string;
  /** Message-ID the server assigned (Exchange replaces ours). */
  serverMessageId?: string;
  /** Graph only: the request-id of the sendMail call (what Microsoft support asks for); Graph returns no Message-ID. */
  requestId?: string;
  durationMs: number;
  from: string;
  authUser?: string;
  to: string[];
  cc: string[];
  bcc: string[];
  accepted?: string[];
  rejected?: string[];
  /** SMTP: every envelope recipient with the server's answer (refused ones carry the reply). */
  recipients?: RecipientOutcome[];
  attempts: DeliveryAttempt[];
  /** True when SMTP auth as the From address failed and the send was retried as the login user. */
  fallbackToLoginUser: boolean;
  /** True when the server rejected the token and a fresh one was fetched for a second try. */
  tokenRefreshed: boolean;
  receipts: { read: boolean; delivery: "requested" | "not-offered" | "not-requested" };
  error?: DeliveryError;
  /** Redacted transcript of every attempt. */
  transcript: string;
};

export type DeliveryInput = {
  actor: Actor;
  profile: ProfileDto;
  secrets: ProfileSecrets;
  message: OutgoingMessage;
  onProgress?: ProgressListener<SendStage>;
  /**
   * SMTP only: reuse authenticated upstream connections from this cache (the relay worker). The
   * send test passes none, so each test has its own connection and its transcript the whole session.
   */
  connections?: SmtpConnectionCache;
};

export type ImapCheckResult = {
  ok: boolean;
  profileId: string;
  profileName: string;
  kind: ProfileSettings["kind"];
  host: string;
  port: number;
  security: ImapSecurity;
  user: string;
  summary: string;
  durationMs: number;
  mailboxes?: ImapMailbox[];
  inboxCount?: number;
  newest?: { subject: string; date: string | null; from?: string } | null;
  tokenRefreshed: boolean;
  error?: DeliveryError;
  transcript: string;
};

export type ImapCheckInput = { actor: Actor; profile: ProfileDto; secrets: ProfileSecrets; onProgress?: ProgressListener<CheckStage> };

// ---------------------------------------------------------------------------------------------
// Shared run state: transcript lines, secrets to scrub, progress, the token retry loop

type Run<S extends string> = {
  actor: Actor;
  profile: ProfileDto;
  started: number;
  lines: string[];
  /** Every secret value this run could touch; the final transcript is scrubbed of all of them. */
  secretValues: Set<string>;
  progress: (stage: S, message: string) => void;
  tokenRefreshed: boolean;
};

function newRun<S extends string>(actor: Actor, profile: ProfileDto, secrets: ProfileSecrets, listener: ProgressListener<S> | undefined): Run<S> {
  const started = Date.now();
  return {
    actor,
    profile,
    started,
    lines: [],
    secretValues: new Set(Object.values(secrets).filter((v): v is string => typeof v === "string")),
    progress: progressSink(listener, started),
    tokenRefreshed: false,
  };
}

/** A decoded transport failure as the result reports it. */
export function toDeliveryError(d: DecodedMailError): DeliveryError {
  return { code: d.code, message: d.summary, cause: d.cause, fix: d.fix, remoteReply: d.remoteReply, transient: isTransientMailError(d), origin: "transport", ...(d.retryAfterSeconds !== undefined ? { retryAfterSeconds: d.retryAfterSeconds } : {}) };
}

async function fetchToken(run: Run<never>, purpose: TokenPurpose, forceRefresh: boolean): Promise<CachedToken> {
  const token = await getAccessToken(run.actor, run.profile.id, { purpose, forceRefresh });
  run.secretValues.add(token.accessToken);
  if (token.refreshToken) run.secretValues.add(token.refreshToken);
  const c = token.claims;
  const facts = [c.aud ? `aud ${c.aud}` : "", c.scp ? `scp ${c.scp}` : "", c.roles?.length ? `roles ${c.roles.join(" ")}` : ""].filter(Boolean).join(", ");
  run.lines.push(`* token: ${token.source === "cache" ? "from cache" : "newly acquired"}, expires ${token.expiresAt.toISOString()}${facts ? `, ${facts}` : ""}`);
  if (token.source === "new" && token.transcript?.length) for (const l of token.transcript) run.lines.push(`* token http: ${l}`);
  return token;
}

type TransportOutcome = { ok: true } | { ok: false; error: DecodedMailError };

type TokenLoop<O> = { type: "done"; outcome: O } | { type: "token-failed"; error: DeliveryError };

/**
 * THE token-retry loop: get a token (OAuth only), run the transport, and when the server
 * rejects the token drop it from the cache and run once more with a fresh one. `beforeRefresh`
 * may handle a rejection another way first (delegated SMTP: retry as the login user) and
 * returns true when it did.
 */
async function withToken<O extends TransportOutcome>(
  run: Run<"token" | "retrying">,
  opts: { purpose: TokenPurpose; oauth: boolean; server: string; tokenMessage?: string; beforeRefresh?: (failed: O & { ok: false }) => boolean },
  attempt: (token: CachedToken | undefined, n: number) => Promise<O>,
): Promise<TokenLoop<O>> {
  let token: CachedToken | undefined;
  if (opts.oauth) {
    run.progress("token", opts.tokenMessage ?? "Getting an access token");
    try {
      token = await fetchToken(run, opts.purpose, false);
    } catch (error) {
      return tokenFailed(run, error);
    }
  }
  for (let n = 1; ; n++) {
    if (n > 1) run.lines.push(`* --- attempt ${n} ---`);
    const outcome = await attempt(token, n);
    if (outcome.ok || !outcome.error.tokenRejected || !token) return { type: "done", outcome };
    const failed = outcome as O & { ok: false };
    if (opts.beforeRefresh?.(failed)) continue;
    if (run.tokenRefreshed) return { type: "done", outcome };
    const note = `${opts.server} rejected the token (${failed.error.remoteReply ?? failed.error.code}); dropping it from the cache and retrying once with a fresh token`;
    run.lines.push(`* ${note}`);
    run.progress("retrying", note);
    run.tokenRefreshed = true;
    try {
      await invalidateToken(run.actor, run.profile.id, opts.purpose, token.accessToken);
      token = await fetchToken(run, opts.purpose, true);
    } catch (error) {
      return tokenFailed(run, error);
    }
  }
}

function tokenFailed(run: Run<never>, error: unknown): { type: "token-failed"; error: DeliveryError } {
  const e = decodeTokenFailure(error);
  run.lines.push(`* ${e.message}`);
  return { type: "token-failed", error: e };
}

// ---------------------------------------------------------------------------------------------
// deliver

export async function deliver(input: DeliveryInput): Promise<DeliveryResult> {
  const { actor, profile, secrets, message } = input;
  const run = newRun<SendStage>(actor, profile, secrets, input.onProgress);
  const settings = profile.settings;
  const target = sendTargetOf(settings);
  if (target.transport === null) throw new AppError("unsupported", `Profile "${profile.name}": ${target.reason}`, { hint: "Edit the profile and enable SMTP, or use it for IMAP only." });

  if (target.missing && !(message.type === "raw" ? message.envelope.from : message.message.from)) {
    const { field, label } = target.missing;
    throw new AppError("invalid_input", `${label} is not set on profile "${profile.name}": enter a From address for the test (it is used as the ${field === "mailbox" ? "XOAUTH2 user" : "Graph mailbox"}), or set ${label} on the profile.`, {
      field: `settings.${field}`,
      hint: `Edit the profile and set ${label}, or pass --from.`,
    });
  }

  run.progress("preparing", message.type === "raw" ? `Preparing to deliver a message through profile "${profile.name}"` : `Preparing a test message from profile "${profile.name}"`);
  let result: DeliveryResult;
  if (target.transport === "log-only") {
    result = logOnly(run, settings as ProfileSettingsOf<"log-only">, message);
  } else if (target.transport === "graph") {
    const consoleSettings = await getConsoleSettings();
    result = await viaGraph(run, { settings: settings as ProfileSettingsOf<"m365-app-graph">, message, timeoutMs: consoleSettings.httpTimeoutSeconds * 1000 });
  } else {
    if (!target.oauth && !secrets.password) throw new AppError("invalid_input", "Password is not set on this profile.", { field: "secrets.password", hint: "Edit the profile and enter the password." });
    if (message.type === "test" && !(message.message.from ?? target.defaultFrom)) throw new AppError("invalid_input", "This profile has no From address and its user name is not an email address.", { field: "settings.fromAddress", hint: "Set a From address on the profile, or pass --from." });
    const c = await getConsoleSettings();
    const timeouts = { connectMs: c.smtpConnectTimeoutSeconds * 1000, greetingMs: c.smtpGreetingTimeoutSeconds * 1000, socketMs: c.smtpSocketTimeoutSeconds * 1000 };
    result = await viaSmtp(run, { target, message, password: secrets.password, timeouts, connections: input.connections });
  }

  result.transcript = redactTranscript(run.lines, { secrets: run.secretValues, maxBodyChars: target.transport === "log-only" ? 100_000 : undefined }).join("\n");
  run.progress(result.ok ? "done" : "failed", result.summary);
  return result;
}

function baseResult(run: Run<never>, transport: DeliveryResult["transport"], message: OutgoingMessage, from: string): Omit<DeliveryResult, "ok" | "outcome" | "summary" | "durationMs"> {
  const m = message.type === "test" ? message.message : undefined;
  return {
    profileId: run.profile.id,
    profileName: run.profile.name,
    kind: run.profile.kind,
    transport,
    from,
    to: m ? m.to : message.type === "raw" ? message.envelope.to : [],
    cc: m?.cc ?? [],
    bcc: m?.bcc ?? [],
    attempts: [],
    fallbackToLoginUser: false,
    tokenRefreshed: false,
    receipts: { read: Boolean(m?.readReceipt), delivery: m?.deliveryReceipt ? "requested" : "not-requested" },
    transcript: "",
  };
}

function failed(run: Run<never>, out: Omit<DeliveryResult, "ok" | "outcome" | "summary" | "durationMs">, error: DeliveryError, extra: Partial<DeliveryResult> = {}): DeliveryResult {
  return { ...out, ...extra, tokenRefreshed: run.tokenRefreshed, ok: false, outcome: "failed", summary: error.message, error, durationMs: Date.now() - run.started };
}

// ---------------------------------------------------------------------------------------------
// SMTP (XOAUTH2 and basic)

/** What an SMTP delivery needs besides the run: where and as whom (target), what, and how long to wait. */
type SmtpDelivery = { target: SmtpTarget; message: OutgoingMessage; /** Basic auth only. */ password?: string; timeouts: SmtpTimeouts; connections?: SmtpConnectionCache };

async function viaSmtp(run: Run<SendStage>, { target, message, password, timeouts, connections }: SmtpDelivery): Promise<DeliveryResult> {
  const s = run.profile.settings;
  const test = message.type === "test" ? message.message : undefined;
  const requestedFrom = message.type === "raw" ? message.envelope.from : (message.message.from ?? target.defaultFrom);
  const out = baseResult(run, "smtp", message, requestedFrom);
  const senderField = "senderAddress" in s ? s.senderAddress : undefined;
  const replyTo = "replyTo" in s ? s.replyTo : undefined;
  // A streamed upload is read from its temp file by a fresh stream per attempt (a retry composes again).
  const attachments = () => test?.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: isStoredAttachment(a) ? fs.createReadStream(a.path) : Buffer.from(a.contentBase64, "base64") })) ?? [];
  const headers = message.type === "test" ? { ...(message.headers ?? {}), "X-OMC-Test-Id": randomUUID() } : undefined;

  // Delegated (iMail): authenticate as the From address first when it differs from the login user.
  // A raw message keeps its From, so it authenticates as the profile's identity straight away.
  const login = target.loginUser;
  let authUser = test && login && requestedFrom.toLowerCase() !== login.toLowerCase() ? requestedFrom : target.authUser || requestedFrom;
  let from = requestedFrom;

  const loop = await withToken<SmtpSendOutcome>(
    run,
    {
      purpose: "smtp",
      oauth: target.oauth,
      server: "The server",
      beforeRefresh: (o) => {
        if (!test || !login || out.fallbackToLoginUser || authUser.toLowerCase() === login.toLowerCase()) return false;
        // iMail: "SMTP authentication failed … Retrying with login user"; From follows the login user.
        const note = `SMTP authentication as ${authUser} failed (${o.error.remoteReply ?? o.error.code}); retrying with login user ${login}`;
        run.lines.push(`* ${note}`);
        run.progress("retrying", note);
        out.fallbackToLoginUser = true;
        authUser = login;
        from = login;
        return true;
      },
    },
    async (token) => {
      const auth: SmtpAuth = token ? { type: "xoauth2", user: authUser, accessToken: token.accessToken } : { type: "basic", user: authUser, password: password ?? "" };
      const outcome = await sendSmtp({
        host: target.server.host,
        port: target.server.port,
        security: target.server.security,
        auth,
        message:
          message.type === "raw"
            ? { envelope: message.envelope, raw: message.mime }
            : {
                from,
                sender: senderField,
                replyTo,
                to: message.message.to,
                cc: message.message.cc,
                bcc: message.message.bcc,
                subject: message.message.subject,
                body: message.message.body,
                html: message.message.html,
                attachments: attachments(),
                readReceipt: message.message.readReceipt,
                deliveryReceipt: message.message.deliveryReceipt,
                headers,
              },
        timeouts,
        connections,
        kind: run.profile.kind,
        extraSecrets: [...run.secretValues],
        onProgress: (p) => run.progress(p.stage === "done" ? "sending" : p.stage, p.message),
      });
      run.lines.push(...outcome.transcript);
      out.attempts.push({ transport: "smtp", authUser, from, tokenSource: token?.source, ok: outcome.ok, reply: outcome.ok ? outcome.response : outcome.error.remoteReply, errorCode: outcome.ok ? undefined : outcome.error.code });
      return outcome;
    },
  );
  out.from = from;
  out.authUser = authUser;
  if (loop.type === "token-failed") return failed(run, out, loop.error);

  const res = loop.outcome;
  if (!res.ok) return failed(run, out, toDeliveryError(res.error), { remoteReply: res.error.remoteReply ?? res.lastReply });

  if (test?.deliveryReceipt && !res.dsn.offered) out.receipts.delivery = "not-offered";
  const refused = new Map(res.rejectedReplies.map((r) => [r.address.toLowerCase(), r.reply]));
  const recipients: RecipientOutcome[] = [
    ...res.accepted.map((address) => ({ address, accepted: true })),
    ...res.rejected.map((address) => {
      const reply = refused.get(address.toLowerCase());
      return { address, accepted: false, reply, transient: reply ? /^4/.test(reply.trim()) : false };
    }),
  ];
  const where = `${target.server.host}:${target.server.port}`;
  const common = { remoteReply: res.response, messageId: res.messageId, serverMessageId: res.serverMessageId, accepted: res.accepted, rejected: res.rejected, recipients, tokenRefreshed: run.tokenRefreshed, durationMs: Date.now() - run.started };
  if (res.rejected.length === 0) return { ...out, ...common, ok: true, outcome: "delivered", summary: `Accepted by ${where}: ${res.response}` };

  // Some recipients refused: the message went to the others only. Not a success.
  const refusedText = recipients.filter((r) => !r.accepted).map((r) => `${r.address} (${r.reply ?? "refused"})`).join("; ");
  const summary = `Partly delivered: ${where} accepted ${res.accepted.length} of ${recipients.length} recipients and refused ${refusedText}`;
  const error: DeliveryError = {
    code: "smtp.partial",
    message: summary,
    cause: `The server refused ${res.rejected.length} recipient${res.rejected.length === 1 ? "" : "s"} at RCPT TO; the message was sent to the other${res.accepted.length === 1 ? "" : "s"} only.`,
    fix: "Check the refused addresses (5.1.1 = no such mailbox; 4xx = try again later) and send again to those recipients only.",
    remoteReply: recipients.find((r) => !r.accepted)?.reply,
    transient: recipients.filter((r) => !r.accepted).every((r) => r.transient),
    origin: "transport",
  };
  return { ...out, ...common, ok: false, outcome: "partial", summary, error };
}

// ---------------------------------------------------------------------------------------------
// Graph

type GraphDelivery = { settings: ProfileSettingsOf<"m365-app-graph">; message: OutgoingMessage; timeoutMs: number };

async function viaGraph(run: Run<SendStage>, { settings: s, message, timeoutMs }: GraphDelivery): Promise<DeliveryResult> {
  const test = message.type === "test" ? message.message : undefined;
  const given = message.type === "raw" ? message.envelope.from : message.message.from;
  // A profile imported from iMail names no From address: the one given for the test stands in (deliver refuses when neither is set).
  const mailbox = s.fromAddress ?? given ?? "";
  const from = given ?? mailbox;
  const out = baseResult(run, "graph", message, from);
  out.authUser = mailbox;
  const url = s.graphEndpoint.replaceAll("{FROM_ADDRESS}", encodeURIComponent(mailbox));
  const attachments: GraphAttachment[] = test?.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, ...(isStoredAttachment(a) ? { path: a.path } : { contentBase64: a.contentBase64 }), size: attachmentBytes(a) })) ?? [];

  const loop = await withToken<GraphSendOutcome>(run, { purpose: "graph", oauth: true, server: "Graph" }, async (token) => {
    run.progress("sending", `Calling Graph sendMail for ${mailbox}`);
    const onProgress = (p: { stage: "sending" | "throttled" | "done"; message: string }) => run.progress(p.stage === "throttled" ? "throttled" : "sending", p.message);
    const res =
      message.type === "raw"
        ? await sendGraphRawMime({ url, accessToken: token!.accessToken, mailbox, envelope: message.envelope, mime: message.mime, saveToSentItems: s.saveToSentItems, timeoutMs, onProgress })
        : await sendGraphMail({
            url,
            accessToken: token!.accessToken,
            mailbox,
            message: {
              subject: message.message.subject,
              body: message.message.body,
              html: message.message.html,
              to: message.message.to,
              cc: message.message.cc,
              bcc: message.message.bcc,
              from: from.toLowerCase() !== mailbox.toLowerCase() ? from : undefined,
              replyTo: s.replyTo,
              attachments,
              readReceipt: message.message.readReceipt,
              deliveryReceipt: message.message.deliveryReceipt,
            },
            saveToSentItems: s.saveToSentItems,
            timeoutMs,
            onProgress,
          });
    run.lines.push(...res.transcript);
    out.attempts.push({ transport: "graph", authUser: mailbox, from, tokenSource: token!.source, ok: res.ok, reply: res.ok ? res.response : res.error.remoteReply, errorCode: res.ok ? undefined : res.error.code });
    return res;
  });
  if (loop.type === "token-failed") return failed(run, out, loop.error);
  const res = loop.outcome;
  if (!res.ok) return failed(run, out, toDeliveryError(res.error), { remoteReply: res.error.remoteReply, requestId: res.requestId });
  // Graph returns no Message-ID; the request-id identifies the call for Microsoft support.
  return {
    ...out,
    ok: true,
    outcome: "delivered",
    tokenRefreshed: run.tokenRefreshed,
    summary: `${res.response}${s.saveToSentItems ? "; a copy is saved to Sent Items" : ""}`,
    remoteReply: `${res.status}${res.requestId ? ` request-id ${res.requestId}` : ""}`,
    requestId: res.requestId,
    messageId: message.type === "raw" ? rawMessageId(message.mime) || undefined : undefined,
    durationMs: Date.now() - run.started,
  };
}

// ---------------------------------------------------------------------------------------------
// Log only

/** Characters of a raw message kept in the log-only transcript. */
const LOG_ONLY_MAX_CHARS = 100_000;

/**
 * The dummy mail service (as Airlock IAM's): nothing leaves the machine; the whole message goes
 * to the activity log. Attachments of a test message are listed by name, type and size (their
 * bytes would only bloat the log); raw MIME is logged as received, cut at 100,000 characters.
 */
function logOnly(run: Run<SendStage>, s: ProfileSettingsOf<"log-only">, message: OutgoingMessage): DeliveryResult {
  const lines = run.lines;
  lines.push("* log-only profile: the message was not sent; this is what would have been sent");
  if (message.type === "raw") {
    const from = message.envelope.from;
    lines.push(`* envelope: MAIL FROM:<${from}> RCPT TO:${message.envelope.to.map((t) => `<${t}>`).join(",")}`);
    const text = "bytes" in message.mime ? message.mime.bytes.subarray(0, LOG_ONLY_MAX_CHARS + 1).toString("utf8") : readHead(message.mime.path, LOG_ONLY_MAX_CHARS + 1);
    for (const l of truncateBody(text, LOG_ONLY_MAX_CHARS).split(/\r?\n/)) lines.push(`D: ${l}`);
    const out = baseResult(run, "log-only", message, from);
    return { ...out, ok: true, outcome: "logged", summary: "Logged, not sent (log-only profile): the full message is in the activity log", messageId: rawMessageId(message.mime) || undefined, durationMs: Date.now() - run.started };
  }
  const m = message.message;
  const from = m.from ?? s.fromAddress;
  const messageId = `<${randomUUID()}@${from.split("@")[1] ?? "log-only.local"}>`;
  lines.push(`D: Message-ID: ${messageId}`);
  lines.push(`D: Date: ${new Date().toUTCString()}`);
  lines.push(`D: From: ${from}`);
  if (s.replyTo) lines.push(`D: Reply-To: ${s.replyTo}`);
  lines.push(`D: To: ${m.to.join(", ")}`);
  if (m.cc.length) lines.push(`D: Cc: ${m.cc.join(", ")}`);
  if (m.bcc.length) lines.push(`D: Bcc: ${m.bcc.join(", ")}`);
  lines.push(`D: Subject: ${m.subject}`);
  if (m.readReceipt) lines.push(`D: Disposition-Notification-To: ${from}`);
  if (m.deliveryReceipt) lines.push("D: X-Delivery-Receipt: requested (DSN NOTIFY=SUCCESS,FAILURE,DELAY)");
  lines.push(`D: Content-Type: ${m.html ? "text/html" : "text/plain"}; charset=utf-8`);
  for (const a of m.attachments) lines.push(`D: X-Attachment: ${a.filename} (${a.contentType}, ${attachmentBytes(a)} bytes)`);
  lines.push("D: ");
  for (const l of truncateBody(m.body, LOG_ONLY_MAX_CHARS).split(/\r?\n/)) lines.push(`D: ${l}`);
  const out = baseResult(run, "log-only", message, from);
  return { ...out, ok: true, outcome: "logged", summary: "Logged, not sent (log-only profile): the full message is in the activity log", messageId, durationMs: Date.now() - run.started };
}

function readHead(path: string, max: number): string {
  const fd = fs.openSync(path, "r");
  try {
    const buf = Buffer.alloc(max);
    return buf.subarray(0, fs.readSync(fd, buf, 0, max, 0)).toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// IMAP check

/** Where the IMAP check connects: the profile's target, or an error saying why there is none. */
function imapPlan(s: ProfileSettings): ImapTarget {
  const target = imapTargetOf(s);
  if (target) return target;
  switch (s.kind) {
    case "m365-auth-code":
      throw new AppError("unsupported", `Profile "${s.name}" has IMAP switched off.`, { hint: "Edit the profile and enable IMAP." });
    case "m365-app-smtp":
      // Imported from an IBM i JSON file, which names no mailbox: nothing to sign in as yet.
      throw new AppError("invalid_input", `Mailbox (XOAUTH2 user) is not set on profile "${s.name}": the IMAP test signs in as it.`, { field: "settings.mailbox", hint: "Edit the profile and set Mailbox (XOAUTH2 user)." });
    case "oauth2-generic":
      throw new AppError("unsupported", `Profile "${s.name}" has no IMAP host.`, { field: "settings.imapHost", hint: "Set the IMAP host on the profile to test IMAP." });
    case "m365-app-graph":
      throw new AppError("unsupported", "Graph profiles send with Graph sendMail and have no IMAP settings.", { hint: "Test IMAP with an m365-app-smtp profile (IMAP.AccessAsApp) or a delegated profile." });
    default:
      throw new AppError("unsupported", `Profiles of kind ${s.kind} have no IMAP test.`);
  }
}

/**
 * Signs in to the profile's mailbox over IMAP with XOAUTH2, lists mailboxes and reads INBOX's
 * newest message; a rejected token is dropped and the check retried once with a fresh one.
 */
export async function checkImap(input: ImapCheckInput): Promise<ImapCheckResult> {
  const { actor, profile, secrets } = input;
  const plan = imapPlan(profile.settings);
  const run = newRun<CheckStage>(actor, profile, secrets, input.onProgress);
  const timeoutMs = (await getConsoleSettings()).imapTimeoutSeconds * 1000;
  const base = { profileId: profile.id, profileName: profile.name, kind: profile.kind, host: plan.host, port: plan.port, security: plan.security, user: plan.user };

  const loop = await withToken(run, { purpose: "imap", oauth: true, server: "IMAP", tokenMessage: "Getting an access token for IMAP" }, async (token) => {
    const outcome = await testImapMailbox({ ...plan, accessToken: token!.accessToken, timeoutMs, kind: profile.kind, onProgress: (p) => run.progress(p.stage, p.message) });
    run.lines.push(...outcome.transcript);
    return outcome;
  });

  let result: ImapCheckResult;
  if (loop.type === "token-failed") {
    result = { ...base, tokenRefreshed: run.tokenRefreshed, ok: false, summary: loop.error.message, durationMs: 0, transcript: "", error: loop.error };
  } else if (!loop.outcome.ok) {
    const e = toDeliveryError(loop.outcome.error);
    result = { ...base, tokenRefreshed: run.tokenRefreshed, ok: false, summary: e.message, durationMs: 0, transcript: "", error: e };
  } else {
    const o = loop.outcome;
    const newest = o.newest ? `; newest: "${o.newest.subject}"${o.newest.date ? ` (${o.newest.date})` : ""}` : "";
    result = {
      ...base,
      tokenRefreshed: run.tokenRefreshed,
      ok: true,
      summary: `Signed in to ${plan.host}:${plan.port} as ${plan.user}: ${o.mailboxes.length} mailbox${o.mailboxes.length === 1 ? "" : "es"}, INBOX has ${o.inboxCount} message${o.inboxCount === 1 ? "" : "s"}${newest}`,
      durationMs: 0,
      mailboxes: o.mailboxes,
      inboxCount: o.inboxCount,
      newest: o.newest,
      transcript: "",
    };
  }
  result.durationMs = Date.now() - run.started;
  result.transcript = redactTranscript(run.lines, { secrets: run.secretValues }).join("\n");
  run.progress(result.ok ? "done" : "failed", result.summary);
  return result;
}

export type { Progress };
