import "server-only";
import type { Actor } from "../auth/actor";
import { loadProfileWithSecrets } from "../profiles/dal";
import { checkImap, type CheckStage, type ImapCheckResult } from "./pipeline";
import type { Progress } from "./progress";
import { recordTestOutcome } from "./test-outcome";

/**
 * "Test IMAP": the delivery pipeline's IMAP check (lib/mail/pipeline.ts: XOAUTH2 sign-in, list
 * mailboxes, INBOX count and newest message, one retry on a rejected token) for delegated,
 * authorization-code and app (IMAP.AccessAsApp) profiles and Google service accounts. One
 * activity entry ("imap.test") with the redacted transcript; the profile status follows the outcome.
 *
 * Remote failures do not throw (ok: false with cause and fix). Throws AppError for a missing
 * profile (not_found) or a kind without IMAP (unsupported).
 */

export type ImapTestStage = CheckStage;
export type ImapTestProgress = Progress<CheckStage>;
export type ImapResult = ImapCheckResult;

export async function testImap(actor: Actor, profileId: string, options: { onProgress?: (p: ImapTestProgress) => void } = {}): Promise<ImapResult> {
  const { profile, secrets } = await loadProfileWithSecrets(actor, profileId);
  const result = await checkImap({ actor, profile, secrets, onProgress: options.onProgress });
  await recordTestOutcome(actor, profile, {
    action: "imap.test",
    ok: result.ok,
    summary: `IMAP test ${result.ok ? "ok" : "failed"}: ${result.summary}${result.tokenRefreshed ? " (token refreshed once)" : ""}`,
    durationMs: result.durationMs,
    remoteReply: result.error?.remoteReply,
    error: result.error,
    transcript: result.transcript,
    okStatus: "IMAP test ok",
    failurePrefix: "IMAP",
    fallbackDetail: result.summary,
  });
  return result;
}
