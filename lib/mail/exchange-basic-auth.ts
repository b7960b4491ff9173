/**
 * Exchange Online's retirement of Basic authentication for SMTP AUTH (Client Submission), as
 * Microsoft's Exchange Team updated it on 27 January 2026 ("Updated Exchange Online SMTP AUTH
 * Basic Authentication Deprecation Timeline"): nothing changes until December 2026; at the end
 * of December 2026 Basic SMTP AUTH is disabled by default for existing tenants (admins can turn it
 * back on); new tenants created after that have it unavailable by default; the final removal date
 * is to be announced in the second half of 2027.
 *
 * The one place these facts live: the doctor, the guided setup, the profile forms and kind
 * descriptions, the legacy-basic warning and the dashboard all read them from here, so a change
 * of plan at Microsoft is one edit. Pure (no I/O), safe for client components.
 */

export const EXCHANGE_BASIC_AUTH = {
  /** When Microsoft published the current timeline. */
  announced: "27 January 2026",
  source: "Exchange Team blog, 27 January 2026",
  /** Until then nothing changes. */
  unchangedUntil: "December 2026",
  /** "End of December 2026": off by default for existing tenants from this instant on. */
  offByDefaultAt: new Date("2026-12-31T00:00:00Z"),
  offByDefaultLabel: "the end of December 2026",
  /** Not yet known; Microsoft announces it in the second half of 2027. */
  finalRemoval: "to be announced in the second half of 2027",
  /** Hosts that are Exchange Online's SMTP AUTH endpoints. */
  smtpHosts: ["smtp.office365.com", "outlook.office365.com", "smtp-legacy.office365.com"] as readonly string[],
} as const;

/** Where Exchange Online is on the timeline at `now`. */
export type ExchangeBasicAuthPhase = "unchanged" | "off-by-default";

export function exchangeBasicAuthPhase(now: Date): ExchangeBasicAuthPhase {
  return now >= EXCHANGE_BASIC_AUTH.offByDefaultAt ? "off-by-default" : "unchanged";
}

/** True when `host` is one of Exchange Online's SMTP AUTH endpoints (case-insensitive). */
export function isExchangeOnlineSmtpHost(host: string | undefined | null): boolean {
  return Boolean(host) && EXCHANGE_BASIC_AUTH.smtpHosts.includes(host!.trim().toLowerCase());
}

/** The whole timeline in one sentence, independent of today (forms, kind descriptions, README). */
export const EXCHANGE_BASIC_AUTH_TIMELINE =
  "Exchange Online keeps Basic SMTP AUTH unchanged until December 2026; at the end of December 2026 it is disabled by default for existing tenants (a tenant admin can turn it back on), new tenants get it unavailable by default after that, and Microsoft announces the final removal date in the second half of 2027.";

/** Short form for one-line descriptions (profile kind list). */
export const EXCHANGE_BASIC_AUTH_SHORT = "Exchange Online turns it off by default at the end of December 2026 (admins can re-enable it until the final removal, announced in the second half of 2027).";

/** Whole days from `now` until Basic SMTP AUTH is off by default (0 once it is). */
export function daysUntilOffByDefault(now: Date): number {
  return Math.max(0, Math.ceil((EXCHANGE_BASIC_AUTH.offByDefaultAt.getTime() - now.getTime()) / 86_400_000));
}

/**
 * What is true at `now`, for warnings (legacy-basic profile page, doctor, dashboard): a headline
 * and the detail with what to do.
 */
export function describeExchangeBasicAuth(now: Date): { phase: ExchangeBasicAuthPhase; headline: string; detail: string } {
  if (exchangeBasicAuthPhase(now) === "unchanged") {
    const days = daysUntilOffByDefault(now);
    return {
      phase: "unchanged",
      headline: `Exchange Online turns Basic SMTP AUTH off by default at the end of December 2026 (in ${days} day${days === 1 ? "" : "s"})`,
      detail:
        "Until then smtp.office365.com still accepts username/password where the tenant allows it. After that existing tenants have it disabled by default (a tenant admin can turn it back on), new tenants cannot use it, and the final removal date is announced in the second half of 2027. Move Microsoft 365 senders to an OAuth profile now.",
    };
  }
  return {
    phase: "off-by-default",
    headline: "Exchange Online has Basic SMTP AUTH off by default since the end of December 2026",
    detail:
      "smtp.office365.com refuses username/password (550 5.7.30) unless a tenant admin turned Basic SMTP AUTH back on; tenants created since then cannot use it, and Microsoft announces the final removal date in the second half of 2027. Move Microsoft 365 senders to an OAuth profile.",
  };
}
