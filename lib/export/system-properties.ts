import { AppError } from "../errors";
import { DEFAULTS, type ProfileSecrets } from "../profiles/schema";
import { formatIbmiTimestamp, isPlaceholder, slugify, SECRET_PLACEHOLDER } from "./text";
import type { ExportInput, ExportResult, ExportWarning, ImportOptions, ImportWarning, LooseSettings, ReadImport } from "./types";

/**
 * Java system properties of iMail's new `sendMail()` facade (guide appendix "New Facade"): a
 * `.properties` file, or the same pairs as a `-Dk=v;` list for QIBM_RPG_JAVA_PROPERTIES.
 */

/** Property → iMail config-file equivalent (guide appendix table). */
export const SYSTEM_PROPERTY_KEYS = {
  "imail.oauth.mode": "—",
  "imail.oauth.clientId": "CLIENT_ID",
  "imail.oauth.clientSecret": "CLIENT_SECRET",
  "imail.oauth.tenantId": "TENANT_ID",
  "imail.oauth.tokenUrl": "TOKEN_URL",
  "imail.oauth.user": "DELEGATED_USER",
  "imail.oauth.password": "DELEGATED_PASSWORD",
  "imail.oauth.delegatedScope": "DELEGATED_SCOPE",
  "imail.oauth.applicationScope": "SCOPE",
  "imail.oauth.applicationEndpoint": "ENDPOINT",
  "imail.oauth.token": "TOKEN / DELEGATED_TOKEN",
  "imail.oauth.expiry": "EXPIRY_TIME / DELEGATED_EXPIRY_TIME",
  "imail.smtp.host": "—",
  "imail.smtp.port": "—",
  "icemail.mail.from": "—",
  "icemail.mail.to": "—",
  "icemail.mail.cc": "—",
  "icemail.mail.bcc": "—",
  "icemail.mail.subject": "—",
  "icemail.mail.bodyFile": "—",
  "icemail.mail.attachments": "—",
  "icemail.mail.readReceipt": "—",
  "icemail.mail.deliveryReceipt": "—",
  "icemail.mail.debug": "—",
  "icemail.log.path": "—",
} as const;
const KNOWN = Object.keys(SYSTEM_PROPERTY_KEYS);
/** Per-message properties the RPG caller sets for each mail; they are not part of a profile. */
const PER_MESSAGE = ["icemail.mail.to", "icemail.mail.cc", "icemail.mail.bcc", "icemail.mail.subject", "icemail.mail.bodyFile", "icemail.mail.attachments", "icemail.mail.readReceipt", "icemail.mail.deliveryReceipt", "icemail.mail.debug", "icemail.log.path"];

/** The message iMail prints for a missing or wrong imail.oauth.mode (guide troubleshooting). */
export const UNKNOWN_MODE = "Unknown OAuth mode";

type Pair = { key: string; value: string; comment?: boolean };

