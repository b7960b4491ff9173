import { AppError } from "../errors";
import { redactor } from "../redact";
import { parseJsonText } from "./ibmi-json";
import { CACHE_KEYS, readImailEntries } from "./imail-config";
import { isJavaOptionList, readJavaOptionList, readPropertiesFile } from "./system-properties";
import { isPlaceholder } from "./text";
import type { ExportFormatId } from "./types";

/**
 * "Compare with the file on the target": the file that is on the IBM i / in iMail today against
 * what the console exports, the way the target reads it. Key/value files (iMailOAuth.config,
 * .properties, -D lists, the IBM i JSON, the profile JSON) are compared key by key — order,
 * spacing around `=`, CRLF, trailing blanks, comments and values wrapped onto the next line do
 * not count, because the target ignores them; scripts (CL, CLLE, PowerShell) line by line, with
 * CRLF, trailing blanks and (CL) runs of blanks ignored. Each real difference is named: a missing
 * key, a different value, an extra key. Secret values (client secret, password, token, private
 * key) are never part of the result — from either side: their rows say "same" or "differs".
 * Pure: the caller passes the export (with the stored secrets, so they can be compared) and the
 * stored secret values (so they are masked wherever they appear).
 */

export const COMPARE_FORMATS = ["imail-config", "system-properties", "java-properties-list", "ibmi-json", "profile-json", "ibmi-cl", "ibmi-clle", "exchange-powershell"] as const satisfies readonly ExportFormatId[];
export type CompareFormatId = (typeof COMPARE_FORMATS)[number];

export const SECRET_MASK = "••••••••";

export type CompareStatus = "same" | "changed" | "missing" | "extra" | "ignored";

/** One side of a row: the lines as written in that file (secret values masked). */
export type CompareSide = { line: number; text: string }[];

export type CompareRow = {
  status: CompareStatus;
  /** The key (key/value formats); absent for script lines. */
  key?: string;
  /** The key holds a secret: its values are never shown, only whether they are the same. */
  secret?: boolean;
  expected: CompareSide;
  actual: CompareSide;
  /** What the difference is, in words ("TENANT_ID differs: export …, file …"). */
  message?: string;
};

export type CompareResult = {
  format: CompareFormatId;
  mode: "keys" | "lines";
  identical: boolean;
  counts: Record<CompareStatus, number>;
  rows: CompareRow[];
  /** What was ignored because the target ignores it (CRLF, order, comments…). */
  ignored: string[];
};

type Entry = { key: string; value: string; lines: CompareSide };

const SECRET_KEY = /(secret|password|passwd|private_key|token)$/i;

function isSecretKey(format: CompareFormatId, key: string): boolean {
  return (format === "profile-json" && key.startsWith("secrets.")) || SECRET_KEY.test(key);
}

/** Keys the target rewrites itself (iMail's token cache): reported, never counted as differences. */
function isCacheKey(format: CompareFormatId, key: string): boolean {
  if (format === "imail-config") return CACHE_KEYS.includes(key);
  if (format === "system-properties" || format === "java-properties-list") return key === "imail.oauth.token" || key === "imail.oauth.expiry";
  return format === "profile-json" && key === "exportedAt";
}

function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
}

/** The lines an entry starting at `start` covers: its own and the wrapped continuations after it. */
function spanOf(lines: string[], start: number, continues: (line: string, prev: string) => boolean): CompareSide {
  const out: CompareSide = [{ line: start, text: lines[start - 1].trimEnd() }];
  for (let i = start; i < lines.length && continues(lines[i], lines[i - 1]); i++) out.push({ line: i + 1, text: lines[i].trimEnd() });
  return out;
}

