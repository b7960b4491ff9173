import "server-only";
import { systemActor } from "../auth/actor";
import { isAppError } from "../errors";
import { deliver } from "../mail/pipeline";
import { parseTestMessage } from "../mail/send-test";
import { loadProfileWithSecrets } from "../profiles/dal";
import { MINUTE, type Clock } from "./clock";
import {
  MAX_ATTEMPTS,
  RETRY_DELAYS_MINUTES,
  claimDueDeliveries,
  getAlert,
  loadChannelWithSecrets,
  markDelivery,
  setChannelStatus,
  toAlertMessage,
  type ChannelDto,
  type ChannelSecrets,
} from "./alerts";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, renderAlertEmail, renderWebhookPayload, signWebhookBody } from "./payloads";
import type { AlertMessage } from "./types";

/**
 * Sends queued alerts to their channels. Each delivery has its own timeout; a receiver that
 * hangs or answers 500 is retried later with backoff (1, 5, 15, 60, 240 minutes) and never
 * holds up the checks, which only queue deliveries. The webhook URL never appears in an error.
 */

export type DeliveryOptions = { timeoutMs?: number; concurrency?: number };

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_ERROR_BODY = 300;

export type SendOutcome = { ok: true; detail: string } | { ok: false; error: string };

/** One attempt to one channel. Never throws; never names the webhook URL (it holds a token). */
export async function sendToChannel(channel: ChannelDto, secrets: ChannelSecrets, message: AlertMessage, options: DeliveryOptions = {}): Promise<SendOutcome> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (channel.type === "email") {
    if (!channel.profileId) return { ok: false, error: "The profile that sent this channel's emails was deleted: choose another profile (delete and re-add the channel)." };
    const { subject, body } = renderAlertEmail(message);
    try {
      // The console's one delivery pipeline (token, transport, one retry on a rejected token).
      const actor = systemActor();
      const { profile, secrets } = await loadProfileWithSecrets(actor, channel.profileId);
      const res = await deliver({ actor, profile, secrets, message: { type: "test", message: parseTestMessage({ to: [channel.target], subject, body }), headers: { "X-OMC-Alert": message.id } } });
      return res.ok ? { ok: true, detail: res.summary } : { ok: false, error: `${res.summary}${res.error?.fix ? ` — ${res.error.fix}` : ""}` };
    } catch (error) {
      return { ok: false, error: isAppError(error) ? error.userMessage : "the email could not be sent" };
    }
  }
  if (!secrets.url) return { ok: false, error: "The channel has no webhook URL stored." };
  const body = JSON.stringify(renderWebhookPayload(channel.format || "generic", message));
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "OAuth-Mail-Console-Monitor/1", [EVENT_HEADER]: message.event, [DELIVERY_HEADER]: message.id };
  if (channel.format === "generic" && secrets.signingSecret) {
    const ts = Math.floor(Date.now() / 1000);
    headers[TIMESTAMP_HEADER] = String(ts);
    headers[SIGNATURE_HEADER] = signWebhookBody(secrets.signingSecret, ts, body);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    // Never follow redirects: the URL is a credential, and a redirect would carry the body elsewhere.
    const res = await fetch(secrets.url, { method: "POST", headers, body, redirect: "manual", signal: controller.signal });
    const text = (await res.text()).slice(0, MAX_ERROR_BODY).replace(/\s+/g, " ").trim();
    if (res.status >= 200 && res.status < 300) {
      // Slack answers 200 "ok"; Teams workflows 202; a legacy Teams connector may answer 200 with an error text.
      if (channel.format === "teams" && /^(Webhook message delivery failed|Microsoft Teams endpoint returned HTTP error)/i.test(text)) return { ok: false, error: `${channel.target} answered ${res.status}: ${text}` };
      return { ok: true, detail: `${channel.target} answered ${res.status}${text ? ` ${text.slice(0, 60)}` : ""}` };
    }
    if (res.status >= 300 && res.status < 400) return { ok: false, error: `${channel.target} answered ${res.status} (a redirect; not followed — use the final URL)` };
    return { ok: false, error: `${channel.target} answered ${res.status}${text ? `: ${text}` : ""}${res.status === 404 || res.status === 403 ? " — the webhook may have been removed; create a new one and re-add the channel" : ""}` };
  } catch (error) {
    if (controller.signal.aborted) return { ok: false, error: `${channel.target} did not answer within ${Math.round(timeoutMs / 1000)} s` };
    const e = error as { cause?: { code?: string; message?: string }; message?: string };
    const code = e.cause?.code ?? "";
    return { ok: false, error: `${channel.target}: ${code || "request failed"}${code === "ENOTFOUND" ? " (host name not found)" : code === "ECONNREFUSED" ? " (connection refused)" : ""}` };
  } finally {
    clearTimeout(timer);
  }
}

export type DeliveryReport = { delivered: number; retrying: number; failed: number };

/**
 * Delivers every due delivery (optionally only those of one alert), `concurrency` at a time.
 * On failure: the next attempt after RETRY_DELAYS_MINUTES[attempt-1]; after MAX_ATTEMPTS the
 * delivery is marked failed. The channel's status follows its latest attempt.
 */
export async function deliverDueAlerts(clock: Clock, options: DeliveryOptions & { onlyAlertId?: string; maxAttempts?: number } = {}): Promise<DeliveryReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const report: DeliveryReport = { delivered: 0, retrying: 0, failed: 0 };
  const due = await claimDueDeliveries(clock.now(), 200, timeoutMs + 2 * MINUTE, options.onlyAlertId);
  const queue = [...due];
  const worker = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      const [alert, loaded] = await Promise.all([getAlert(d.alertId), loadChannelWithSecrets(d.channelId).catch(() => null)]);
      if (!alert || !loaded) continue;
      const outcome = await sendToChannel(loaded.channel, loaded.secrets, toAlertMessage(alert), { timeoutMs });
      const at = clock.now();
      if (outcome.ok) {
        await markDelivery(d.id, { ok: true, at });
        await setChannelStatus(loaded.channel.id, "ok", outcome.detail, at);
        report.delivered++;
        continue;
      }
      const attempts = d.attempts + 1;
      const max = options.maxAttempts ?? (alert.event === "test" ? 1 : MAX_ATTEMPTS);
      const retryAt = attempts < max ? new Date(at.getTime() + RETRY_DELAYS_MINUTES[Math.min(attempts - 1, RETRY_DELAYS_MINUTES.length - 1)] * MINUTE) : null;
      await markDelivery(d.id, { ok: false, at, error: outcome.error, attempts, retryAt });
      await setChannelStatus(loaded.channel.id, "failing", `${outcome.error}${retryAt ? ` (attempt ${attempts}; next try ${retryAt.toISOString()})` : ` (gave up after ${attempts} attempt${attempts === 1 ? "" : "s"})`}`);
      if (retryAt) report.retrying++;
      else report.failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, Math.max(queue.length, 1)) }, worker));
  return report;
}
