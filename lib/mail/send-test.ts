import "server-only";
import { randomUUID } from "node:crypto";
import { AppError } from "../errors";
import type { Actor } from "../auth/actor";
import { loadProfileWithSecrets, type ProfileDto } from "../profiles/dal";
import type { ProfileSecrets, ProfileSettings, ProfileSettingsOf } from "../profiles/schema";
import { getConsoleSettings } from "../settings/dal";
import { getAccessToken, invalidateToken, type CachedToken } from "../tokens";
import { decodeTokenFailure, type DecodedMailError } from "./errors";
import { sendGraphMail, type GraphAttachment } from "./graph";
import { attachmentSize, testMessageSchema, type TestMessage, type TestMessageInput } from "./message";
import { redactTranscript, truncateBody } from "./redact";
import { recordTestOutcome } from "./test-outcome";
import { sendSmtp, type SmtpAuth, type SmtpSendOutcome, type SmtpSecurity } from "./smtp";

/**
 * "Send test": sends one message through a profile the way the production sender would, and
 * explains the outcome. Chooses the path by kind (SMTP XOAUTH2, Graph sendMail, SMTP basic,
 * log-only), takes the token from the cache, refreshes it once when the server rejects it,
 * applies iMail's delegated from-address → login-user fallback, records one activity entry
 * with the redacted transcript, and updates the profile's health status.
 *
 * Remote failures do not throw: the result says ok: false with the decoded cause and fix.
 * Throws AppError only for bad input (invalid_input), a missing profile (not_found) or a
 * profile that cannot send (unsupported).
 */

export type SendTestStage = "preparing" | "token" | "connecting" | "authenticating" | "sending" | "retrying" | "throttled" | "done" | "failed";

export type SendTestProgress = { stage: SendTestStage; message: string; elapsedMs: number };

export type SendTestError = {
  /** Decoded error code (e.g. "smtp.535.5.7.3", "tls.untrusted-ca", "graph.403.ErrorAccessDenied", or the IdP's). */
  code: string;
  message: string;
  cause: string;
  fix: string;
  remoteReply?: string;
};

export type SendAttempt = {
  transport: "smtp" | "graph";
  authUser: string;
  from: string;
  tokenSource?: CachedToken["source"];
  ok: boolean;
  reply?: string;
  errorCode?: string;
};

export type SendResult = {
  ok: boolean;
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
  attempts: SendAttempt[];
  /** True when SMTP auth as the From address failed and the send was retried as the login user. */
  fallbackToLoginUser: boolean;
  /** True when the server rejected the token and a fresh one was fetched for a second try. */
  tokenRefreshed: boolean;
  receipts: { read: boolean; delivery: "requested" | "not-offered" | "not-requested" };
  error?: SendTestError;
  /** Redacted transcript of every attempt (also stored with the activity entry). */
  transcript: string;
};

export type SendTestOptions = { onProgress?: (p: SendTestProgress) => void };

type SmtpPlan = {
  host: string;
  port: number;
  security: SmtpSecurity;
  /** XOAUTH2 identity (the mailbox / impersonated user); for delegated profiles the login user. */
  authUser: string;
  /** Delegated only: iMail authenticates as the From address first. */
  loginUser?: string;
  defaultFrom: string;
  oauth: boolean;
};