function collectPairs(input: ExportInput, warnings: ExportWarning[]): Pair[] {
  const s = input.settings;
  if (s.kind !== "m365-delegated" && s.kind !== "m365-app-graph") {
    throw new AppError("unsupported", `iMail system properties exist only for Microsoft 365 DELEGATE or APP (Graph) profiles, not ${s.kind}.`);
  }
  const secret = (name: "clientSecret" | "password") => {
    const v = input.secrets?.[name];
    if (v === undefined && input.secrets) warnings.push({ message: `${name === "password" ? "Delegated password" : "Client secret"} is not stored; replace ${SECRET_PLACEHOLDER[name]} by hand.` });
    return v ?? SECRET_PLACEHOLDER[name];
  };
  const delegated = s.kind === "m365-delegated";
  const pairs: Pair[] = [
    { key: "imail.oauth.mode", value: delegated ? "DELEGATE" : "APP" },
    { key: "imail.oauth.clientId", value: s.clientId },
  ];
  if (!delegated) pairs.push({ key: "imail.oauth.clientSecret", value: secret("clientSecret") });
  else if (!s.publicClient) pairs.push({ key: "imail.oauth.clientSecret", value: secret("clientSecret") });
  else pairs.push({ key: "imail.oauth.clientSecret", value: SECRET_PLACEHOLDER.clientSecret, comment: true });
  pairs.push({ key: "imail.oauth.tenantId", value: s.tenantId }, { key: "imail.oauth.tokenUrl", value: s.tokenUrl });
  if (delegated) {
    pairs.push({ key: "imail.oauth.user", value: s.loginUser }, { key: "imail.oauth.password", value: secret("password") });
    pairs.push({ key: "imail.oauth.delegatedScope", value: s.scope, comment: s.scope === DEFAULTS.delegatedScope });
  } else {
    pairs.push({ key: "imail.oauth.applicationScope", value: s.scope }, { key: "imail.oauth.applicationEndpoint", value: s.graphEndpoint });
  }
  if (input.cachedToken) {
    pairs.push(
      { key: "imail.oauth.token", value: input.cachedToken.accessToken },
      { key: "imail.oauth.expiry", value: formatIbmiTimestamp(input.cachedToken.expiresAt, s.ibmiTimeZone || "UTC") },
    );
  }
  if (delegated) pairs.push({ key: "imail.smtp.host", value: s.smtpHost }, { key: "imail.smtp.port", value: String(s.smtpPort) });
  if (s.fromAddress) pairs.push({ key: "icemail.mail.from", value: s.fromAddress });
  return pairs;
}

/** Java .properties escaping of a value: backslash, line breaks, leading blanks, non-ASCII. */
export function escapePropertyValue(value: string): string {
  let out = "";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code > 0x7e || code < 0x20) {
      for (const unit of ch.split("")) out += `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return out.replace(/^ /, "\\ ");
}

/**
 * Renders the facade's properties as a `.properties` file. Throws AppError("unsupported") for
 * kinds other than m365-delegated / m365-app-graph.
 */
export function renderSystemProperties(input: ExportInput): ExportResult {
  const warnings: ExportWarning[] = [];
  const pairs = collectPairs(input, warnings);
  const s = input.settings;
  const lines = [
    "# iMail sendMail() facade - Java system properties",
    `# Profile: ${s.name} - written by OAuth Mail Console, ${input.now.toISOString()}`,
    "# Set by the RPG caller (SPOAUTH); the same pairs can go into QIBM_RPG_JAVA_PROPERTIES.",
    "",
    ...pairs.map((p) => `${p.comment ? "# " : ""}${p.key}=${escapePropertyValue(p.value)}`),
    "",
    "# Per message (set by the caller for each mail):",
    ...PER_MESSAGE.map((k) => `# ${k}=`),
    "",
  ];
  if (!input.secrets) warnings.push({ message: "Secrets are placeholders (<…>); export with secrets included, or fill them in on the IBM i." });
  return { filename: `${slugify(s.name)}-imail.properties`, contentType: "text/plain; charset=utf-8", content: lines.join("\n"), warnings };
}

/**
 * Renders the same properties as one `-Dkey=value;` list for the QIBM_RPG_JAVA_PROPERTIES
 * environment variable (each option ends with the separator, the last one included). Throws
 * AppError(invalid_input) naming the property whose value holds ";" or a line break.
 */