function readEntries(format: CompareFormatId, text: string): { entries: Entry[]; commentedDefaults: Map<string, string> } {
  const lines = splitLines(text);
  const commentedDefaults = new Map<string, string>();
  if (format === "imail-config") {
    const { entries } = readImailEntries(text);
    for (const l of lines) {
      const m = l.match(/^\s*#\s*([A-Z_]+)\s*=\s*(\S.*?)\s*$/);
      if (m) commentedDefaults.set(m[1], m[2]);
    }
    const isEntry = (l: string) => /^\s*[A-Za-z_][A-Za-z0-9_.-]*\s*=/.test(l);
    return {
      entries: [...entries.values()].map((e) => ({ key: e.key, value: e.value, lines: spanOf(lines, e.line, (l) => l.trim() !== "" && !l.trim().startsWith("#") && !isEntry(l)) })),
      commentedDefaults,
    };
  }
  if (format === "system-properties" || format === "java-properties-list") {
    if (isJavaOptionList(text)) return { entries: readJavaOptionList(text).map((e) => ({ key: e.key, value: e.value, lines: [{ line: e.line, text: `-D${e.key}=${e.value}` }] })), commentedDefaults };
    for (const l of lines) {
      const m = l.match(/^\s*#\s*([\w.]+)\s*=\s*(\S.*?)\s*$/);
      if (m) commentedDefaults.set(m[1], m[2]);
    }
    return { entries: readPropertiesFile(text).map((e) => ({ key: e.key, value: e.value, lines: spanOf(lines, e.line, (_l, prev) => /(^|[^\\])(\\\\)*\\$/.test(prev)) })), commentedDefaults };
  }
  // JSON: the IBM i and the console read the object, not its layout.
  const data = parseJsonText(text, "The file");
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new AppError("invalid_input", "The file must be a JSON object", { field: "text" });
  const flat: [string, unknown][] = [];
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (format === "profile-json" && (k === "settings" || k === "secrets") && v && typeof v === "object" && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) flat.push([`${k}.${k2}`, v2]);
    } else flat.push([k, v]);
  }
  const lineOf = (key: string): number => {
    const leaf = key.includes(".") && format === "profile-json" ? key.slice(key.indexOf(".") + 1) : key;
    const i = lines.findIndex((l) => l.includes(`"${leaf}"`) && /"\s*:/.test(l));
    return i < 0 ? 1 : i + 1;
  };
  return {
    entries: flat.map(([key, v]) => {
      const value = typeof v === "string" ? v : JSON.stringify(v);
      const line = lineOf(key);
      return { key, value, lines: [{ line, text: (lines[line - 1] ?? "").trimEnd() }] };
    }),
    commentedDefaults,
  };
}

const keyOf = (format: CompareFormatId, key: string) => (format === "imail-config" ? key.toUpperCase() : key);

function masked(format: CompareFormatId, e: Entry, note: string): CompareSide {
  const sep = format === "imail-config" ? " = " : format.endsWith("json") ? ": " : "=";
  const shown = format === "java-properties-list" || (format === "system-properties" && e.lines[0]?.text.startsWith("-D")) ? `-D${e.key}` : format.endsWith("json") ? `"${e.key.replace(/^(settings|secrets)\./, "")}"` : e.key;
  return [{ line: e.lines[0]?.line ?? 1, text: `${shown}${sep}${SECRET_MASK} (${note})` }];
}

function quote(v: string): string {
  return v === "" ? "(empty)" : `"${v.length > 120 ? `${v.slice(0, 117)}…` : v}"`;
}

function compareKeys(format: CompareFormatId, expectedText: string, actualText: string): CompareRow[] {
  const expected = readEntries(format, expectedText);
  const actual = readEntries(format, actualText);
  const actualByKey = new Map(actual.entries.map((e) => [keyOf(format, e.key), e]));
  const seen = new Set<string>();
  const rows: CompareRow[] = [];
  for (const e of expected.entries) {
    const k = keyOf(format, e.key);
    const a = actualByKey.get(k);
    const secret = isSecretKey(format, e.key);
    if (isCacheKey(format, e.key)) continue;
    if (!a) {
      rows.push({ status: "missing", key: e.key, secret, expected: secret ? masked(format, e, "in the export") : e.lines, actual: [], message: `Missing key ${e.key}: the export has it (line ${e.lines[0].line}), the file does not` });
      continue;
    }
    seen.add(k);
    if (secret) {
      const unknown = isPlaceholder(e.value);
      const same = !unknown && a.value === e.value;
      const verdict = unknown ? "not stored in the console" : same ? "same" : "differs";
      rows.push({
        status: unknown ? "ignored" : same ? "same" : "changed",
        key: e.key,
        secret,
        expected: masked(format, e, unknown ? "not stored" : "stored value"),
        actual: masked(format, a, verdict),
        message: unknown ? `${e.key} (secret): the console holds no value to compare with` : same ? undefined : `${e.key} (secret) differs from the value stored in the console`,
      });
      continue;
    }
    const same = a.value === e.value;
    rows.push({ status: same ? "same" : "changed", key: e.key, expected: e.lines, actual: a.lines, message: same ? undefined : `${e.key} differs: export ${quote(e.value)}, file ${quote(a.value)}` });
  }
  for (const a of actual.entries) {
    const k = keyOf(format, a.key);
    if (seen.has(k)) continue;
    const secret = isSecretKey(format, a.key);
    const actualSide = secret ? masked(format, a, "in the file") : a.lines;
    if (isCacheKey(format, a.key)) {
      rows.push({ status: "ignored", key: a.key, secret, expected: [], actual: actualSide, message: `${a.key} is ${format === "profile-json" ? "the time of the export" : "iMail's token cache (iMail rewrites it)"}; not compared` });
      continue;
    }
    const commented = expected.commentedDefaults.get(a.key);
    if (commented !== undefined && !secret && commented === a.value) {
      rows.push({ status: "same", key: a.key, expected: [], actual: actualSide, message: `${a.key} is set to the default the export leaves commented out` });
      continue;
    }
    rows.push({ status: "extra", key: a.key, secret, expected: [], actual: actualSide, message: `Extra key ${a.key} (line ${a.lines[0].line}): the export does not have it${commented !== undefined ? ` (it leaves the default ${quote(commented)} commented out)` : ""}` });
  }
  return rows;
}

/** A script line as the target reads it: CL ignores runs of blanks; nothing reads trailing blanks. */
function normalizeScriptLine(format: CompareFormatId, line: string): string {
  const t = line.trimEnd();
  return format === "ibmi-cl" || format === "ibmi-clle" ? t.trim().replace(/\s+/g, " ") : t;
}

/** Longest-common-subsequence line diff; adjacent removals and additions pair up as changed lines. */
function compareLines(format: CompareFormatId, expectedText: string, actualText: string): CompareRow[] {
  const trimTail = (ls: string[]) => {
    while (ls.length && ls[ls.length - 1].trim() === "") ls.pop();
    return ls;
  };
  const a = trimTail(splitLines(expectedText));
  const b = trimTail(splitLines(actualText));
  const na = a.map((l) => normalizeScriptLine(format, l));
  const nb = b.map((l) => normalizeScriptLine(format, l));
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) throw new AppError("invalid_input", `The file has too many lines to compare (${m}); paste the file the export is for`, { field: "text" });
  const dp: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) dp[i][j] = na[i] === nb[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  const rows: CompareRow[] = [];
  let i = 0;
  let j = 0;
  const removed: CompareSide = [];
  const added: CompareSide = [];
  const flush = () => {
    const pairs = Math.min(removed.length, added.length);
    for (let k = 0; k < pairs; k++) rows.push({ status: "changed", expected: [removed[k]], actual: [added[k]], message: `Line ${removed[k].line} of the export reads differently on line ${added[k].line} of the file` });
    for (const r of removed.slice(pairs)) rows.push({ status: "missing", expected: [r], actual: [], message: `Line ${r.line} of the export is missing from the file` });
    for (const x of added.slice(pairs)) rows.push({ status: "extra", expected: [], actual: [x], message: `Line ${x.line} of the file is not in the export` });
    removed.length = 0;
    added.length = 0;
  };
  while (i < n || j < m) {
    if (i < n && j < m && na[i] === nb[j]) {
      flush();
      rows.push({ status: "same", expected: [{ line: i + 1, text: a[i].trimEnd() }], actual: [{ line: j + 1, text: b[j].trimEnd() }] });
      i++;
      j++;
    } else if (j < m && (i === n || dp[i][j + 1] >= dp[i + 1][j])) {
      added.push({ line: j + 1, text: b[j].trimEnd() });
      j++;
    } else {
      removed.push({ line: i + 1, text: a[i].trimEnd() });
      i++;
    }
  }
  flush();
  return rows;
}