function smtpPlan(s: ProfileSettings, secrets: ProfileSecrets): SmtpPlan {
  switch (s.kind) {
    case "m365-delegated":
      return { host: s.smtpHost, port: s.smtpPort, security: s.smtpSecurity, authUser: s.loginUser, loginUser: s.loginUser, defaultFrom: s.fromAddress ?? s.loginUser, oauth: true };
    case "m365-app-smtp":
      return { host: s.smtpHost, port: s.smtpPort, security: s.smtpSecurity, authUser: s.mailbox, defaultFrom: s.fromAddress ?? s.mailbox, oauth: true };
    case "m365-auth-code":
      if (!s.useSmtp) throw new AppError("unsupported", `Profile "${s.name}" has SMTP switched off.`, { hint: "Edit the profile and enable SMTP, or use it for IMAP only." });
      return { host: s.smtpHost, port: s.smtpPort, security: s.smtpSecurity, authUser: s.mailbox, defaultFrom: s.fromAddress ?? s.mailbox, oauth: true };
    case "google-service-account":
      // The XOAUTH2 user is the impersonated Workspace user, never the service account.
      return { host: s.smtpHost, port: s.smtpPort, security: s.smtpSecurity, authUser: s.impersonateUser, defaultFrom: s.fromAddress ?? s.impersonateUser, oauth: true };
    case "oauth2-generic":
      return { host: s.smtpHost, port: s.smtpPort, security: s.smtpSecurity, authUser: s.mailUser, defaultFrom: s.fromAddress ?? s.mailUser, oauth: true };
    case "smtp-basic": {
      if (!secrets.password) throw new AppError("invalid_input", "Password is not set on this profile.", { field: "secrets.password", hint: "Edit the profile and enter the password." });
      const from = s.fromAddress ?? (s.username.includes("@") ? s.username : undefined);
      if (!from) throw new AppError("invalid_input", "This profile has no From address and its user name is not an email address.", { field: "settings.fromAddress", hint: "Set a From address on the profile, or pass --from." });
      return { host: s.smtpHost, port: s.smtpPort, security: s.smtpSecurity, authUser: s.username, defaultFrom: from, oauth: false };
    }
    default:
      throw new AppError("unsupported", `Profiles of kind ${s.kind} do not send over SMTP.`);
  }
}

/** Validates the message; the first problem becomes an AppError naming the field. */
export function parseTestMessage(input: TestMessageInput): TestMessage {
  const parsed = testMessageSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("invalid_input", issue?.message ?? "Invalid message", { field: issue?.path.map(String).join(".") || undefined });
  }
  return parsed.data;
}

function toSendError(d: DecodedMailError): SendTestError {
  return { code: d.code, message: d.summary, cause: d.cause, fix: d.fix, remoteReply: d.remoteReply };
}

export async function sendTestMessage(actor: Actor, profileId: string, input: TestMessageInput, options: SendTestOptions = {}): Promise<SendResult> {
  const started = Date.now();
  const message = parseTestMessage(input);
  const { profile, secrets } = await loadProfileWithSecrets(actor, profileId);
  const settings = profile.settings;
  const consoleSettings = await getConsoleSettings();
  const progress = (stage: SendTestStage, text: string) => {
    try {
      options.onProgress?.({ stage, message: text, elapsedMs: Date.now() - started });
    } catch {
      // the page/CLI listener must not break the send
    }
  };
  // Every secret value this send could touch; the final transcript is scrubbed of all of them.
  const secretValues = new Set<string>(Object.values(secrets).filter((v): v is string => typeof v === "string"));
  const lines: string[] = [];

  let result: SendResult;
  progress("preparing", `Preparing a test message from profile "${profile.name}"`);
  if (settings.kind === "log-only") {
    result = logOnly(profile, settings, message, started, lines);
  } else if (settings.kind === "m365-app-graph") {
    result = await viaGraph(actor, profile, settings, message, consoleSettings.httpTimeoutSeconds * 1000, started, lines, secretValues, progress);
  } else {
    const plan = smtpPlan(settings, secrets);
    const timeouts = { connectMs: consoleSettings.smtpConnectTimeoutSeconds * 1000, greetingMs: consoleSettings.smtpGreetingTimeoutSeconds * 1000, socketMs: consoleSettings.smtpSocketTimeoutSeconds * 1000 };
    result = await viaSmtp(actor, profile, plan, message, secrets, timeouts, started, lines, secretValues, progress);
  }

  result.transcript = redactTranscript(lines, { secrets: secretValues, maxBodyChars: settings.kind === "log-only" ? 100_000 : undefined }).join("\n");
  progress(result.ok ? "done" : "failed", result.summary);

  const recipients = [...result.to, ...result.cc, ...result.bcc];
  await recordTestOutcome(actor, profile, {
    action: "mail.send",
    ok: result.ok,
    summary: `${result.ok ? "Test message" : "Test send failed"}${result.ok ? (settings.kind === "log-only" ? " logged (log-only profile, nothing sent)" : ` sent via ${result.transport === "graph" ? "Graph" : "SMTP"}`) : ""} from ${result.from} to ${recipients.length} recipient${recipients.length === 1 ? "" : "s"}: ${result.summary}${result.fallbackToLoginUser ? " (retried with login user)" : ""}${result.tokenRefreshed ? " (token refreshed once)" : ""}`,
    durationMs: result.durationMs,
    remoteReply: result.remoteReply,
    error: result.error,
    transcript: result.transcript,
    okStatus: "Test send ok",
    failurePrefix: "Send",
    fallbackDetail: result.summary,
  });
  return result;
}

