/**
 * A profile's health as lists, badges and the dashboard show it: a typed union that records
 * which check set it and when. Plain types and constants, no zod, so client components may import it.
 */

/** The checks that may set a profile's health. */
export const HEALTH_CHECKS = ["send", "imap", "token", "authorization", "token-cache", "canary", "expiry"] as const;
export type HealthCheck = (typeof HEALTH_CHECKS)[number];

export const HEALTH_CHECK_LABEL: Record<HealthCheck, string> = {
  send: "send test",
  imap: "IMAP test",
  token: "token request",
  authorization: "authorization",
  "token-cache": "token cache",
  canary: "canary",
  expiry: "expiry check",
};

export type ProfileHealthStatus =
  | { state: "untested" }
  /** Set on import: a field only the console needs is missing (no check ran). */
  | { state: "incomplete"; detail: string }
  | { state: "ok" | "failing" | "needs-reauth"; check: HealthCheck; detail: string; /** ISO time the check set it; null for rows older than the column. */ at: string | null };

/** What a check reports: the state it found and one line of detail (the time is added when stored). */
export type HealthUpdate = { state: "ok" | "failing" | "needs-reauth"; check: HealthCheck; detail: string };

/** The typed health of a stored row (status, statusDetail, statusCheck, statusAt). */
export function healthOf(row: { status: string; statusDetail: string; statusCheck: string; statusAt: Date | null }): ProfileHealthStatus {
  const at = row.statusAt ? row.statusAt.toISOString() : null;
  const check = (HEALTH_CHECKS as readonly string[]).includes(row.statusCheck) ? (row.statusCheck as HealthCheck) : undefined;
  switch (row.status) {
    case "ok":
    case "failing":
    case "needs-reauth":
      // A row from before checks were recorded and not mapped by the migration: say "token" only for needs-reauth.
      return { state: row.status, check: check ?? (row.status === "needs-reauth" ? "token" : "send"), detail: row.statusDetail, at };
    case "incomplete":
      return { state: "incomplete", detail: row.statusDetail };
    default:
      return { state: "untested" };
  }
}

const STATE_LABEL: Record<ProfileHealthStatus["state"], string> = { ok: "Working", failing: "Failing", "needs-reauth": "Re-authorize", untested: "Untested", incomplete: "Incomplete" };

/**
 * The status badge's text: the state, and — when no send or IMAP test set it — the check that
 * did ("Failing · token request"), so a failing profile never sits unexplained next to an empty
 * test history. `title` is the detail line with the check and its time.
 */
export function healthBadge(health: ProfileHealthStatus): { label: string; title: string | undefined } {
  const base = STATE_LABEL[health.state];
  if (health.state === "untested") return { label: base, title: "No check has run yet" };
  if (health.state === "incomplete") return { label: base, title: health.detail || undefined };
  const by = HEALTH_CHECK_LABEL[health.check];
  const label = health.check === "send" || health.check === "imap" ? base : `${base} · ${by}`;
  return { label, title: `${health.detail}${health.detail ? " — " : ""}set by the ${by}${health.at ? ` at ${health.at.replace("T", " ").slice(0, 19)} UTC` : ""}` };
}

/** The test history's caption: "3 of 4 ok", or that no send or IMAP test has run. */
export function testHistoryLabel(ok: number, total: number): string {
  return total === 0 ? "No send or IMAP test yet" : `${ok} of ${total} ok`;
}