export function renderJavaPropertiesList(input: ExportInput): ExportResult {
  const warnings: ExportWarning[] = [];
  const pairs = collectPairs(input, warnings).filter((p) => !p.comment);
  for (const p of pairs) {
    // RPG splits the list at every ";": a value holding one would end its option and start
    // another (a second -Dimail.oauth.tokenUrl=…). The list cannot carry it, so refuse.
    if (p.value.includes(";") || /[\r\n]/.test(p.value)) {
      throw new AppError(
        "invalid_input",
        `${p.key} contains ${p.value.includes(";") ? '";", the separator of the -D list' : "a line break"}, which QIBM_RPG_JAVA_PROPERTIES cannot carry: use the system-properties (.properties) export, or change the value.`,
        { field: p.key },
      );
    }
  }
  if (pairs.some((p) => p.value.includes("'"))) warnings.push({ message: "A value contains ' : double it inside ADDENVVAR … VALUE('…')." });
  if (!input.secrets) warnings.push({ message: "Secrets are placeholders (<…>); export with secrets included, or fill them in on the IBM i." });
  const content = pairs.map((p) => `-D${p.key}=${p.value};`).join("") + "\n";
  return { filename: `${slugify(input.settings.name)}-QIBM_RPG_JAVA_PROPERTIES.txt`, contentType: "text/plain; charset=utf-8", content, warnings };
}

// ---------------------------------------------------------------------------------------------
// Reading

function unescapeProperty(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.startsWith("u") && e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: "\n", r: "\r", t: "\t", f: "\f" } as Record<string, string>)[e] ?? e;
  });
}

export type PropEntry = { key: string; value: string; line: number };

/** Reads a `.properties` file (comments #/!, `=`/`:`/blank separators, `\` continuations). */
export function readPropertiesFile(text: string): PropEntry[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  const out: PropEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let logical = lines[i].replace(/^\s+/, "");
    if (logical === "" || logical.startsWith("#") || logical.startsWith("!")) continue;
    // An odd number of trailing backslashes continues the line.
    while (/(^|[^\\])(\\\\)*\\$/.test(logical) && i + 1 < lines.length) {
      logical = logical.slice(0, -1) + lines[++i].replace(/^\s+/, "");
    }
    const m = logical.match(/^((?:\\.|[^\s=:\\])+)\s*[=:\s]\s*([\s\S]*)$/) ?? logical.match(/^((?:\\.|[^\s=:\\])+)$/);
    if (!m) throw new AppError("invalid_input", `Line ${start}: expected key=value, found "${logical.slice(0, 60)}"`, { field: `line ${start}`, detail: { kind: "source", line: start } });
    out.push({ key: unescapeProperty(m[1]), value: unescapeProperty(m[2] ?? ""), line: start });
  }
  return out;
}

/**
 * Reads a `-Dk=v;…` list (optionally wrapped in `ADDENVVAR … VALUE('…')`). Throws
 * AppError(invalid_input) naming the option that is not `-Dkey=value`.
 */
export function readJavaOptionList(text: string): PropEntry[] {
  let body = text.trim();
  const env = body.match(/VALUE\(\s*'((?:[^']|'')*)'\s*\)/i);
  if (env) body = env[1].replace(/''/g, "'");
  const out: PropEntry[] = [];
  // Options end with ';', RPG's separator: it splits at every one, so the reader does too.
  const parts = body.split(";").map((p) => p.trim()).filter(Boolean);
  parts.forEach((part, i) => {
    const m = part.match(/^-D([^=\s]+)=([\s\S]*)$/);
    if (!m) throw new AppError("invalid_input", `Option ${i + 1}: expected -Dkey=value, found "${part.slice(0, 60)}"`, { field: `option ${i + 1}`, detail: { kind: "source", option: i + 1 } });
    out.push({ key: m[1], value: m[2], line: 1 });
  });
  return out;
}

/** True when the text looks like a `-D` list rather than a properties file. */
export function isJavaOptionList(text: string): boolean {
  const t = text.trim();
  return /^-D[\w.]+=/.test(t) || /QIBM_RPG_JAVA_PROPERTIES/i.test(t.split(/\r?\n/)[0] ?? "");
}

/**
 * First stage of the system-properties import (either flavour): maps `imail.oauth.*` etc. to
 * profile fields, keeping values verbatim. A missing or unknown imail.oauth.mode is returned in
 * `fatal` ("Unknown OAuth mode"). Throws AppError(invalid_input) on unreadable lines.
 */
