import { DAY, HOUR } from "./clock";
import type { AlertEvent, CheckStatus } from "./types";

/**
 * When to alert. Pure: the check's alerting state and a new verdict in, the events to send and
 * the next state out. Rules:
 *  - one alert when a check turns failing, one when it recovers (ok or warning): no storm;
 *  - `unknown` (a transient outage) changes nothing: a blip neither alerts nor recovers;
 *  - while failing, a reminder every `reminderHours`.
 */
export type AlertingState = { alertState: "ok" | "failing"; failingSince: Date | null; lastAlertAt: Date | null };

export function decideAlert(state: AlertingState, status: CheckStatus, now: Date, reminderHours: number): { event: AlertEvent | null; next: AlertingState } {
  if (status === "unknown") return { event: null, next: state };
  if (status === "failing") {
    if (state.alertState !== "failing") return { event: "failing", next: { alertState: "failing", failingSince: now, lastAlertAt: now } };
    const last = state.lastAlertAt?.getTime() ?? 0;
    if (reminderHours > 0 && now.getTime() - last >= reminderHours * HOUR) return { event: "reminder", next: { ...state, lastAlertAt: now } };
    return { event: null, next: state };
  }
  if (state.alertState === "failing") return { event: "recovered", next: { alertState: "ok", failingSince: null, lastAlertAt: now } };
  return { event: null, next: state };
}

/** Expiry warnings go out once each at these many days before the date. */
export const EXPIRY_THRESHOLDS_DAYS = [30, 14, 7, 1] as const;

/** Whole days from `now` to `at` (rounded up: 36 hours left is "2 days"); negative once past. */
export function daysUntil(at: Date, now: Date): number {
  return Math.ceil((at.getTime() - now.getTime()) / DAY) || 0;
}

/**
 * The threshold to warn about now, or null. `warnedDays` is the smallest threshold already warned
 * for this item (undefined: none). With 10 days left and nothing warned yet, one warning (14) is
 * sent — not 30 and 14 together; already-expired items are the failing alert's job.
 */
export function expiryWarningDue(daysLeft: number, warnedDays: number | undefined): number | null {
  if (daysLeft <= 0) return null;
  const crossed = EXPIRY_THRESHOLDS_DAYS.filter((t) => daysLeft <= t);
  if (crossed.length === 0) return null;
  const smallest = Math.min(...crossed);
  if (warnedDays !== undefined && warnedDays <= smallest) return null;
  return smallest;
}