function baseResult(profile: ProfileDto, transport: SendResult["transport"], message: TestMessage, from: string): Omit<SendResult, "ok" | "summary" | "durationMs"> {
  return {
    profileId: profile.id,
    profileName: profile.name,
    kind: profile.kind,
    transport,
    from,
    to: message.to,
    cc: message.cc,
    bcc: message.bcc,
    attempts: [],
    fallbackToLoginUser: false,
    tokenRefreshed: false,
    receipts: { read: message.readReceipt, delivery: message.deliveryReceipt ? "requested" : "not-requested" },
    transcript: "",
  };
}

async function fetchToken(actor: Actor, profileId: string, purpose: "smtp" | "graph" | "imap", forceRefresh: boolean, lines: string[], secretValues: Set<string>): Promise<CachedToken> {
  const token = await getAccessToken(actor, profileId, { purpose, forceRefresh });
  secretValues.add(token.accessToken);
  if (token.refreshToken) secretValues.add(token.refreshToken);
  lines.push(`* token: ${token.source === "cache" ? "from cache" : "newly acquired"}, expires ${token.expiresAt.toISOString()}${token.claims.aud ? `, aud ${token.claims.aud}` : ""}`);
  if (token.source === "new" && token.transcript?.length) for (const l of token.transcript) lines.push(`* token http: ${l}`);
  return token;
}

// ---------------------------------------------------------------------------------------------
// SMTP

