import { AppError } from "../errors";
import { DEFAULTS, type ProfileSecrets } from "../profiles/schema";
import { formatIbmiTimestamp, isPlaceholder, SECRET_PLACEHOLDER } from "./text";
import { timeZoneLabel } from "./time-zone";
import type { ExportInput, ExportResult, ExportWarning, ImportOptions, ImportWarning, LooseSettings, ReadImport } from "./types";

/**
 * `iMailOAuth.config`: the iMail (IBM i) OAuth settings file, `KEY = VALUE` per line, `#` comments.
 * Layout and keys follow "iMail - Outlook 365 OAuth Setup Guide", steps 6 and 7.
 */

export const IMAIL_CONFIG_FILENAME = "iMailOAuth.config";

/** Keys iMail reads, by mode. Cache keys are written by iMail itself. */
export const IMAIL_KEYS = {
  common: ["CLIENT_ID", "TENANT_ID", "TOKEN_URL", "CLIENT_SECRET"],
  delegated: ["DELEGATED_USER", "DELEGATED_PASSWORD", "DELEGATED_SCOPE", "DELEGATED_TOKEN", "DELEGATED_EXPIRY_TIME"],
  app: ["SCOPE", "ENDPOINT", "TOKEN", "EXPIRY_TIME"],
} as const;
const ALL_KEYS: readonly string[] = [...IMAIL_KEYS.common, ...IMAIL_KEYS.delegated, ...IMAIL_KEYS.app];
export const CACHE_KEYS = ["DELEGATED_TOKEN", "DELEGATED_EXPIRY_TIME", "TOKEN", "EXPIRY_TIME"];
// Scopes are space-separated lists: a wrapped scope continues after a space; URLs wrap mid-word.
const SPACE_JOINED = ["DELEGATED_SCOPE", "SCOPE"];

/** Messages exactly as iMail prints them (Configuration Errors table of the guide). */
export const IMAIL_MESSAGES = {
  neither: "Either DELEGATED_USER or CLIENT_SECRET must be configured",
  appNeedsScope: "SCOPE and ENDPOINT are required for application authentication",
};

function rule(width: number): string {
  return `# ${"=".repeat(width - 2)}`;
}

function align(rows: Array<[string, string] | string>): string[] {
  const width = Math.max(...rows.filter((r): r is [string, string] => Array.isArray(r)).map(([k]) => k.length)) + 2;
  return rows.map((r) => (Array.isArray(r) ? `${r[0].padEnd(width)}= ${r[1]}`.trimEnd() : r));
}

function secretValue(name: "clientSecret" | "password", secrets: ProfileSecrets | undefined, warnings: ExportWarning[], label: string): string {
  const value = secrets?.[name];
  if (value === undefined) {
    if (secrets) warnings.push({ message: `${label} is not stored in the console; ${SECRET_PLACEHOLDER[name]} must be replaced by hand.` });
    return SECRET_PLACEHOLDER[name];
  }
  if (/[\r\n]/.test(value) || value !== value.trim()) {
    warnings.push({ message: `${label} has leading/trailing spaces or a line break; iMail trims values, so it will not survive this file.` });
  }
  return value;
}

/**
 * Renders iMailOAuth.config for a DELEGATE (m365-delegated) or APP (m365-app-graph) profile.
 * Throws AppError("unsupported") for any other kind.
 */
