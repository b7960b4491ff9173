import { looksLikeSecretId } from "../doctor/secret-shapes";
import { AppError, isAppError } from "../errors";
import { describeCertificate, parsePrivateKey } from "../crypto/certificate";
import { KEY_DERIVED_FIELDS, parseServiceAccountKey, settingsFromServiceAccountKey } from "../oauth/service-account-key";
import {
  SECRET_LABELS,
  SECRET_NAMES,
  profileInputSchema,
  secretsRequired,
  type ProfileInput,
  type ProfileKind,
  type ProfileSecrets,
  type ProfileSettings,
  type SecretName,
} from "../profiles/schema";
import { missingConsoleFields } from "../profiles/completeness";
import { runDoctor } from "../doctor/run";
import type { Finding } from "../doctor/types";
import { jsonKeyLine, parseJsonText, readIbmiJson } from "./ibmi-json";
import { readImailConfig } from "./imail-config";
import { PROFILE_JSON_FORMAT, readProfileJson } from "./profile-json";
import { isJavaOptionList, readSystemProperties } from "./system-properties";
import { PROFILE_FORM } from "../profiles/fields";
import { describeImportIssue, importIssuesOf, type ImportIssue } from "./import-issues";
import { SETTING_FIELDS } from "../profiles/patch";
import { isPlaceholder } from "./text";
import { IMPORT_FORMAT_IDS, type ImportFormatId, type ImportOptions, type ImportWarning, type ParsedImport, type ReadImport } from "./types";

/**
 * Imports: detect the format, read it (values verbatim), apply `--set` overrides, validate
 * everything a save would check, and only then hand back a ProfileInput — nothing is half-imported.
 */

const KIND_SHAPES = SETTING_FIELDS;

/** What a missing field means for the file it came from (the reason shown before the remedy). */
const MISSING_HINTS: Partial<Record<string, string>> = {
  fromAddress: "the mailbox the app sends as (iMail fills {FROM_ADDRESS} per message; the file does not name it)",
  mailbox: "the sender mailbox (XOAUTH2 user); the JSON file does not name it",
  domain: 'the domain IBM i requires in the JSON file (authoritative domain in Exchange / Google Workspace domain, = ALIASDMN)',
  impersonateUser: "the Google Workspace user the service account sends as (domain-wide delegation)",
  loginUser: "DELEGATED_USER, the user that signs in",
  clientId: "CLIENT_ID, the Application (client) ID",
  tenantId: "TENANT_ID, the Directory (tenant) ID",
};

/** Formats the Import page offers, with labels. */
export const IMPORT_FORMATS: ReadonlyArray<{ id: ImportFormatId; label: string }> = [
  { id: "imail-config", label: "iMailOAuth.config" },
  { id: "system-properties", label: "iMail system properties (.properties or -D list)" },
  { id: "ibmi-json", label: "IBM i JSON credential file (microsoft_app / service_account)" },
  { id: "google-key", label: "Google service-account key (JSON)" },
  { id: "profile-json", label: "Console profile JSON (backup)" },
];

/**
 * Guesses the format from the content. Throws AppError(invalid_input) when the text matches none
 * (or is JSON with a syntax error, naming its line).
 */
export function detectImportFormat(text: string): ImportFormatId {
  const t = text.replace(/^\uFEFF/, "").trim();
  if (t === "") throw new AppError("invalid_input", "The file is empty", { field: "text" });
  if (t.startsWith("{")) {
    const obj = parseJsonText(t, "The file") as Record<string, unknown>;
    if (obj.format === PROFILE_JSON_FORMAT || "settings" in obj || typeof obj.kind === "string") return "profile-json";
    if (obj.type === "microsoft_app") return "ibmi-json";
    if (obj.type === "service_account") return typeof obj.domain === "string" && obj.domain ? "ibmi-json" : "google-key";
    throw new AppError("invalid_input", 'JSON not recognised: expected "type": "microsoft_app" or "service_account", or a console profile file', { field: "type" });
  }
  if (isJavaOptionList(t) || /^\s*(imail|icemail)\.[\w.]+\s*[=:\s]/m.test(t)) return "system-properties";
  if (/^\s*(CLIENT_ID|TENANT_ID|TOKEN_URL|DELEGATED_USER|CLIENT_SECRET|SCOPE|ENDPOINT)\s*=/im.test(t)) return "imail-config";
  throw new AppError(
    "invalid_input",
    "Cannot tell the format: expected iMailOAuth.config (KEY = VALUE), system properties (imail.oauth.*), an IBM i / Google JSON file or a console profile JSON. Choose the format explicitly.",
    { field: "format" },
  );
}