const EXPECTED_SHAPE: Partial<Record<CompareFormatId, string>> = {
  "imail-config": "KEY = VALUE or a # comment",
  "system-properties": "key=value, a -Dkey=value; list, or a # comment",
  "java-properties-list": "-Dkey=value; options",
  "ibmi-json": "a JSON object",
  "profile-json": "a JSON object",
};

/**
 * Reads the pasted file once to refuse what the target could not read either. The parsers'
 * messages quote the unreadable text, which may be a piece of a secret: the refusal names only
 * the line and what was expected.
 */
function readPasted(format: CompareFormatId, text: string): void {
  try {
    readEntries(format, text);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const line = error.detail && "line" in error.detail && typeof error.detail.line === "number" ? error.detail.line : undefined;
    throw new AppError("invalid_input", `${line ? `Line ${line} of the pasted file` : "The pasted file"} cannot be read as ${format}: expected ${EXPECTED_SHAPE[format] ?? "the export's layout"}`, { field: "text", detail: error.detail });
  }
}

const IGNORED: Record<"keys" | "lines", string[]> = {
  keys: ["line endings (CRLF or LF)", "trailing blanks and spacing around =", "the order of the keys", "comments and blank lines", "values wrapped onto the next line (read joined)"],
  lines: ["line endings (CRLF or LF)", "trailing blanks and blank lines at the end"],
};

