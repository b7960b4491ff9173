import "server-only";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { setProfileHealth } from "../profiles/dal";
import type { DeliveryError } from "./pipeline";

/** What a send or IMAP test ended with, as far as the log and the profile's health need it. */
export type TestOutcome = {
  action: "mail.send" | "imap.test";
  ok: boolean;
  /** The activity entry's summary line. */
  summary: string;
  durationMs: number;
  remoteReply?: string;
  error?: DeliveryError;
  /** The redacted transcript. */
  transcript: string;
  /** Status detail on success, e.g. "Test send ok". */
  okStatus: string;
  /** Status detail on failure, prefixed to the error, e.g. "Send: …". */
  failurePrefix: string;
  /** Status detail when there is no error message. */
  fallbackDetail: string;
};

/**
 * Logs a test (send or IMAP) and sets the profile's health: "ok", or "failing" — except after a
 * token failure, whose effect the token layer has already decided (needs-reauth or failing for a
 * configuration error, nothing at all for a transient IdP outage).
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
  const check = o.action === "mail.send" ? "send" : "imap";
  if (o.ok) await setProfileHealth(actor, profile.id, { state: "ok", check, detail: o.okStatus });
  else if (o.error?.origin !== "token") await setProfileHealth(actor, profile.id, { state: "failing", check, detail: `${o.failurePrefix}: ${o.error?.message ?? o.fallbackDetail}` });
}