export function renderImailConfig(input: ExportInput): ExportResult {
  const s = input.settings;
  if (s.kind !== "m365-delegated" && s.kind !== "m365-app-graph") {
    throw new AppError("unsupported", `iMailOAuth.config exists only for Microsoft 365 DELEGATE or APP (Graph) profiles, not ${s.kind}.`);
  }
  const warnings: ExportWarning[] = [];
  const delegated = s.kind === "m365-delegated";
  const title = delegated ? "iMail OAuth Configuration - Delegated (SMTP)" : "iMail OAuth Configuration - Application (Graph)";
  const W = 72;
  const out: Array<[string, string] | string> = [
    rule(W),
    `# ${title}`,
    rule(W),
    `# Profile: ${s.name} - written by OAuth Mail Console, ${input.now.toISOString()}`,
    `# Save as ${IMAIL_CONFIG_FILENAME} in the Outlook 365 OAuth Config Folder set on IMCFG1${s.ibmiConfigFolder ? `:` : "."}`,
    ...(s.ibmiConfigFolder ? [`#   ${s.ibmiConfigFolder.replace(/\/$/, "")}/${IMAIL_CONFIG_FILENAME}`] : []),
    delegated
      ? "# Mode: DELEGATED_USER is present, so iMail uses delegated (SMTP) mode."
      : "# Mode: no DELEGATED_USER and CLIENT_SECRET is present: application (Graph) mode.",
    `# Set "Using OAuth 2.0 (DELEGATE/APP)" on IMCFG1 to ${delegated ? "DELEGATE" : "APP"}.`,
    rule(W),
    "",
    "# --- Azure App Registration ---",
    ["CLIENT_ID", s.clientId],
  ];
  if (!delegated) out.push(["CLIENT_SECRET", secretValue("clientSecret", input.secrets, warnings, "Client secret")]);
  // TOKEN_URL keeps the {TENANT_ID} placeholder: iMail substitutes TENANT_ID itself.
  out.push(["TENANT_ID", s.tenantId], ["TOKEN_URL", s.tokenUrl]);
  if (delegated) {
    out.push(
      "",
      "# --- Delegated User Credentials ---",
      ["DELEGATED_USER", s.loginUser],
      ["DELEGATED_PASSWORD", secretValue("password", input.secrets, warnings, "Delegated password")],
      "",
      '# --- Optional: only needed if "Allow public client flows" is No ---',
    );
    if (s.publicClient) out.push(`# CLIENT_SECRET = ${SECRET_PLACEHOLDER.clientSecret}`);
    else out.push(["CLIENT_SECRET", secretValue("clientSecret", input.secrets, warnings, "Client secret")]);
    out.push("", "# --- Optional: override default scope ---");
    // Written only when it differs from the default, so a file without DELEGATED_SCOPE round-trips.
    if (s.scope === DEFAULTS.delegatedScope) out.push(`# DELEGATED_SCOPE = ${s.scope}`);
    else out.push(["DELEGATED_SCOPE", s.scope]);
  } else {
    if (!s.graphEndpoint.includes("{FROM_ADDRESS}")) {
      warnings.push({ message: "ENDPOINT has no {FROM_ADDRESS} placeholder: every message is sent from the same mailbox, whatever the From address." });
    }
    out.push("", "# --- Graph API ---", ["SCOPE", s.scope], ["ENDPOINT", s.graphEndpoint]);
  }
  if (input.cachedToken) {
    const tz = s.ibmiTimeZone || "UTC";
    out.push(
      "",
      `# --- Token cache (managed by iMail; expiry in ${timeZoneLabel(tz)}, refreshed 5 minutes before) ---`,
      [delegated ? "DELEGATED_TOKEN" : "TOKEN", input.cachedToken.accessToken],
      [delegated ? "DELEGATED_EXPIRY_TIME" : "EXPIRY_TIME", formatIbmiTimestamp(input.cachedToken.expiresAt, tz)],
    );
  }
  if (!input.secrets) warnings.push({ message: "Secrets are placeholders (<…>); export with secrets included, or type them in on the IBM i." });
  return { filename: IMAIL_CONFIG_FILENAME, contentType: "text/plain; charset=utf-8", content: align(out).join("\n") + "\n", warnings };
}

// ---------------------------------------------------------------------------------------------
// Reading

export type ImailEntry = { key: string; value: string; line: number };

/**
 * Reads `KEY = VALUE` lines: comments, blank lines, any spacing around `=`, CRLF, and values
 * wrapped onto the next line as in the guide's printed examples. Unknown keys become warnings.
 * Throws AppError(invalid_input) naming the line of text that is neither a comment, an entry nor
 * a wrapped continuation.
 */
export function readImailEntries(text: string): { entries: Map<string, ImailEntry>; warnings: ImportWarning[] } {
  const entries = new Map<string, ImailEntry>();
  const warnings: ImportWarning[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  let last: { type: "comment"; line: number } | { type: "entry"; entry: ImailEntry } | null = null;
  lines.forEach((rawLine, index) => {
    const line = index + 1;
    const t = rawLine.trim();
    if (t === "") {
      last = null;
      return;
    }
    if (t.startsWith("#")) {
      last = { type: "comment", line };
      return;
    }
    if (/^```/.test(t)) return; // pasted from a Markdown code block
    const m = t.match(/^([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/);
    if (m) {
      const written = m[1];
      const key = written.toUpperCase();
      if (!ALL_KEYS.includes(key)) {
        warnings.push({ line, message: `Unknown key ${written} is ignored (iMail reads ${ALL_KEYS.join(", ")})` });
      } else if (key !== written) {
        warnings.push({ line, message: `Key ${written} should be written ${key}` });
      }
      const previous = entries.get(key);
      if (previous) warnings.push({ line, message: `${key} repeats line ${previous.line}; the value on line ${line} is used` });
      const entry = { key, value: m[2].trim(), line };
      entries.set(key, entry);
      last = { type: "entry", entry };
      return;
    }
    const prev = last as typeof last;
    if (prev?.type === "entry") {
      const e = prev.entry;
      const joiner = e.value && SPACE_JOINED.includes(e.key) ? " " : "";
      if (e.value) warnings.push({ line, message: `Line ${line} is read as the continuation of ${e.key} (line ${e.line})` });
      e.value = `${e.value}${joiner}${t}`;
      return;
    }
    if (prev?.type === "comment") {
      // The guide's printed examples wrap long comment lines; the tail has no leading '#'.
      warnings.push({ line, message: `Line ${line} has no "=" and follows a comment; it is read as the wrapped rest of that comment and ignored` });
      last = { type: "comment", line };
      return;
    }
    throw new AppError("invalid_input", `Line ${line}: expected KEY = VALUE or a # comment, found "${t.slice(0, 60)}"`, {
      field: `line ${line}`,
      detail: { kind: "source", line },
    });
  });
  return { entries, warnings };
}

