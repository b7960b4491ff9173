import "server-only";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { setProfileStatus } from "../profiles/dal";

/** What a send or IMAP test ended with, as far as the log and the profile's health need it. */
export type TestOutcome = {
  action: "mail.send" | "imap.test";
  ok: boolean;
  /** The activity entry's summary line. */
  summary: string;
  durationMs: number;
  remoteReply?: string;
  error?: { code: string; message: string; cause: string; fix: string };
  /** The redacted transcript. */
  transcript: string;
  /** Status detail on success, e.g. "Test send ok" (the time is appended). */
  okStatus: string;
  /** Status detail on failure, prefixed to the error, e.g. "Send: …". */
  failurePrefix: string;
  /** Status detail when there is no error message. */
  fallbackDetail: string;
};

/**
 * Logs a test (send or IMAP) and sets the profile's health: "ok", or "failing" — except after a
 * token failure, whose status the token layer has already set (needs-reauth, or nothing for a
 * transient IdP fault).
 */
export async function recordTestOutcome(actor: Actor, profile: { id: string; name: string }, o: TestOutcome): Promise<void> {
  await recordActivity(actor, {
    action: o.action,
    outcome: o.ok ? "success" : "failure",
    profileId: profile.id,
    profileName: profile.name,
    durationMs: o.durationMs,
    summary: o.summary,
    remoteReply: o.remoteReply,
    errorCode: o.error?.code,
    hint: o.error ? `${o.error.cause} Fix: ${o.error.fix}` : undefined,
    detail: o.transcript,
  });
  if (o.ok) await setProfileStatus(actor, profile.id, "ok", `${o.okStatus} ${new Date().toISOString()}`);
  else if (!o.error?.code.startsWith("token.")) await setProfileStatus(actor, profile.id, "failing", `${o.failurePrefix}: ${o.error?.message ?? o.fallbackDetail}`);
}