/**
 * Compares `actual` (the file pasted from the target) with `expected` (the console's export of
 * `format`, rendered with the stored secrets). `secretValues` are the stored secret values: they
 * and every secret found in the pasted file are masked wherever they appear in the result.
 * Throws AppError(invalid_input) naming the line of a pasted file the target could not read either.
 */
export function compareExportText(format: CompareFormatId, expected: string, actual: string, secretValues: readonly string[] = []): CompareResult {
  if (!(COMPARE_FORMATS as readonly string[]).includes(format)) throw new AppError("invalid_input", `Comparing is available for ${COMPARE_FORMATS.join(", ")}`, { field: "format" });
  if (actual.trim() === "") throw new AppError("invalid_input", "Paste the file that is on the target system", { field: "text" });
  const mode = format === "ibmi-cl" || format === "ibmi-clle" || format === "exchange-powershell" ? "lines" : "keys";
  if (mode === "keys") readPasted(format, actual);
  const rows = mode === "keys" ? compareKeys(format, expected, actual) : compareLines(format, expected, actual);
  // Belt and braces: no stored secret and no secret read from the pasted file survives anywhere in
  // the result, in any encoding the redactor knows (a secret pasted under an unexpected key).
  const pastedSecrets = mode === "keys" ? readEntries(format, actual).entries.filter((e) => isSecretKey(format, e.key)).map((e) => e.value) : [];
  const redact = redactor([...secretValues, ...pastedSecrets].filter((v) => v && !isPlaceholder(v)));
  for (const r of rows) {
    if (r.secret) continue; // synthesized from the key and the mask only
    for (const side of [r.expected, r.actual]) for (const l of side) l.text = redact(l.text);
    r.message = redact(r.message);
  }
  const counts: Record<CompareStatus, number> = { same: 0, changed: 0, missing: 0, extra: 0, ignored: 0 };
  for (const r of rows) counts[r.status]++;
  const ignored = [...IGNORED[mode]];
  if (format === "ibmi-cl" || format === "ibmi-clle") ignored.push("runs of blanks (CL reads them as one)");
  if (format === "imail-config" || format.includes("properties")) ignored.push("iMail's token cache keys (iMail rewrites them)");
  return { format, mode, identical: counts.changed + counts.missing + counts.extra === 0, counts, rows, ignored };
}

/** The comparison as text (the CLI's `export NAME --format F --diff FILE`): one line per row that is not the same. */
export function renderCompareText(result: CompareResult, labels: { expected: string; actual: string }): string {
  const out: string[] = [];
  out.push(result.identical ? `Same: ${labels.actual} matches ${labels.expected} (${result.counts.same} ${result.mode === "keys" ? "keys" : "lines"} compared).` : `${result.counts.changed} different, ${result.counts.missing} missing, ${result.counts.extra} extra (${result.counts.same} the same).`);
  for (const r of result.rows) {
    if (r.status === "same" && !r.message) continue;
    const mark = { same: "=", changed: "~", missing: "-", extra: "+", ignored: "·" }[r.status];
    out.push(`${mark} ${r.message ?? r.key ?? ""}`);
    for (const l of r.expected) out.push(`    export ${String(l.line).padStart(4)}: ${l.text}`);
    for (const l of r.actual) out.push(`    file   ${String(l.line).padStart(4)}: ${l.text}`);
  }
  out.push(`Ignored, as the target ignores them: ${result.ignored.join("; ")}.`);
  return out.join("\n");
}