export function readSystemProperties(text: string, options: ImportOptions = {}): ReadImport {
  const list = isJavaOptionList(text);
  const entries = list ? readJavaOptionList(text) : readPropertiesFile(text);
  const warnings: ImportWarning[] = [];
  const at = (e: PropEntry) => (list ? undefined : e.line);
  const byKey = new Map<string, PropEntry>();
  for (const e of entries) {
    if (!KNOWN.includes(e.key)) warnings.push({ line: at(e), message: `Unknown property ${e.key} is ignored` });
    else if (byKey.has(e.key)) warnings.push({ line: at(e), message: `${e.key} is set twice; the last value is used` });
    byKey.set(e.key, e);
  }
  const raw = Object.fromEntries([...byKey].map(([k, e]) => [k, e.value]));
  const settings: LooseSettings = {};
  const secrets: ProfileSecrets = {};
  const sources: ReadImport["sources"] = {};
  const take = (key: string, field: string, secret = false) => {
    const e = byKey.get(key);
    if (!e || e.value === "") return;
    if (secret) (secrets as Record<string, string>)[field] = e.value;
    else settings[field] = e.value;
    sources[secret ? `secrets.${field}` : field] = { line: at(e), key };
  };
  for (const k of ["imail.oauth.token", "imail.oauth.expiry"]) {
    const e = byKey.get(k);
    if (e) warnings.push({ line: at(e), message: `${k} is a cached token; it is not imported` });
  }
  for (const k of PER_MESSAGE) {
    const e = byKey.get(k);
    if (e && e.value) warnings.push({ line: at(e), message: `${k} is set per message by the caller; it is not part of a profile` });
  }
  const modeEntry = byKey.get("imail.oauth.mode");
  const mode = modeEntry?.value.trim().toUpperCase();
  let kind: ReadImport["kind"] = null;
  let fatal: ReadImport["fatal"];
  take("imail.oauth.clientId", "clientId");
  take("imail.oauth.tenantId", "tenantId");
  take("imail.oauth.tokenUrl", "tokenUrl");
  take("icemail.mail.from", "fromAddress");
  if (mode === "DELEGATE") {
    kind = "m365-delegated";
    take("imail.oauth.user", "loginUser");
    take("imail.oauth.password", "password", true);
    take("imail.oauth.clientSecret", "clientSecret", true);
    take("imail.oauth.delegatedScope", "scope");
    take("imail.smtp.host", "smtpHost");
    take("imail.smtp.port", "smtpPort");
    settings.publicClient = !secrets.clientSecret;
  } else if (mode === "APP") {
    kind = "m365-app-graph";
    take("imail.oauth.clientSecret", "clientSecret", true);
    take("imail.oauth.applicationScope", "scope");
    take("imail.oauth.applicationEndpoint", "graphEndpoint");
    settings.credentialType = "secret";
  } else {
    fatal = {
      message: `${UNKNOWN_MODE}: imail.oauth.mode must be DELEGATE or APP${modeEntry ? ` (found "${modeEntry.value}")` : " (it is not set)"}`,
      line: modeEntry ? at(modeEntry) : undefined,
      key: "imail.oauth.mode",
    };
  }
  if (kind) settings.kind = kind;
  const who = (settings.loginUser ?? settings.fromAddress ?? settings.clientId ?? "app") as string;
  settings.name = options.name ?? `iMail ${mode ?? "facade"} ${who}`.replace(/[^A-Za-z0-9 ._@-]/g, "-").slice(0, 64).trim();
  for (const [field, src] of Object.entries(sources)) {
    const value = field.startsWith("secrets.") ? secrets[field.slice(8) as keyof ProfileSecrets] : settings[field];
    if (typeof value === "string" && isPlaceholder(value)) warnings.push({ line: src.line, message: `${src.key} still holds a placeholder "${value.slice(0, 40)}"` });
  }
  return { format: "system-properties", kind, settings, secrets, warnings, sources, raw, fatal };
}
