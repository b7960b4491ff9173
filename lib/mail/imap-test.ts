import "server-only";
import { imapTargetOf, type ImapTarget } from "./targets";
import { decodeTokenFailure } from "./errors";
import { AppError } from "../errors";
import type { Actor } from "../auth/actor";
import { loadProfileWithSecrets } from "../profiles/dal";
import type { ProfileSettings } from "../profiles/schema";
import { getConsoleSettings } from "../settings/dal";
import { getAccessToken, invalidateToken, type CachedToken } from "../tokens";
import { testImapMailbox, type ImapMailbox, type ImapSecurity, type ImapStage } from "./imap";
import { redactTranscript } from "./redact";
import { recordTestOutcome } from "./test-outcome";

/**
 * "Test IMAP": XOAUTH2 login with the profile's token (purpose "imap"), mailbox list, INBOX
 * count and the newest message. Works for delegated, authorization-code and app
 * (IMAP.AccessAsApp) profiles and Google service accounts. A rejected token is dropped from the
 * cache and the test retried once with a fresh one. One activity entry ("imap.test") with the
 * redacted transcript; the profile status follows the outcome.
 *
 * Remote failures do not throw (ok: false with cause and fix). Throws AppError for a missing
 * profile (not_found) or a kind without IMAP (unsupported).
 */

export type ImapTestStage = ImapStage | "token" | "retrying" | "failed";

export type ImapTestProgress = { stage: ImapTestStage; message: string; elapsedMs: number };

export type ImapResult = {
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
  error?: { code: string; message: string; cause: string; fix: string; remoteReply?: string };
  transcript: string;
};

/** Where the IMAP test connects: the profile's target, or an error saying why there is none. */
function imapPlan(s: ProfileSettings): ImapTarget {
  const target = imapTargetOf(s);
  if (target) return target;
  switch (s.kind) {
    case "m365-auth-code":
      throw new AppError("unsupported", `Profile "${s.name}" has IMAP switched off.`, { hint: "Edit the profile and enable IMAP." });
    case "oauth2-generic":
      throw new AppError("unsupported", `Profile "${s.name}" has no IMAP host.`, { field: "settings.imapHost", hint: "Set the IMAP host on the profile to test IMAP." });
    case "m365-app-graph":
      throw new AppError("unsupported", "Graph profiles send with Graph sendMail and have no IMAP settings.", { hint: "Test IMAP with an m365-app-smtp profile (IMAP.AccessAsApp) or a delegated profile." });
    default:
      throw new AppError("unsupported", `Profiles of kind ${s.kind} have no IMAP test.`);
  }
}

export async function testImap(actor: Actor, profileId: string, options: { onProgress?: (p: ImapTestProgress) => void } = {}): Promise<ImapResult> {
  const started = Date.now();
  const { profile, secrets } = await loadProfileWithSecrets(actor, profileId);
  const plan = imapPlan(profile.settings);
  const timeoutMs = (await getConsoleSettings()).imapTimeoutSeconds * 1000;
  const secretValues = new Set<string>(Object.values(secrets).filter((v): v is string => typeof v === "string"));
  const lines: string[] = [];
  const progress = (stage: ImapTestStage, message: string) => {
    try {
      options.onProgress?.({ stage, message, elapsedMs: Date.now() - started });
    } catch {
      // listener errors must not break the test
    }
  };
  const base = { profileId: profile.id, profileName: profile.name, kind: profile.kind, host: plan.host, port: plan.port, security: plan.security, user: plan.user, tokenRefreshed: false };

  const fetchToken = async (forceRefresh: boolean): Promise<CachedToken> => {
    const token = await getAccessToken(actor, profile.id, { purpose: "imap", forceRefresh });
    secretValues.add(token.accessToken);
    if (token.refreshToken) secretValues.add(token.refreshToken);
    lines.push(`* token: ${token.source === "cache" ? "from cache" : "newly acquired"}, expires ${token.expiresAt.toISOString()}${token.claims.scp ? `, scp ${token.claims.scp}` : ""}${token.claims.roles?.length ? `, roles ${token.claims.roles.join(" ")}` : ""}`);
    if (token.source === "new" && token.transcript?.length) for (const l of token.transcript) lines.push(`* token http: ${l}`);
    return token;
  };

  let result: ImapResult;
  progress("token", "Getting an access token for IMAP");
  let token: CachedToken | undefined;
  try {
    token = await fetchToken(false);
  } catch (error) {
    result = { ...base, ok: false, summary: "", durationMs: 0, transcript: "", error: decodeTokenFailure(error) };
    result.summary = result.error!.message;
  }

  if (token) {
    let tokenRefreshed = false;
    for (;;) {
      const outcome = await testImapMailbox({ ...plan, accessToken: token.accessToken, timeoutMs, kind: profile.kind, onProgress: (p) => progress(p.stage, p.message) });
      lines.push(...outcome.transcript);
      if (outcome.ok) {
        const newest = outcome.newest ? `; newest: "${outcome.newest.subject}"${outcome.newest.date ? ` (${outcome.newest.date})` : ""}` : "";
        result = {
          ...base,
          tokenRefreshed,
          ok: true,
          summary: `Signed in to ${plan.host}:${plan.port} as ${plan.user}: ${outcome.mailboxes.length} mailbox${outcome.mailboxes.length === 1 ? "" : "es"}, INBOX has ${outcome.inboxCount} message${outcome.inboxCount === 1 ? "" : "s"}${newest}`,
          durationMs: 0,
          mailboxes: outcome.mailboxes,
          inboxCount: outcome.inboxCount,
          newest: outcome.newest,
          transcript: "",
        };
        break;
      }
      if (outcome.error.tokenRejected && !tokenRefreshed) {
        const note = `IMAP rejected the token (${outcome.error.remoteReply ?? outcome.error.code}); dropping it from the cache and retrying once with a fresh token`;
        lines.push(`* ${note}`);
        progress("retrying", note);
        tokenRefreshed = true;
        try {
          await invalidateToken(actor, profile.id, "imap", token.accessToken);
          token = await fetchToken(true);
        } catch (error) {
          const e = decodeTokenFailure(error);
          result = { ...base, tokenRefreshed, ok: false, summary: e.message, durationMs: 0, transcript: "", error: e };
          break;
        }
        continue;
      }
      const e = outcome.error;
      result = { ...base, tokenRefreshed, ok: false, summary: e.summary, durationMs: 0, transcript: "", error: { code: e.code, message: e.summary, cause: e.cause, fix: e.fix, remoteReply: e.remoteReply } };
      break;
    }
  }

  const final = result!;
  final.durationMs = Date.now() - started;
  final.transcript = redactTranscript(lines, { secrets: secretValues }).join("\n");
  progress(final.ok ? "done" : "failed", final.summary);
  await recordTestOutcome(actor, profile, {
    action: "imap.test",
    ok: final.ok,
    summary: `IMAP test ${final.ok ? "ok" : "failed"}: ${final.summary}${final.tokenRefreshed ? " (token refreshed once)" : ""}`,
    durationMs: final.durationMs,
    remoteReply: final.error?.remoteReply,
    error: final.error,
    transcript: final.transcript,
    okStatus: "IMAP test ok",
    failurePrefix: "IMAP",
    fallbackDetail: final.summary,
  });
  return final;
}