async function viaSmtp(
  actor: Actor,
  profile: ProfileDto,
  plan: SmtpPlan,
  message: TestMessage,
  secrets: ProfileSecrets,
  timeouts: { connectMs: number; greetingMs: number; socketMs: number },
  started: number,
  lines: string[],
  secretValues: Set<string>,
  progress: (s: SendTestStage, m: string) => void,
): Promise<SendResult> {
  const s = profile.settings;
  const requestedFrom = message.from ?? plan.defaultFrom;
  const out = baseResult(profile, "smtp", message, requestedFrom);
  const senderField = "senderAddress" in s ? s.senderAddress : undefined;
  const replyTo = "replyTo" in s ? s.replyTo : undefined;
  const attachments = message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.contentBase64, "base64") }));

  let token: CachedToken | undefined;
  if (plan.oauth) {
    progress("token", "Getting an access token");
    try {
      token = await fetchToken(actor, profile.id, "smtp", false, lines, secretValues);
    } catch (error) {
      const e = decodeTokenFailure(error);
      lines.push(`* ${e.message}`);
      return { ...out, ok: false, summary: e.message, error: e, durationMs: Date.now() - started };
    }
  }

  // Delegated (iMail): authenticate as the From address first when it differs from the login user.
  let authUser = plan.loginUser && requestedFrom.toLowerCase() !== plan.loginUser.toLowerCase() ? requestedFrom : plan.authUser;
  let from = requestedFrom;
  let outcome: SmtpSendOutcome | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    if (attempt > 1) lines.push(`* --- attempt ${attempt} ---`);
    const auth: SmtpAuth = token ? { type: "xoauth2", user: authUser, accessToken: token.accessToken } : { type: "basic", user: authUser, password: secrets.password ?? "" };
    outcome = await sendSmtp({
      host: plan.host,
      port: plan.port,
      security: plan.security,
      auth,
      message: {
        from,
        sender: senderField,
        replyTo,
        to: message.to,
        cc: message.cc,
        bcc: message.bcc,
        subject: message.subject,
        body: message.body,
        html: message.html,
        attachments,
        readReceipt: message.readReceipt,
        deliveryReceipt: message.deliveryReceipt,
        headers: { "X-OMC-Test-Id": randomUUID() },
      },
      timeouts,
      kind: profile.kind,
      extraSecrets: [...secretValues],
      onProgress: (p) => progress(p.stage === "done" ? "sending" : p.stage, p.message),
    });
    lines.push(...outcome.transcript);
    out.attempts.push({ transport: "smtp", authUser, from, tokenSource: token?.source, ok: outcome.ok, reply: outcome.ok ? outcome.response : outcome.error.remoteReply, errorCode: outcome.ok ? undefined : outcome.error.code });
    if (outcome.ok || !outcome.error.tokenRejected || !token) break;

    if (plan.loginUser && !out.fallbackToLoginUser && authUser.toLowerCase() !== plan.loginUser.toLowerCase()) {
      // iMail: "SMTP authentication failed … Retrying with login user"; From follows the login user.
      const note = `SMTP authentication as ${authUser} failed (${outcome.error.remoteReply ?? outcome.error.code}); retrying with login user ${plan.loginUser}`;
      lines.push(`* ${note}`);
      progress("retrying", note);
      out.fallbackToLoginUser = true;
      authUser = plan.loginUser;
      from = plan.loginUser;
      continue;
    }
    if (!out.tokenRefreshed) {
      const note = `The server rejected the token (${outcome.error.remoteReply ?? outcome.error.code}); dropping it from the cache and retrying once with a fresh token`;
      lines.push(`* ${note}`);
      progress("retrying", note);
      out.tokenRefreshed = true;
      try {
        await invalidateToken(actor, profile.id, "smtp", token.accessToken);
        token = await fetchToken(actor, profile.id, "smtp", true, lines, secretValues);
      } catch (error) {
        const e = decodeTokenFailure(error);
        lines.push(`* ${e.message}`);
        return { ...out, from, authUser, ok: false, summary: e.message, error: e, durationMs: Date.now() - started };
      }
      continue;
    }
    break;
  }

  const res = outcome!;
  out.from = from;
  out.authUser = authUser;
  if (res.ok) {
    if (message.deliveryReceipt && !res.dsn.offered) out.receipts.delivery = "not-offered";
    const summary = `Accepted by ${plan.host}:${plan.port}: ${res.response}`;
    return { ...out, ok: true, summary, remoteReply: res.response, messageId: res.messageId, serverMessageId: res.serverMessageId, accepted: res.accepted, rejected: res.rejected, durationMs: Date.now() - started };
  }
  return { ...out, ok: false, summary: res.error.summary, remoteReply: res.error.remoteReply ?? res.lastReply, error: toSendError(res.error), durationMs: Date.now() - started };
}

// ---------------------------------------------------------------------------------------------
// Graph

