import "server-only";
import { randomUUID } from "node:crypto";
import type { Actor } from "../auth/actor";
import { isAppError, tokenFailureOf } from "../errors";
import { findAndDeleteByHeader } from "../mail/imap-canary";
import { deliver } from "../mail/pipeline";
import { parseTestMessage } from "../mail/send-test";
import { imapTargetOf } from "../mail/targets";
import { findProfile, loadProfileWithSecrets, type ProfileDto } from "../profiles/dal";
import { getConsoleSettings } from "../settings/dal";
import { getAccessToken } from "../tokens";
import type { CheckStatus } from "./types";

/**
 * The canary: an end-to-end proof that mail flows. Sends a message through the profile (the
 * one delivery pipeline the console uses for every send) to a chosen mailbox, with a unique
 * X-OMC-Canary header; then, through an IMAP-capable profile that reads that mailbox, waits
 * until the message is there (within the time limit), records the latency (submission start →
 * found) and deletes it. A transient failure on the way (IdP outage, 4xx, network) is
 * "unknown"; a message that never arrives, or a permanent refusal, is "failing".
 */

export const CANARY_HEADER = "X-OMC-Canary";

export type CanaryConfig = { to?: string; imapProfileId?: string; timeLimitSeconds?: number; pollMs?: number };

export type CanaryOutcome = { status: CheckStatus; message: string; hint: string; latencyMs?: number };

export async function runCanary(actor: Actor, profile: ProfileDto, config: CanaryConfig): Promise<CanaryOutcome> {
  if (!config.to || !config.imapProfileId) return { status: "unknown", message: "The canary has no recipient or IMAP profile configured.", hint: "Configure the canary on the profile page." };
  const imapProfile = await findProfile(actor, config.imapProfileId);
  if (!imapProfile) return { status: "failing", message: "The IMAP profile that reads the canary mailbox was deleted.", hint: "Choose another IMAP profile for the canary on the profile page." };
  const target = imapTargetOf(imapProfile.settings);
  if (!target) return { status: "failing", message: `Profile "${imapProfile.name}" has no IMAP access to read the canary mailbox.`, hint: "Choose a profile with IMAP (Microsoft 365 delegated/app/authorization code, Google service account, or generic OAuth with an IMAP host)." };

  const id = randomUUID();
  const limitMs = (config.timeLimitSeconds ?? 300) * 1000;
  const { secrets } = await loadProfileWithSecrets(actor, profile.id);
  const sentAt = Date.now();
  const sent = await deliver({
    actor,
    profile,
    secrets,
    message: {
      type: "test",
      message: parseTestMessage({ to: [config.to], subject: `Canary ${id.slice(0, 8)} from the OAuth Mail Console`, body: `End-to-end canary from the OAuth Mail Console (profile "${profile.name}").\nIt is deleted automatically when it arrives.\n\nCanary id: ${id}\n` }),
      headers: { [CANARY_HEADER]: id },
    },
  });
  if (!sent.ok) {
    const transient = sent.error?.transient ?? false;
    return { status: transient ? "unknown" : "failing", message: `Canary not sent: ${sent.summary}`, hint: sent.error?.fix ?? "" };
  }
  if (sent.transport === "log-only") return { status: "failing", message: "A log-only profile sends nothing: a canary cannot arrive.", hint: "Enable the canary only on profiles that send." };

  let accessToken: string;
  try {
    accessToken = (await getAccessToken(actor, imapProfile.id, { purpose: "imap" })).accessToken;
  } catch (error) {
    if (!isAppError(error)) throw error;
    const transient = tokenFailureOf(error)?.transient === true || error.code === "timeout";
    return { status: "unknown", message: `Canary sent, but no IMAP token for "${imapProfile.name}" to confirm it: ${error.userMessage}`, hint: transient ? "A temporary problem at the identity provider; the next run tries again." : (error.hint ?? "") };
  }
  const { imapTimeoutSeconds } = await getConsoleSettings();
  const found = await findAndDeleteByHeader({ ...target, accessToken, header: CANARY_HEADER, value: id, deadline: sentAt + limitMs, pollMs: config.pollMs, timeoutMs: imapTimeoutSeconds * 1000, kind: imapProfile.kind });
  if (!found.ok) {
    return { status: "unknown", message: `Canary sent, but the mailbox could not be read through "${imapProfile.name}": ${found.message}`, hint: found.fix };
  }
  if (!found.found) {
    return {
      status: "failing",
      message: `The canary sent to ${config.to} (${sent.summary}) did not arrive within ${Math.round(limitMs / 1000)} s.`,
      hint: "The server accepted it but it never reached the mailbox: check the message trace (Exchange admin center → Mail flow → Message trace) for the recipient, transport rules, quarantine and spam filtering.",
    };
  }
  const latencyMs = found.foundAt - sentAt;
  return { status: "ok", message: `Canary arrived at ${config.to} in ${(latencyMs / 1000).toFixed(1)} s${found.deleted ? " and was deleted" : " (could not delete it)"}.`, hint: "", latencyMs };
}
