import type { CertificateInfo } from "../crypto/certificate";
import type { ProfileSettings } from "../profiles/schema";
import { DAY } from "./clock";
import { daysUntil, EXPIRY_THRESHOLDS_DAYS } from "./decide";
import type { CheckStatus } from "./types";

/**
 * What can expire on a profile, and when. Pure.
 *  - certificate: the stored certificate's notAfter (Entra rejects assertions after it);
 *  - client secret: the expiry date an admin copied from Certificates & secrets (AADSTS7000222 after it);
 *  - service-account key: Google keys do not expire by default, but they should be rotated;
 *    the console counts the key's age from when it first saw this key id and asks for rotation
 *    after SERVICE_ACCOUNT_KEY_ROTATE_DAYS.
 */
export const SERVICE_ACCOUNT_KEY_ROTATE_DAYS = 90;

export type ExpiryItemKind = "certificate" | "client-secret" | "service-account-key";

export type ExpiryItem = {
  kind: ExpiryItemKind;
  /** Stable per credential: a renewed certificate / new secret date / new key id is a new item. */
  key: string;
  label: string;
  /** ISO date the credential expires, or (service-account key) should be rotated by. */
  expiresAt: string;
  daysLeft: number;
  /** A rotation recommendation is a warning at most; an expired certificate or secret fails. */
  hard: boolean;
};

/** The service-account key the expiry check has seen: its id and when it was first seen. */
export type KeySighting = { keyId: string; firstSeenAt: string };

export function expiryItemsOf(
  profile: { settings: ProfileSettings; certificate: CertificateInfo | null; secretsSet: Partial<Record<string, boolean>> },
  now: Date,
  keySighting?: KeySighting,
): ExpiryItem[] {
  const items: ExpiryItem[] = [];
  const s = profile.settings;
  if (profile.certificate) {
    const at = new Date(profile.certificate.notAfter);
    items.push({ kind: "certificate", key: `certificate:${profile.certificate.sha1Hex}`, label: `Certificate ${profile.certificate.subject}`, expiresAt: at.toISOString(), daysLeft: daysUntil(at, now), hard: true });
  }
  if (s.secretExpiresAt && profile.secretsSet.clientSecret) {
    // The date Azure shows is the last day the secret works (UTC end of day).
    const at = new Date(`${s.secretExpiresAt}T23:59:59.999Z`);
    items.push({ kind: "client-secret", key: `client-secret:${s.secretExpiresAt}`, label: "Client secret", expiresAt: at.toISOString(), daysLeft: daysUntil(at, now), hard: true });
  }
  if (s.kind === "google-service-account" && keySighting) {
    const at = new Date(new Date(keySighting.firstSeenAt).getTime() + SERVICE_ACCOUNT_KEY_ROTATE_DAYS * DAY);
    items.push({ kind: "service-account-key", key: `service-account-key:${keySighting.keyId}`, label: `Service-account key ${keySighting.keyId.slice(0, 12)}`, expiresAt: at.toISOString(), daysLeft: daysUntil(at, now), hard: false });
  }
  return items;
}

/** The verdict over the items: failing if a certificate or secret has expired, warning within 30 days. */
export function expiryVerdict(items: ExpiryItem[]): { status: CheckStatus; message: string; hint: string } {
  if (items.length === 0) return { status: "ok", message: "Nothing on this profile expires (no certificate, no secret expiry date, no key).", hint: "" };
  const sorted = [...items].sort((a, b) => a.daysLeft - b.daysLeft);
  const expired = sorted.filter((i) => i.daysLeft <= 0 && i.hard);
  if (expired.length) {
    const i = expired[0];
    return { status: "failing", message: `${i.label} expired on ${i.expiresAt.slice(0, 10)}.`, hint: renewHint(i) };
  }
  const soon = sorted.filter((i) => i.daysLeft <= EXPIRY_THRESHOLDS_DAYS[0]);
  if (soon.length) {
    const i = soon[0];
    return { status: "warning", message: `${i.label} ${i.daysLeft <= 0 ? "is due for rotation since" : `${i.hard ? "expires" : "should be rotated by"} in ${i.daysLeft} day${i.daysLeft === 1 ? "" : "s"}, on`} ${i.expiresAt.slice(0, 10)}.`, hint: renewHint(i) };
  }
  const next = sorted[0];
  return { status: "ok", message: `Next: ${next.label} ${next.hard ? "expires" : "rotation due"} ${next.expiresAt.slice(0, 10)} (in ${next.daysLeft} days).`, hint: "" };
}

export function renewHint(i: Pick<ExpiryItem, "kind">): string {
  switch (i.kind) {
    case "certificate":
      return "Upload a new certificate to the app registration (Certificates & secrets → Certificates), then put the new certificate and private key on the profile.";
    case "client-secret":
      return "Create a new client secret in the app registration (Certificates & secrets → New client secret), paste its Value into the profile and set the new expiry date.";
    case "service-account-key":
      return "Create a new JSON key for the service account (Google Cloud → IAM → Service accounts → Keys), upload it to the profile, then delete the old key.";
  }
}