async function viaGraph(
  actor: Actor,
  profile: ProfileDto,
  s: ProfileSettingsOf<"m365-app-graph">,
  message: TestMessage,
  timeoutMs: number,
  started: number,
  lines: string[],
  secretValues: Set<string>,
  progress: (stage: SendTestStage, m: string) => void,
): Promise<SendResult> {
  const mailbox = s.fromAddress;
  const from = message.from ?? mailbox;
  const out = baseResult(profile, "graph", message, from);
  out.authUser = mailbox;
  const url = s.graphEndpoint.replaceAll("{FROM_ADDRESS}", encodeURIComponent(mailbox));
  const attachments: GraphAttachment[] = message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, contentBase64: a.contentBase64, size: attachmentSize(a) }));

  let token: CachedToken;
  progress("token", "Getting an access token");
  try {
    token = await fetchToken(actor, profile.id, "graph", false, lines, secretValues);
  } catch (error) {
    const e = decodeTokenFailure(error);
    lines.push(`* ${e.message}`);
    return { ...out, ok: false, summary: e.message, error: e, durationMs: Date.now() - started };
  }

  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) lines.push(`* --- attempt ${attempt} ---`);
    progress("sending", `Calling Graph sendMail for ${mailbox}`);
    const res = await sendGraphMail({
      url,
      accessToken: token.accessToken,
      mailbox,
      message: {
        subject: message.subject,
        body: message.body,
        html: message.html,
        to: message.to,
        cc: message.cc,
        bcc: message.bcc,
        from: from.toLowerCase() !== mailbox.toLowerCase() ? from : undefined,
        replyTo: s.replyTo,
        attachments,
        readReceipt: message.readReceipt,
        deliveryReceipt: message.deliveryReceipt,
      },
      saveToSentItems: s.saveToSentItems,
      timeoutMs,
      onProgress: (p) => progress(p.stage === "throttled" ? "throttled" : "sending", p.message),
    });
    lines.push(...res.transcript);
    out.attempts.push({ transport: "graph", authUser: mailbox, from, tokenSource: token.source, ok: res.ok, reply: res.ok ? res.response : res.error.remoteReply, errorCode: res.ok ? undefined : res.error.code });
    if (res.ok) {
      // Graph returns no Message-ID; the request-id identifies the call for Microsoft support.
      return { ...out, ok: true, summary: `${res.response}${s.saveToSentItems ? "; a copy is saved to Sent Items" : ""}`, remoteReply: `${res.status}${res.requestId ? ` request-id ${res.requestId}` : ""}`, requestId: res.requestId, durationMs: Date.now() - started };
    }
    if (res.error.tokenRejected && !out.tokenRefreshed) {
      const note = `Graph rejected the token (${res.error.remoteReply ?? res.error.code}); dropping it from the cache and retrying once with a fresh token`;
      lines.push(`* ${note}`);
      progress("retrying", note);
      out.tokenRefreshed = true;
      try {
        await invalidateToken(actor, profile.id, "graph", token.accessToken);
        token = await fetchToken(actor, profile.id, "graph", true, lines, secretValues);
      } catch (error) {
        const e = decodeTokenFailure(error);
        lines.push(`* ${e.message}`);
        return { ...out, ok: false, summary: e.message, error: e, durationMs: Date.now() - started };
      }
      continue;
    }
    return { ...out, ok: false, summary: res.error.summary, remoteReply: res.error.remoteReply, error: toSendError(res.error), durationMs: Date.now() - started };
  }
}

// ---------------------------------------------------------------------------------------------
// Log only

/**
 * The dummy mail service (as Airlock IAM's): nothing leaves the machine; the whole message goes
 * to the activity log. Attachments are listed by name, type and size (their bytes would only
 * bloat the log).
 */
function logOnly(profile: ProfileDto, s: ProfileSettingsOf<"log-only">, message: TestMessage, started: number, lines: string[]): SendResult {
  const from = message.from ?? s.fromAddress;
  const messageId = `<${randomUUID()}@${from.split("@")[1] ?? "log-only.local"}>`;
  const date = new Date().toUTCString();
  lines.push("* log-only profile: the message was not sent; this is what would have been sent");
  lines.push(`D: Message-ID: ${messageId}`);
  lines.push(`D: Date: ${date}`);
  lines.push(`D: From: ${from}`);
  if (s.replyTo) lines.push(`D: Reply-To: ${s.replyTo}`);
  lines.push(`D: To: ${message.to.join(", ")}`);
  if (message.cc.length) lines.push(`D: Cc: ${message.cc.join(", ")}`);
  if (message.bcc.length) lines.push(`D: Bcc: ${message.bcc.join(", ")}`);
  lines.push(`D: Subject: ${message.subject}`);
  if (message.readReceipt) lines.push(`D: Disposition-Notification-To: ${from}`);
  if (message.deliveryReceipt) lines.push("D: X-Delivery-Receipt: requested (DSN NOTIFY=SUCCESS,FAILURE,DELAY)");
  lines.push(`D: Content-Type: ${message.html ? "text/html" : "text/plain"}; charset=utf-8`);
  for (const a of message.attachments) lines.push(`D: X-Attachment: ${a.filename} (${a.contentType}, ${attachmentSize(a)} bytes)`);
  lines.push("D: ");
  for (const l of truncateBody(message.body, 100_000).split(/\r?\n/)) lines.push(`D: ${l}`);
  const out = baseResult(profile, "log-only", message, from);
  return { ...out, ok: true, summary: "Logged, not sent (log-only profile): the full message is in the activity log", messageId, durationMs: Date.now() - started };
}
