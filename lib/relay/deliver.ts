import "server-only";
import type { Actor } from "../auth/actor";
import { isAppError } from "../errors";
import { loadProfileWithSecrets } from "../profiles/dal";
import { deliver } from "../mail/pipeline";
import type { SmtpConnectionCache } from "../mail/smtp";

/**
 * Delivers one queued message through its device's profile with THE delivery pipeline
 * (lib/mail/pipeline.ts: target → token cache → SMTP XOAUTH2 / basic, Graph MIME, log-only → one
 * retry on a rejected token → redacted transcript → decoded, transient-or-not error). This
 * module only maps the pipeline's result onto the queue's terms.
 */

export const RELAY_ACTOR: Actor = { id: "relay", username: "relay", via: "cli" };

export type RelayOutgoing = { raw: Buffer; mailFrom: string; rcptTo: string[]; messageId: string };

export type RelayDeliveryError = { code: string; summary: string; cause: string; fix: string; remoteReply?: string };

export type RelayDeliveryResult =
  | { ok: true; remoteReply: string; transcript: string; durationMs: number; logOnly?: boolean }
  | { ok: false; transient: boolean; retryAfterSeconds?: number; error: RelayDeliveryError; transcript: string; durationMs: number };

/** `connections`: the worker's upstream connection cache (SMTP connections reused across messages). */
export async function deliverRaw(profileId: string, msg: RelayOutgoing, connections?: SmtpConnectionCache): Promise<RelayDeliveryResult> {
  const started = Date.now();
  let loaded;
  try {
    loaded = await loadProfileWithSecrets(RELAY_ACTOR, profileId);
  } catch (error) {
    const gone = isAppError(error) && error.code === "not_found";
    return {
      ok: false,
      transient: !gone,
      error: { code: gone ? "relay.profile-missing" : "relay.profile-unreadable", summary: gone ? "The device's profile no longer exists" : "The device's profile could not be read", cause: isAppError(error) ? error.userMessage : "unexpected error", fix: gone ? "Point the device at another profile and retry the message." : "Check the master key and the profile." },
      transcript: "",
      durationMs: Date.now() - started,
    };
  }
  try {
    const r = await deliver({ actor: RELAY_ACTOR, profile: loaded.profile, secrets: loaded.secrets, message: { type: "raw", envelope: { from: msg.mailFrom, to: msg.rcptTo }, mime: { bytes: msg.raw } }, connections });
    if (r.ok) return { ok: true, remoteReply: r.remoteReply ?? r.summary, transcript: r.transcript, durationMs: r.durationMs, logOnly: r.outcome === "logged" };
    if (r.outcome === "partial") {
      // Some recipients took it: sending again would duplicate it for them. Recorded as delivered,
      // with every refused address and its reply.
      const refused = (r.recipients ?? []).filter((x) => !x.accepted).map((x) => `${x.address} (${x.reply ?? "refused"})`);
      return { ok: true, remoteReply: `${r.remoteReply ?? r.summary}; refused: ${refused.join(", ")}`, transcript: r.transcript, durationMs: r.durationMs };
    }
    const e = r.error!;
    // A token that cannot be had is the profile's problem, never the message's: it stays queued
    // (an IdP outage clears by itself; a wrong or expired secret once the admin fixes the profile).
    const tokenFailure = e.code.startsWith("token.");
    return {
      ok: false,
      transient: e.transient || tokenFailure,
      retryAfterSeconds: e.retryAfterSeconds,
      error: { code: e.code, summary: e.message, cause: e.cause, fix: tokenFailure && !e.transient ? `${e.fix} The message stays queued until the profile works again or its lifetime ends.` : e.fix, remoteReply: e.remoteReply },
      transcript: r.transcript,
      durationMs: r.durationMs,
    };
  } catch (error) {
    // The profile cannot send at all (unsupported kind, no password): permanent.
    return {
      ok: false,
      transient: false,
      error: { code: isAppError(error) ? `relay.${error.code}` : "relay.internal", summary: isAppError(error) ? error.userMessage : "Delivery failed unexpectedly", cause: isAppError(error) ? error.userMessage : String(error), fix: (isAppError(error) && error.hint) || "Point the device at a profile that sends (SMTP or Graph)." },
      transcript: "",
      durationMs: Date.now() - started,
    };
  }
}