/** Reads `text` as `format` (detected when absent). Throws AppError(invalid_input) for unreadable text. */
export function readImport(text: string, options: ImportOptions & { format?: ImportFormatId } = {}): ReadImport {
  const format = options.format ?? detectImportFormat(text);
  if (!IMPORT_FORMAT_IDS.includes(format)) throw new AppError("invalid_input", `Unknown import format "${format}" (formats: ${IMPORT_FORMAT_IDS.join(", ")})`, { field: "format" });
  switch (format) {
    case "imail-config":
      return readImailConfig(text, options);
    case "system-properties":
      return readSystemProperties(text, options);
    case "ibmi-json":
    case "google-key":
      return readIbmiJson(text, options);
    case "profile-json":
      return readProfileJson(text, options);
  }
}

function describeSource(read: ReadImport, field: string): string {
  const src = read.sources[field];
  if (!src) return field;
  if (read.format === "profile-json") return src.key;
  return src.line ? `Line ${src.line} (${src.key})` : src.key;
}

type Issue = ImportIssue & { field: string };

/** The profile form's label of a field (settings name or secrets.<name>) for the kind read. */
function labelOf(read: ReadImport, field: string): string | undefined {
  if (field.startsWith("secrets.")) return SECRET_LABELS[field.slice(8) as SecretName];
  return read.kind ? PROFILE_FORM[read.kind].flatMap((s) => s.fields).find((f) => f.name === field && !f.secret)?.label : undefined;
}

/** Throws AppError(invalid_input): the message lists every issue (as the activity log shows it), `detail.issues` (kind "import") holds them. */
function fail(read: ReadImport, issues: Issue[]): never {
  const text = issues.map((i) => describeImportIssue(i, "log")).join("; ");
  throw new AppError("invalid_input", `Cannot import this ${read.format} file: ${text}`, {
    field: issues[0]?.key ?? issues[0]?.field,
    detail: { kind: "import", issues },
  });
}

/** Applies `--set` overrides. Throws AppError(invalid_input) for a field the kind does not have. */
function applyOverrides(read: ReadImport, overrides: Record<string, string>): { settings: Record<string, unknown>; secrets: ProfileSecrets; overridden: Set<string> } {
  const settings: Record<string, unknown> = { ...read.settings };
  const secrets: ProfileSecrets = { ...read.secrets };
  const overridden = new Set<string>();
  for (const [rawKey, value] of Object.entries(overrides)) {
    const key = rawKey.replace(/^settings\./, "");
    if (key.startsWith("secrets.")) {
      const name = key.slice(8);
      if (!(SECRET_NAMES as readonly string[]).includes(name)) throw new AppError("invalid_input", `Unknown secret "${name}" (secrets: ${SECRET_NAMES.join(", ")})`, { field: rawKey });
      secrets[name as SecretName] = value;
    } else {
      if (key === "kind") throw new AppError("invalid_input", "The kind cannot be set: it follows from the file (iMail's mode rule, the JSON type)", { field: rawKey });
      const allowed = read.kind ? KIND_SHAPES[read.kind] : [];
      if (read.kind && !allowed.includes(key)) throw new AppError("invalid_input", `${read.kind} profiles have no field "${key}" (fields: ${allowed.filter((f) => f !== "kind").join(", ")})`, { field: rawKey });
      settings[key] = value;
    }
    overridden.add(key);
  }
  return { settings, secrets, overridden };
}

/**
 * Second stage: validates what was read exactly as createProfile will (schema, required secrets,
 * key and certificate parsing) and returns the input. Throws AppError(invalid_input) listing every
 * problem with its line/key (or field) and what was expected.
 */
