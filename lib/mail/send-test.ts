import "server-only";
import { AppError } from "../errors";
import type { Actor } from "../auth/actor";
import { loadProfileWithSecrets } from "../profiles/dal";
import { testMessageSchema, type DeliverableTestMessage, type TestMessage, type TestMessageInput } from "./message";
import { deliver, type DeliveryAttempt, type DeliveryError, type DeliveryResult, type SendStage } from "./pipeline";
import type { Progress } from "./progress";
import { recordTestOutcome } from "./test-outcome";

/**
 * "Send test": sends one message through a profile the way the production sender would, and
 * explains the outcome — through the delivery pipeline (lib/mail/pipeline.ts: target, token,
 * transport, one retry on a rejected token, redacted transcript, decoded result). Then records
 * one activity entry with the transcript and updates the profile's health.
 *
 * Remote failures do not throw: the result says ok: false with the decoded cause and fix.
 * Throws AppError only for bad input (invalid_input), a missing profile (not_found) or a
 * profile that cannot send (unsupported).
 */

export type SendTestStage = SendStage;
export type SendTestProgress = Progress<SendStage>;
export type SendTestError = DeliveryError;
export type SendAttempt = DeliveryAttempt;
export type SendResult = DeliveryResult;
export type SendTestOptions = { onProgress?: (p: SendTestProgress) => void };

/** Validates the message; the first problem becomes an AppError naming the field. */
export function parseTestMessage(input: TestMessageInput): TestMessage {
  const parsed = testMessageSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("invalid_input", issue?.message ?? "Invalid message", { field: issue?.path.map(String).join(".") || undefined });
  }
  return parsed.data;
}

function activitySummary(r: SendResult): string {
  const n = r.to.length + r.cc.length + r.bcc.length;
  const what =
    r.outcome === "logged"
      ? "Test message logged (log-only profile, nothing sent)"
      : r.outcome === "delivered"
        ? `Test message sent via ${r.transport === "graph" ? "Graph" : "SMTP"}`
        : r.outcome === "partial"
          ? "Test message partly delivered via SMTP"
          : "Test send failed";
  return `${what} from ${r.from} to ${n} recipient${n === 1 ? "" : "s"}: ${r.summary}${r.fallbackToLoginUser ? " (retried with login user)" : ""}${r.tokenRefreshed ? " (token refreshed once)" : ""}`;
}

export async function sendTestMessage(actor: Actor, profileId: string, input: TestMessageInput, options: SendTestOptions = {}): Promise<SendResult> {
  return sendValidatedTestMessage(actor, profileId, parseTestMessage(input), options);
}

/**
 * The same for a message already validated, whose attachments may be streamed temp files (the
 * send-test route, lib/mail/test-upload.ts): the caller removes those files after this returns.
 */
export async function sendValidatedTestMessage(actor: Actor, profileId: string, message: DeliverableTestMessage, options: SendTestOptions = {}): Promise<SendResult> {
  const { profile, secrets } = await loadProfileWithSecrets(actor, profileId);
  const result = await deliver({ actor, profile, secrets, message: { type: "test", message }, onProgress: options.onProgress });
  await recordTestOutcome(actor, profile, {
    action: "mail.send",
    ok: result.ok,
    summary: activitySummary(result),
    durationMs: result.durationMs,
    remoteReply: result.remoteReply,
    error: result.error,
    transcript: result.transcript,
    okStatus: "Test send ok",
    failurePrefix: result.outcome === "partial" ? "Send partly delivered" : "Send",
    fallbackDetail: result.summary,
  });
  return result;
}
