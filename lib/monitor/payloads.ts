import { createHmac } from "node:crypto";
import { ALERT_EVENT_LABELS, CHECK_LABELS, type AlertMessage, type CheckType, type WebhookFormat } from "./types";

/**
 * The request bodies of the alert channels. Pure: message in, JSON out.
 *
 * - generic: the documented fields (event, profile, check, status, message, hint, at, plus id
 *   and url) as JSON, signed (see signWebhookBody).
 * - teams: a Teams "message" with one Adaptive Card attachment — the format Teams incoming
 *   webhooks and the Workflows app ("Post to a channel when a webhook request is received")
 *   accept: { type: "message", attachments: [{ contentType:
 *   "application/vnd.microsoft.card.adaptive", contentUrl: null, content: AdaptiveCard }] }.
 *   Teams rejects payloads over 28 KB: texts are clipped.
 * - slack: an incoming-webhook message: `text` (the notification fallback) plus Block Kit
 *   `blocks` (header ≤ 150 characters of plain_text, section text ≤ 3000, ≤ 10 fields).
 */

export const SIGNATURE_HEADER = "X-OMC-Signature";
export const TIMESTAMP_HEADER = "X-OMC-Timestamp";
export const EVENT_HEADER = "X-OMC-Event";
export const DELIVERY_HEADER = "X-OMC-Delivery";

const TEAMS_TEXT_MAX = 4000;
const SLACK_HEADER_MAX = 150;
const SLACK_SECTION_MAX = 3000;
const SLACK_FIELD_MAX = 2000;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function checkLabel(check: string): string {
  return CHECK_LABELS[check as CheckType] ?? check;
}

/** "Turned failing: payroll · Token health" — the one-line title every format uses. */
export function alertTitle(m: AlertMessage): string {
  if (m.event === "test") return ALERT_EVENT_LABELS.test;
  return `${ALERT_EVENT_LABELS[m.event]}: ${m.profile ? `${m.profile} · ` : ""}${checkLabel(m.check)}`;
}

export function renderGenericPayload(m: AlertMessage): Record<string, unknown> {
  return { id: m.id, event: m.event, profile: m.profile, check: m.check, status: m.status, message: m.message, hint: m.hint, at: m.at, ...(m.url ? { url: m.url } : {}) };
}

const TEAMS_COLOR: Record<AlertMessage["event"], "attention" | "good" | "warning" | "accent"> = {
  failing: "attention",
  reminder: "attention",
  recovered: "good",
  expiring: "warning",
  test: "accent",
};

export function renderTeamsPayload(m: AlertMessage): Record<string, unknown> {
  const facts = [
    { title: "Profile", value: m.profile ?? "(console)" },
    { title: "Check", value: checkLabel(m.check) },
    { title: "Status", value: m.status },
    { title: "At", value: m.at },
  ];
  const body: Record<string, unknown>[] = [
    { type: "TextBlock", text: clip(alertTitle(m), 200), weight: "Bolder", size: "Medium", color: TEAMS_COLOR[m.event], wrap: true },
    { type: "TextBlock", text: clip(m.message, TEAMS_TEXT_MAX), wrap: true },
  ];
  if (m.hint) body.push({ type: "TextBlock", text: clip(`What to do: ${m.hint}`, TEAMS_TEXT_MAX), wrap: true, isSubtle: true });
  body.push({ type: "FactSet", facts });
  const card: Record<string, unknown> = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body,
    ...(m.url ? { actions: [{ type: "Action.OpenUrl", title: "Open in the console", url: m.url }] } : {}),
  };
  return { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card }] };
}

/** Slack mrkdwn treats &, < and > as control characters: they must be escaped. */
function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function renderSlackPayload(m: AlertMessage): Record<string, unknown> {
  const title = alertTitle(m);
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: clip(title, SLACK_HEADER_MAX), emoji: true } },
    { type: "section", text: { type: "mrkdwn", text: clip(slackEscape(m.message), SLACK_SECTION_MAX) } },
  ];
  if (m.hint) blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(`*What to do:* ${slackEscape(m.hint)}`, SLACK_SECTION_MAX) } });
  blocks.push({
    type: "section",
    fields: [
      { type: "mrkdwn", text: clip(`*Profile*\n${slackEscape(m.profile ?? "(console)")}`, SLACK_FIELD_MAX) },
      { type: "mrkdwn", text: clip(`*Check*\n${slackEscape(checkLabel(m.check))}`, SLACK_FIELD_MAX) },
      { type: "mrkdwn", text: `*Status*\n${m.status}` },
      { type: "mrkdwn", text: `*At*\n${m.at}` },
    ],
  });
  if (m.url) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `<${m.url}|Open in the console>` }] });
  // `text` is what notifications and clients without Block Kit show.
  return { text: clip(`${title} — ${m.message}`, SLACK_SECTION_MAX), blocks };
}

export function renderWebhookPayload(format: WebhookFormat, m: AlertMessage): Record<string, unknown> {
  switch (format) {
    case "teams":
      return renderTeamsPayload(m);
    case "slack":
      return renderSlackPayload(m);
    default:
      return renderGenericPayload(m);
  }
}

/**
 * The signature of a generic webhook request: hex HMAC-SHA256 over "<timestamp>.<raw body>" with
 * the channel's signing secret, sent as `X-OMC-Signature: sha256=<hex>` next to
 * `X-OMC-Timestamp: <unix seconds>`. Receivers recompute it, compare in constant time and
 * refuse old timestamps (replays).
 */
export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** The plain-text email of an alert (email channels). */
export function renderAlertEmail(m: AlertMessage): { subject: string; body: string } {
  const lines = [
    alertTitle(m),
    "",
    m.message,
    ...(m.hint ? ["", `What to do: ${m.hint}`] : []),
    "",
    `Profile: ${m.profile ?? "(console)"}`,
    `Check:   ${checkLabel(m.check)}`,
    `Status:  ${m.status}`,
    `At:      ${m.at}`,
    ...(m.url ? [`Console: ${m.url}`] : []),
    "",
    "— OAuth Mail Console monitoring",
  ];
  return { subject: clip(`[OAuth Mail Console] ${alertTitle(m)}`, 200), body: lines.join("\n") };
}
