/** Shared monitor types: safe to import from client components (no server code). */

export const CHECK_TYPES = ["token", "expiry", "canary", "relay"] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

/**
 * The verdict of one run. `unknown` means the check could not decide (the identity provider or
 * the network had a transient problem): it never turns a check failing and never alerts.
 */
export type CheckStatus = "ok" | "warning" | "failing" | "unknown";

/** A check that has never run yet shows "pending". */
export type CheckState = CheckStatus | "pending";

export const CHECK_LABELS: Record<CheckType, string> = {
  token: "Token health",
  expiry: "Expiry",
  canary: "Canary (end-to-end)",
  relay: "Relay health",
};

export type AlertEvent = "failing" | "recovered" | "reminder" | "expiring" | "test";

export const ALERT_EVENT_LABELS: Record<AlertEvent, string> = {
  failing: "Turned failing",
  recovered: "Recovered",
  reminder: "Still failing",
  expiring: "Expiry warning",
  test: "Test alert",
};

export const WEBHOOK_FORMATS = ["generic", "teams", "slack"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** What every channel is given to say: the documented fields of the generic webhook. */
export type AlertMessage = {
  /** Alert id: the same for every channel of one alert (receivers may de-duplicate on it). */
  id: string;
  event: AlertEvent;
  /** Profile name, or null for console-wide checks (relay). */
  profile: string | null;
  /** Check type, e.g. "token". */
  check: string;
  status: CheckState;
  message: string;
  hint: string;
  /** ISO time of the alert. */
  at: string;
  /** Where to look: the console's URL for the profile or the alert history. */
  url?: string;
};