export function finalizeImport(read: ReadImport, options: ImportOptions = {}): ParsedImport {
  if (read.fatal) {
    fail(read, [{ field: read.fatal.key ?? "file", line: read.fatal.line, key: read.fatal.key, message: `${read.fatal.line ? `line ${read.fatal.line}: ` : ""}${read.fatal.message}` }]);
  }
  const { settings, secrets, overridden } = applyOverrides(read, options.overrides ?? {});
  if (options.name) settings.name = options.name;
  const issues: Issue[] = [];
  for (const [field, src] of Object.entries(read.sources)) {
    // The key file is checked whole below (parseServiceAccountKey names what is wrong in it).
    if (overridden.has(field) || field === "secrets.serviceAccountKey") continue;
    const value = field.startsWith("secrets.") ? secrets[field.slice(8) as SecretName] : settings[field];
    if (typeof value === "string" && isPlaceholder(value)) {
      issues.push({ field, label: labelOf(read, field), line: src.line, key: src.key, message: `${describeSource(read, field)} is the placeholder "${value.slice(0, 40).replace(/\n/g, "\\n")}"`, remedy: { kind: "placeholder", field } });
    }
  }
  if (issues.length) fail(read, issues);

  // A Google key carries the service account's identity; derive it before validating, so that
  // sample placeholders beside it (client_id "<client_id>") are replaced or the key is blamed.
  if (settings.kind === "google-service-account" && secrets.serviceAccountKey) {
    try {
      const key = parseServiceAccountKey(secrets.serviceAccountKey);
      Object.assign(settings, settingsFromServiceAccountKey(key, { tokenUrl: typeof settings.tokenUrl === "string" ? settings.tokenUrl : undefined }));
    } catch (error) {
      if (!isAppError(error)) throw error;
      for (const f of KEY_DERIVED_FIELDS) delete settings[f];
    }
  }

  const parsed = profileInputSchema.safeParse({ settings, secrets, clearSecrets: [] });
  if (!parsed.success) {
    for (const issue of parsed.error.issues.slice(0, 8)) {
      const field = issue.path[0] === "settings" ? String(issue.path[1] ?? "settings") : issue.path.map(String).join(".");
      const src = read.sources[field];
      const missing = issue.path[0] === "settings" && settings[field] === undefined;
      if (missing) issues.push({ field, label: labelOf(read, field), message: MISSING_HINTS[field] ?? "the file does not contain it", remedy: { kind: "missing", field } });
      else issues.push({ field, label: labelOf(read, field), line: src?.line, key: src?.key, message: `${describeSource(read, field)}: ${issue.message}` });
    }
    fail(read, issues);
  }
  const data = parsed.data;
  for (const name of secretsRequired(data.settings)) {
    if (!secrets[name]?.trim()) {
      const src = read.sources[`secrets.${name}`];
      issues.push({ field: `secrets.${name}`, label: SECRET_LABELS[name], line: src?.line, key: src?.key, message: "this profile needs it but the file has none", remedy: { kind: "missing", field: `secrets.${name}` } });
    }
  }
  const check = (name: SecretName, fn: (v: string) => void) => {
    const v = secrets[name];
    if (!v) return;
    try {
      fn(v);
    } catch (error) {
      const src = read.sources[`secrets.${name}`];
      if (!isAppError(error)) throw error;
      issues.push({ field: `secrets.${name}`, line: src?.line, key: src?.key, message: `${src ? describeSource(read, `secrets.${name}`) : SECRET_LABELS[name]}: ${error.userMessage}` });
    }
  };
  if (data.settings.kind === "google-service-account" && secrets.serviceAccountKey) {
    const text = secrets.serviceAccountKey;
    try {
      parseServiceAccountKey(text);
    } catch (error) {
      if (!isAppError(error)) throw error;
      // Name the property of the key file that is wrong, and its line when it came from the file.
      const prop = error.userMessage.match(/^Service account key: ([\w.]+):/)?.[1] ?? (/Private key/.test(error.userMessage) ? "private_key" : undefined);
      const line = prop && !overridden.has("secrets.serviceAccountKey") ? jsonKeyLine(text, prop) : undefined;
      const where = line ? `Line ${line} (${prop})` : prop ? `"${prop}" in the key` : "The service-account key";
      issues.push({ field: "secrets.serviceAccountKey", line, key: prop, message: `${where}: ${error.userMessage.replace(/^Service account key: [\w.]+: /, "")}` });
    }
  }
  check("privateKey", (v) => parsePrivateKey(v, "secrets.privateKey"));
  if ("certificatePem" in data.settings && data.settings.certificatePem) {
    try {
      describeCertificate(data.settings.certificatePem);
    } catch (error) {
      if (!isAppError(error)) throw error;
      issues.push({ field: "certificatePem", message: `certificatePem: ${error.userMessage}` });
    }
  }
  if (issues.length) fail(read, issues);
  const input: ProfileInput = { settings: data.settings, secrets: data.secrets, clearSecrets: [] };
  return { format: read.format, input, warnings: [...read.warnings, ...secretExpiryWarnings(data.settings, data.secrets), ...incompleteWarnings(data.settings)] };
}

/** The note on a file its target system accepts without a field the console needs to send a test (the profile is saved as incomplete). */
export function incompleteWarnings(settings: ProfileSettings): ImportWarning[] {
  return missingConsoleFields(settings).map((m) => ({
    message: `Incomplete: ${m.label} (${m.field}) is not set — ${m.why}. The profile is saved and marked incomplete until it is set (or give it when sending a test).`,
  }));
}

/**
 * A client secret expires (Azure: at most 24 months): the import asks for its date, so the
 * monitor warns 30/14/7/1 days ahead instead of the mail stopping with AADSTS7000222. Worded for
 * every surface (the field name is what both the CLI's --set and the console's form use).
 */
