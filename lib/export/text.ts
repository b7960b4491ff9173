/**
 * Small text helpers shared by the renderers and parsers (pure, no I/O).
 */
import { exportTimeZone } from "./time-zone";

/** Wall-clock parts of `date` in `timeZone`: an IANA name or a QTIMZON name (see ./time-zone). */
function zonedParts(date: Date, timeZone: string): Record<string, number> {
  const zone = exportTimeZone(timeZone);
  if ("offsetMinutes" in zone) {
    const d = new Date(date.getTime() + zone.offsetMinutes * 60_000);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
  }
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone: zone.iana,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  const out: Record<string, number> = {};
  for (const p of fmt.formatToParts(date)) if (p.type !== "literal") out[p.type] = Number(p.value);
  return out;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/**
 * iMail's cache timestamp `yyyy-MM-dd-HH.mm.ss`, as wall-clock time in the IBM i's time zone
 * (iMail compares it with the local clock of the IBM i, not UTC). `timeZone` is an IANA name or
 * an IBM i QTIMZON name (QN0600CST).
 */
export function formatIbmiTimestamp(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}-${pad(p.hour)}.${pad(p.minute)}.${pad(p.second)}`;
}

/** Parses `yyyy-MM-dd-HH.mm.ss` in `timeZone`. Returns null when the text has another shape. */
export function parseIbmiTimestamp(text: string, timeZone: string): Date | null {
  const m = text.trim().match(/^(\d{4})-(\d{2})-(\d{2})-(\d{2})\.(\d{2})\.(\d{2})$/);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  // Two passes find the offset that maps the wall-clock time back to an instant (DST-safe
  // except inside the skipped hour, where any answer is as good as another).
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(new Date(guess), timeZone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    guess += asUtc - shown;
  }
  const back = zonedParts(new Date(guess), timeZone);
  if (back.year !== y || back.month !== mo || back.day !== d) return null;
  return new Date(guess);
}

/** A file-name-safe form of a profile name. */
export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "profile"
  );
}

/**
 * Placeholders as printed in the reference documents (`<tenant_id>`, `xxxxxxxx-xxxx-…`,
 * `-----BEGIN PRIVATE KEY-----\n...\n`) and as the console writes them (`<CLIENT_SECRET>`).
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return (
    /^<[^<>]+>$/.test(v) ||
    /^x{8}-x{4}-x{4}-x{4}-x{12,13}$/i.test(v) ||
    /^-----BEGIN [A-Z ]*KEY-----(\\n|\n)\.\.\.(\\n|\n)-----END [A-Z ]*KEY-----(\\n|\n)?$/.test(v) ||
    // The iMail guide's `your-password`, `your-client-secret`; `sender@yourdomain.com` and
    // IBM's `yourdomain.onmicrosoft.com` (an address or domain at the example "yourdomain").
    /^your-[a-z-]+$/i.test(v) ||
    /^([^@\s]+@)?yourdomain(\.[a-z0-9-]+)+$/i.test(v)
  );
}

/** The 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length;
}

/** Secret placeholders written when secrets are not included. */
export const SECRET_PLACEHOLDER = {
  clientSecret: "<CLIENT_SECRET>",
  password: "<DELEGATED_PASSWORD>",
  token: "<ACCESS_TOKEN>",
};

export const NEWLINE = "\n";
