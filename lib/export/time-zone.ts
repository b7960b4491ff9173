/**
 * The IBM i's time zone, as the admin knows it: an IBM i `QTIMZON` time zone description name
 * (`QN0600CST`, what `DSPSYSVAL QTIMZON` shows) or an IANA name (`America/Chicago`). Pure and
 * zod-free: the profile schema, the exports, the CLI and the profile form's picker all use it.
 *
 * IBM i names its time zone descriptions Q + N (west of UTC) or P (east) + HHMM + an
 * abbreviation, except for a zero offset, which has no sign (`Q0000UTC`). The IBM-supplied
 * descriptions carry an "alternate name", the Olson/IANA zone Java uses; that table is below
 * (IBM i 7.3–7.5 "Time zone" topic, rzatitimezone). A name that is not IBM-supplied but follows
 * the pattern (a description the admin created with CRTTIMZON) is read from its name: a fixed
 * offset, daylight saving time unknown.
 */

/** IBM-supplied time zone descriptions → their alternate (IANA/Java) name. */
const IBM_SUPPLIED: Record<string, string> = {
  Q0000UTC: "UTC",
  Q0000GMT: "GMT",
  Q0000GMT2: "Europe/London",
  Q000GMT3: "Europe/London",
  QN0100UTCS: "Etc/GMT+1",
  QN0200UTCS: "Etc/GMT+2",
  QN0300UTCS: "Etc/GMT+3",
  QN0300CLT: "America/Santiago",
  QN0300UTC2: "America/Sao_Paulo",
  QN0330NST: "America/St_Johns",
  QN0330NST2: "America/St_Johns",
  QN0330NST3: "America/St_Johns",
  QN0330NST4: "America/St_Johns",
  QN0400UTCS: "Etc/GMT+4",
  QN0400AST: "Atlantic/Bermuda",
  QN0400AST2: "Atlantic/Bermuda",
  QN0400CLT: "America/Santiago",
  QN0400UTC2: "America/Caracas",
  QN0500UTCS: "Etc/GMT+5",
  QN0500EST: "America/New_York",
  QN0500EST2: "Etc/GMT+5",
  QN0500EST3: "America/New_York",
  QN0600UTCS: "Etc/GMT+6",
  QN0600CST: "America/Chicago",
  QN0600CST2: "America/Chicago",
  QN0600CST3: "America/Mexico_City",
  QN0600S: "America/Chicago",
  QN0700UTCS: "Etc/GMT+7",
  QN0700MST: "America/Denver",
  QN0700MST2: "America/Phoenix",
  QN0700MST3: "America/Denver",
  QN0700MST4: "America/Mazatlan",
  QN0700T: "America/Denver",
  QN0800UTCS: "Etc/GMT+8",
  QN0800PST: "America/Los_Angeles",
  QN0800PST2: "America/Los_Angeles",
  QN0800PST3: "America/Tijuana",
  QN0800U: "America/Los_Angeles",
  QN0900UTCS: "Etc/GMT+9",
  QN0900AST: "America/Anchorage",
  QN0900AST2: "America/Anchorage",
  QN1000UTCS: "Etc/GMT+10",
  QN1000HAST: "America/Adak",
  QN1000HAS2: "America/Adak",
  QN1000HST: "Pacific/Honolulu",
  QN1100UTCS: "Etc/GMT+11",
  QN1200UTCS: "Etc/GMT+12",
  QP1245UTCS: "Pacific/Chatham",
  QP1245UTC2: "Pacific/Chatham",
  QP1200UTCS: "Etc/GMT-12",
  QP1200NZST: "Pacific/Auckland",
  QP1200NZS2: "Pacific/Auckland",
  QP1200NZS3: "Pacific/Auckland",
  QP1100UTCS: "Etc/GMT-11",
  QP1000UTCS: "Etc/GMT-10",
  QP1000AEST: "Australia/Sydney",
  QP1000AES2: "Australia/Sydney",
  QP0930ACST: "Australia/Adelaide",
  QP0930ACS2: "Australia/Adelaide",
  QP0900UTCS: "Etc/GMT-9",
  QP0900JST: "Asia/Tokyo",
  QP0900KST: "Asia/Seoul",
  QP0900WIT: "Asia/Jayapura",
  QP0800UTCS: "Etc/GMT-8",
  QP0800AWST: "Australia/Perth",
  QP0800AWS2: "Australia/Perth",
  QP0800AWS3: "Australia/Perth",
  QP0800BST: "Asia/Shanghai",
  QP0800JIST: "Asia/Hong_Kong",
  QP0800WITA: "Asia/Makassar",
  QP0700UTCS: "Etc/GMT-7",
  QP0700WIB: "Asia/Jakarta",
  QP0600UTCS: "Etc/GMT-6",
  QP0600UTC2: "Asia/Almaty",
  QP0600UTC3: "Asia/Almaty",
  QP0530IST: "Asia/Kolkata",
  QP0500UTCS: "Etc/GMT-5",
  QP0500UTC2: "Asia/Aqtobe",
  QP0500UTC3: "Asia/Aqtobe",
  QP0400UTCS: "Etc/GMT-4",
  QP0400UTC2: "Asia/Aqtau",
  QP0400UTC3: "Asia/Aqtau",
  QP0300MSK: "Europe/Moscow",
  QP0300MSK2: "Europe/Moscow",
  QP0300UTCS: "Etc/GMT-3",
  QP0200UTCS: "Etc/GMT-2",
  QP0200EET: "Europe/Tallinn",
  QP0200EET2: "Etc/GMT-2",
  QP0200EET3: "Europe/Tallinn",
  QP0200SAST: "Africa/Johannesburg",
  QP0100UTCS: "Etc/GMT-1",
  QP0100CET: "Europe/Zurich",
  QP0100CET2: "Europe/Zurich",
  QP0100CET3: "Europe/Zurich",
  QP0100CET4: "Europe/Zurich",
};