function defaultName(kindLabel: string, who: string): string {
  const cleaned = `${kindLabel} ${who}`.replace(/[^A-Za-z0-9 ._@-]/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  return cleaned.slice(0, 64).trim() || "imported";
}

/**
 * First stage of the iMail import: applies the guide's mode rule and maps keys to profile fields,
 * keeping values verbatim. Throws only on unreadable lines (see readImailEntries); a mode-rule
 * failure is returned in `fatal` so the doctor can still look at the rest.
 */
export function readImailConfig(text: string, options: ImportOptions = {}): ReadImport {
  const { entries, warnings } = readImailEntries(text);
  const get = (k: string) => {
    const e = entries.get(k);
    return e && e.value !== "" ? e : undefined;
  };
  const raw: Record<string, string> = {};
  for (const [k, e] of entries) raw[k] = e.value;
  const settings: LooseSettings = {};
  const secrets: ProfileSecrets = {};
  const sources: ReadImport["sources"] = {};
  const take = (key: string, field: string, into: "settings" | "secrets" = "settings") => {
    const e = get(key);
    if (!e) return;
    if (into === "secrets") (secrets as Record<string, string>)[field] = e.value;
    else settings[field] = e.value;
    sources[into === "secrets" ? `secrets.${field}` : field] = { line: e.line, key };
  };
  for (const k of CACHE_KEYS) {
    const e = get(k);
    if (e) warnings.push({ line: e.line, message: `${k} is iMail's token cache; it is not imported (the console acquires its own token)` });
  }
  for (const [k, e] of entries) {
    if (ALL_KEYS.includes(k) && e.value === "") warnings.push({ line: e.line, message: `${k} has no value and is treated as absent` });
  }
  take("CLIENT_ID", "clientId");
  take("TENANT_ID", "tenantId");
  take("TOKEN_URL", "tokenUrl");
  if (!get("TOKEN_URL")) warnings.push({ message: `TOKEN_URL is missing (the guide lists it as required); the export will write ${DEFAULTS.microsoftTokenUrl}` });

  const user = get("DELEGATED_USER");
  const secret = get("CLIENT_SECRET");
  let kind: ReadImport["kind"] = null;
  let fatal: ReadImport["fatal"];
  // Mode rule (guide, "Mode selection"): DELEGATED_USER wins; else CLIENT_SECRET means APP.
  if (user) {
    kind = "m365-delegated";
    settings.kind = kind;
    take("DELEGATED_USER", "loginUser");
    take("DELEGATED_PASSWORD", "password", "secrets");
    take("DELEGATED_SCOPE", "scope");
    if (secret) take("CLIENT_SECRET", "clientSecret", "secrets");
    // A secret in the file means the app is confidential ("Allow public client flows" = No).
    settings.publicClient = !secret;
    for (const k of ["SCOPE", "ENDPOINT"]) {
      const e = get(k);
      if (e) warnings.push({ line: e.line, message: `${k} is ignored: DELEGATED_USER is present, so iMail uses delegated (SMTP) mode` });
    }
    settings.name = options.name ?? defaultName("iMail DELEGATE", user.value);
  } else if (secret) {
    kind = "m365-app-graph";
    settings.kind = kind;
    take("CLIENT_SECRET", "clientSecret", "secrets");
    take("SCOPE", "scope");
    take("ENDPOINT", "graphEndpoint");
    settings.credentialType = "secret";
    for (const k of ["DELEGATED_PASSWORD", "DELEGATED_SCOPE"]) {
      const e = get(k);
      if (e) warnings.push({ line: e.line, message: `${k} is ignored: without DELEGATED_USER iMail uses application (Graph) mode` });
    }
    if (!get("SCOPE") || !get("ENDPOINT")) {
      const missing = ["SCOPE", "ENDPOINT"].filter((k) => !get(k));
      fatal = { message: IMAIL_MESSAGES.appNeedsScope, key: missing.join(", "), line: secret.line };
    }
    settings.name = options.name ?? defaultName("iMail APP", get("CLIENT_ID")?.value ?? "app");
  } else {
    fatal = { message: IMAIL_MESSAGES.neither };
  }
  for (const [field, src] of Object.entries(sources)) {
    const value = field.startsWith("secrets.") ? secrets[field.slice(8) as keyof ProfileSecrets] : settings[field];
    if (typeof value === "string" && isPlaceholder(value)) {
      warnings.push({ line: src.line, message: `${src.key} still holds the documentation placeholder "${value.slice(0, 40)}"` });
    }
  }
  return { format: "imail-config", kind, settings, secrets, warnings, sources, raw, fatal };
}