function secretExpiryWarnings(settings: Record<string, unknown>, secrets: ProfileSecrets): ImportWarning[] {
  if (!secrets.clientSecret || isPlaceholder(secrets.clientSecret) || settings.secretExpiresAt) return [];
  return [{ message: "The client secret's expiry date (secretExpiresAt) is not set: add the Expires date shown under Certificates & secrets in Azure, so the console warns 30, 14, 7 and 1 days before the secret stops working." }];
}

/**
 * Reads and validates an import in one go. Returns the ProfileInput for createProfile and the
 * warnings; throws AppError(invalid_input) naming the line/field of every problem.
 */
export function parseImport(text: string, options: ImportOptions & { format?: ImportFormatId } = {}): ParsedImport {
  return finalizeImport(readImport(text, options), options);
}

/** iMailOAuth.config → ProfileInput (see parseImport for failures). */
export const parseImailConfig = (text: string, options: ImportOptions = {}) => parseImport(text, { ...options, format: "imail-config" });
/** IBM i JSON (microsoft_app / service_account with domain) → ProfileInput. */
export const parseIbmiJson = (text: string, options: ImportOptions = {}) => parseImport(text, { ...options, format: "ibmi-json" });
/** Downloaded Google service-account key; needs overrides domain and impersonateUser. */
export const parseGoogleKey = (text: string, options: ImportOptions = {}) => parseImport(text, { ...options, format: "google-key" });
/** iMail system properties (.properties or a -D list) → ProfileInput. */
export const parseSystemProperties = (text: string, options: ImportOptions = {}) => parseImport(text, { ...options, format: "system-properties" });
/** The console's profile JSON → ProfileInput. */
export const parseProfileJson = (text: string, options: ImportOptions = {}) => parseImport(text, { ...options, format: "profile-json" });

export type ImportDiagnosis = {
  format: ImportFormatId | null;
  kind: ProfileKind | null;
  /** Doctor findings on what the file says (before anything is saved). */
  findings: Finding[];
  warnings: ImportWarning[];
  /** Why the file cannot be imported as is (after overrides), or null when it can. */
  importError: string | null;
  /** The same, one issue per problem with its remedy (empty when the file can be imported). */
  issues: ImportIssue[];
};

/**
 * The Import page's preview: runs the doctor on the file as read (so `$TENANT_ID`, missing SCOPE
 * and the like are explained even though they would not validate) and tries the validation.
 * Never throws for bad input: an unreadable file comes back as `importError`.
 */
export function diagnoseImport(text: string, options: ImportOptions & { format?: ImportFormatId; now?: Date } = {}): ImportDiagnosis {
  let read: ReadImport;
  try {
    read = readImport(text, options);
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { format: options.format ?? null, kind: null, findings: [], warnings: [], importError: error.userMessage, issues: importIssuesOf(error) };
  }
  let settings: Record<string, unknown> = read.settings;
  let secrets: ProfileSecrets = read.secrets;
  try {
    ({ settings, secrets } = applyOverrides(read, options.overrides ?? {}));
  } catch (error) {
    if (!isAppError(error)) throw error;
  }
  let certificate: { notAfter: string } | null = null;
  if (typeof settings.certificatePem === "string") {
    try {
      certificate = describeCertificate(settings.certificatePem);
    } catch {
      certificate = null;
    }
  }
  const secretsSet = Object.fromEntries(SECRET_NAMES.filter((n) => secrets[n] && !isPlaceholder(secrets[n]!)).map((n) => [n, true]));
  const findings = runDoctor({
    settings: settings as ReadImport["settings"],
    secretsSet,
    certificate,
    now: options.now ?? new Date(),
    secretShapes: { clientSecretLooksLikeSecretId: looksLikeSecretId(secrets.clientSecret) },
    source: { format: read.format, raw: read.raw, sources: read.sources, fatal: read.fatal },
  });
  let importError: string | null = null;
  let issues: ImportIssue[] = [];
  try {
    finalizeImport(read, options);
  } catch (error) {
    issues = importIssuesOf(error);
    importError = (error as AppError).userMessage;
  }
  return { format: read.format, kind: read.kind, findings, warnings: [...read.warnings, ...secretExpiryWarnings(settings, secrets), ...incompleteWarnings(settings as ProfileSettings)], importError, issues };
}

/** The diagnose path of the iMail parser (see diagnoseImport). */
export const diagnoseImailConfig = (text: string, options: ImportOptions & { now?: Date } = {}) => diagnoseImport(text, { ...options, format: "imail-config" });

export { looksLikeSecretId };