/** The IBM-supplied QTIMZON names, for the picker's suggestions. */
export const IBM_TIME_ZONE_NAMES: readonly string[] = Object.keys(IBM_SUPPLIED);

/** Q + N/P + HHMM + abbreviation (Q0000… without a sign), at most 10 characters (an IBM i object name). */
const QTIMZON_PATTERN = /^Q([NP]?)(\d{2})(\d{2})([A-Z0-9$#@_]{0,5})$/;

export type ResolvedTimeZone = {
  ok: true;
  /** What the admin typed, normalised (QTIMZON names upper-case). This is what is stored. */
  value: string;
  source: "qtimzon" | "iana";
  /** The QTIMZON name (IBM-supplied or read from its pattern), or null for an IANA name. */
  qtimzon: string | null;
  ibmSupplied: boolean;
  /** The IANA zone the exports compute wall-clock times in; null only for a custom fractional offset. */
  iana: string | null;
  /** Standard-time offset from UTC in minutes (negative west of UTC). */
  offsetMinutes: number;
  /** Whether the zone observes daylight saving time (null when only the name is known). */
  dst: boolean | null;
  /** Why the zone differs from IBM's alternate name, when it does. */
  note?: string;
  /** One line for pages and the CLI: "QN0600CST = UTC−06:00 (America/Chicago, with daylight saving time)". */
  description: string;
};

/** The offset a QTIMZON name spells (minutes), or null when it spells none (Q000GMT3). */
function offsetFromName(name: string): number | null {
  const m = name.match(/^Q([NP]?)(\d{2})(\d{2})/);
  return m ? (m[1] === "N" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : null;
}

/** The IANA zone of a fixed offset (Etc/GMT zones carry the inverted, POSIX sign: UTC−6 is Etc/GMT+6), or null for a fractional one. */
function fixedZone(offsetMinutes: number): string | null {
  if (offsetMinutes % 60 !== 0) return null;
  const h = Math.abs(offsetMinutes / 60);
  return h === 0 ? "UTC" : `Etc/GMT${offsetMinutes < 0 ? "+" : "-"}${h}`;
}

export type TimeZoneError = { ok: false; message: string };

function isIana(name: string): boolean {
  // "+05:30" and the like are accepted by newer ICU versions only; the exports need a name.
  if (!/^[A-Za-z]/.test(name)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at `date`, in minutes. */
function offsetAt(iana: string, date: Date): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: iana, timeZoneName: "longOffset" }).formatToParts(date);
  const name = parts.find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = name.match(/GMT([+-])(\d{2}):(\d{2})/);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** Standard offset (the smaller of January's and July's) and whether the two differ (DST). */
function zoneFacts(iana: string, year = new Date().getUTCFullYear()): { offsetMinutes: number; dst: boolean } {
  const jan = offsetAt(iana, new Date(Date.UTC(year, 0, 15, 12)));
  const jul = offsetAt(iana, new Date(Date.UTC(year, 6, 15, 12)));
  return { offsetMinutes: Math.min(jan, jul), dst: jan !== jul };
}

/** "UTC−06:00" (with a real minus sign), "UTC+05:30", "UTC±00:00". */
export function formatUtcOffset(minutes: number): string {
  if (minutes === 0) return "UTC±00:00";
  const abs = Math.abs(minutes);
  return `UTC${minutes < 0 ? "−" : "+"}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

function describe(r: Omit<ResolvedTimeZone, "description" | "ok">): string {
  const dst = r.dst === null ? "daylight saving time as set in WRKTIMZON" : r.dst ? "with daylight saving time" : "no daylight saving time";
  const offset = formatUtcOffset(r.offsetMinutes);
  if (r.source === "iana") return `${r.value} = ${offset} standard time, ${dst}`;
  const where = r.iana && !r.iana.startsWith("Etc/") && r.iana !== "UTC" && r.iana !== "GMT" ? `${r.iana}, ` : "";
  const custom = r.ibmSupplied ? "" : " — not an IBM-supplied description: offset read from its name";
  return `${r.value} = ${offset} (${where}${dst})${custom}`;
}

/**
 * Reads a QTIMZON name or an IANA name. Returns `{ ok: false, message }` naming what was
 * expected for anything else (an unknown IANA name, a Q-name with an impossible offset, …).
 */
export function resolveTimeZone(input: string): ResolvedTimeZone | TimeZoneError {
  const text = input.trim();
  if (!text) return { ok: false, message: "Time zone is required: a QTIMZON name such as QN0600CST or an IANA name such as America/Chicago" };
  const upper = text.toUpperCase();
  const known = IBM_SUPPLIED[upper];
  if (known) {
    const facts = zoneFacts(known);
    const named = offsetFromName(upper);
    // The IBM i keeps time by its own description: where the alternate zone's rules have changed
    // since (Almaty, Aqtau, Santiago), the description's offset wins, as a fixed offset.
    if (named !== null && named !== facts.offsetMinutes) {
      const note = `IBM's alternate name ${known} is ${formatUtcOffset(facts.offsetMinutes)} today; the IBM i uses the description's ${formatUtcOffset(named)}`;
      const base = { value: upper, source: "qtimzon" as const, qtimzon: upper, ibmSupplied: true, iana: fixedZone(named), offsetMinutes: named, dst: false, note };
      return { ok: true, ...base, description: `${describe(base)}; ${note}` };
    }
    const base = { value: upper, source: "qtimzon" as const, qtimzon: upper, ibmSupplied: true, iana: known, ...facts };
    return { ok: true, ...base, description: describe(base) };
  }
  const m = upper.match(QTIMZON_PATTERN);
  if (m && upper.length <= 10 && (m[1] || `${m[2]}${m[3]}` === "0000")) {
    const hours = Number(m[2]);
    const minutes = Number(m[3]);
    if (minutes > 59) return { ok: false, message: `Time zone minutes must be 00–59: ${upper} has "${m[3]}" (Q, N or P, HHMM, abbreviation — e.g. QN0600CST)` };
    const offsetMinutes = (m[1] === "N" ? -1 : 1) * (hours * 60 + minutes);
    if (offsetMinutes < -12 * 60 || offsetMinutes > 14 * 60) return { ok: false, message: `Time zone must be within UTC−12:00 to UTC+14:00: ${upper} means ${formatUtcOffset(offsetMinutes)}` };
    const iana = fixedZone(offsetMinutes);
    const base = { value: upper, source: "qtimzon" as const, qtimzon: upper, ibmSupplied: false, iana, offsetMinutes, dst: null };
    return { ok: true, ...base, description: describe(base) };
  }
  if (isIana(text)) {
    const facts = zoneFacts(text);
    const base = { value: text, source: "iana" as const, qtimzon: null, ibmSupplied: false, iana: text, ...facts };
    return { ok: true, ...base, description: describe(base) };
  }
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  if (/^Q[NP]?\d/.test(upper)) {
    return { ok: false, message: `Time zone must be a QTIMZON name of Q, N (west of UTC) or P (east), HHMM and an abbreviation of up to 5 characters, 10 characters at most — e.g. QN0600CST, QP0100CET, Q0000UTC; "${shown}" is not` };
  }
  return { ok: false, message: `Time zone must be an IBM i QTIMZON name (e.g. QN0600CST) or an IANA name (e.g. America/Chicago); "${shown}" is neither` };
}

/**
 * The zone the exports compute wall-clock times in, for a stored setting: the IANA zone, or —
 * for a custom QTIMZON with a fractional offset — the fixed offset in minutes. Unreadable
 * values (older databases) fall back to UTC.
 */
export function exportTimeZone(value: string | undefined): { iana: string } | { offsetMinutes: number } {
  const r = resolveTimeZone(value || "UTC");
  if (!r.ok) return { iana: "UTC" };
  return r.iana ? { iana: r.iana } : { offsetMinutes: r.offsetMinutes };
}

/** "QN0600CST (America/Chicago)" for a QTIMZON name, the IANA name as is: what export comments say. */
export function timeZoneLabel(value: string): string {
  const r = resolveTimeZone(value || "UTC");
  if (!r.ok) return value;
  return r.source === "qtimzon" ? `${r.value} (${r.iana ?? formatUtcOffset(r.offsetMinutes)})` : r.value;
}
