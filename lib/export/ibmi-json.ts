import { AppError } from "../errors";
import { DEFAULTS, type ProfileSecrets } from "../profiles/schema";
import { isPlaceholder, lineAt } from "./text";
import type { ExportInput, ExportResult, ExportWarning, ImportOptions, ImportWarning, LooseSettings, ReadImport } from "./types";

/**
 * The IFS credential file of IBM i SMTP OAuth 2.0 (PTFs SJ09506 …): `microsoft_app` for
 * Microsoft 365 or a Google `service_account` key, both with the `domain` IBM i requires.
 * Field order and layout follow the samples in "IBM i SMTP support for OAuth 2.0".
 */

export const MICROSOFT_APP_KEYS = ["type", "tenant_id", "client_id", "client_secret", "scope", "domain"] as const;
export const GOOGLE_KEY_ORDER = [
  "type",
  "project_id",
  "private_key_id",
  "private_key",
  "client_email",
  "client_id",
  "auth_uri",
  "token_uri",
  "auth_provider_x509_cert_url",
  "client_x509_cert_url",
  "universe_domain",
  "domain",
] as const;
/** The URLs of a key Google issues, for a profile whose key did not carry them. */
export const GOOGLE_KEY_URLS = {
  authUri: "https://accounts.google.com/o/oauth2/auth",
  authProviderCertUrl: "https://www.googleapis.com/oauth2/v1/certs",
  universeDomain: "googleapis.com",
};
/** Written when the private key is not included (the sample's own elision). */
export const GOOGLE_PRIVATE_KEY_PLACEHOLDER = "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n";
export const MICROSOFT_SECRET_PLACEHOLDER = "<client_secret>";

/** The default IFS path of the credential file when the profile does not name one. */
export function defaultIbmiJsonPath(kind: "m365-app-smtp" | "google-service-account"): string {
  return kind === "m365-app-smtp" ? "/oauth/office365.json" : "/oauth/gmail.json";
}

// One space of indentation, as IBM's samples print it.
const stringify = (value: unknown) => JSON.stringify(value, null, 1) + "\n";

/**
 * Renders the IBM i JSON credential file for m365-app-smtp (microsoft_app) or
 * google-service-account (service_account + domain). Throws AppError("unsupported") otherwise.
 */
export function renderIbmiJson(input: ExportInput): ExportResult {
  const s = input.settings;
  const warnings: ExportWarning[] = [];
  if (s.kind === "m365-app-smtp") {
    if (s.credentialType === "certificate") {
      warnings.push({ message: "IBM i's microsoft_app file authenticates with a client secret only; this profile uses a certificate. Create a client secret for the IBM i and put it in client_secret." });
    } else if (input.secrets && !input.secrets.clientSecret) {
      warnings.push({ message: "Client secret is not stored; replace <client_secret> by hand." });
    }
    if (s.scope !== DEFAULTS.outlookAppScope) warnings.push({ message: `scope must be ${DEFAULTS.outlookAppScope} for IBM i SMTP; the profile has "${s.scope}".` });
    if (s.ibmiAliasDomain && s.ibmiAliasDomain.toLowerCase() !== s.domain.toLowerCase()) {
      warnings.push({ message: `domain "${s.domain}" differs from ALIASDMN "${s.ibmiAliasDomain}"; IBM i will not obtain a usable token unless they match.` });
    }
    const body = {
      type: "microsoft_app",
      tenant_id: s.tenantId,
      client_id: s.clientId,
      client_secret: input.secrets?.clientSecret ?? MICROSOFT_SECRET_PLACEHOLDER,
      scope: s.scope,
      domain: s.domain,
    };
    if (!input.secrets) warnings.push({ message: "client_secret is a placeholder; export with secrets included, or edit the file on the IBM i." });
    return { filename: fileName(s.ibmiJsonPath, s.kind), contentType: "application/json; charset=utf-8", content: stringify(body), warnings };
  }
  if (s.kind === "google-service-account") {
    let key: Record<string, unknown> | null = null;
    if (input.secrets?.serviceAccountKey) {
      try {
        key = JSON.parse(input.secrets.serviceAccountKey) as Record<string, unknown>;
      } catch {
        warnings.push({ message: "The stored service-account key is not valid JSON; the file was rebuilt from the profile's settings." });
      }
    } else if (input.secrets) {
      warnings.push({ message: "No service-account key is stored; private_key is a placeholder." });
    }
    if (!key) {
      const email = s.serviceAccountEmail ?? "<client_email>";
      key = {
        type: "service_account",
        project_id: s.projectId ?? "<project_id>",
        private_key_id: s.privateKeyId ?? "<private_key_id>",
        private_key: GOOGLE_PRIVATE_KEY_PLACEHOLDER,
        client_email: email,
        client_id: s.serviceAccountClientId ?? "<client_id>",
        // The stored key's own URLs (kept as settings when it was uploaded), Google's otherwise.
        auth_uri: s.authUri ?? GOOGLE_KEY_URLS.authUri,
        token_uri: s.tokenUrl,
        auth_provider_x509_cert_url: s.authProviderCertUrl ?? GOOGLE_KEY_URLS.authProviderCertUrl,
        client_x509_cert_url: s.clientCertUrl ?? (s.serviceAccountEmail ? `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}` : "<client_x509_cert_url>"),
        universe_domain: s.universeDomain ?? GOOGLE_KEY_URLS.universeDomain,
      };
      if (!input.secrets) warnings.push({ message: "private_key is a placeholder; export with secrets included to get a usable key file." });
    }
    // The profile's token URL (prefilled from the key's token_uri) is the one IBM i must use too,
    // so the files with and without secrets name the same endpoint.
    if (typeof key.token_uri === "string" && key.token_uri !== s.tokenUrl) {
      warnings.push({ message: `The key's token_uri ${key.token_uri} differs from the profile's token URL; the file uses the profile's (${s.tokenUrl}).` });
    }
    key = { ...key, token_uri: s.tokenUrl };
    // The downloaded key has no `domain`: IBM i needs it (the Workspace domain, = ALIASDMN).
    const { domain: _ignored, ...rest } = key;
    void _ignored;
    const body = { ...rest, domain: s.domain };
    if (s.ibmiAliasDomain && s.ibmiAliasDomain.toLowerCase() !== s.domain.toLowerCase()) {
      warnings.push({ message: `domain "${s.domain}" differs from ALIASDMN "${s.ibmiAliasDomain}"; IBM i will not obtain a usable token unless they match.` });
    }
    return { filename: fileName(s.ibmiJsonPath, s.kind), contentType: "application/json; charset=utf-8", content: stringify(body), warnings };
  }
  throw new AppError("unsupported", `The IBM i JSON credential file exists only for m365-app-smtp (microsoft_app) and google-service-account profiles, not ${s.kind}.`);
}

function fileName(path: string | undefined, kind: "m365-app-smtp" | "google-service-account"): string {
  return (path ?? defaultIbmiJsonPath(kind)).split("/").pop() || defaultIbmiJsonPath(kind).slice(7);
}

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * Replaces Unicode blanks outside string literals by spaces. Samples copied from web pages (IBM's
 * among them) indent with non-breaking spaces, which JSON does not accept as whitespace.
 */
export function normalizeJsonBlanks(text: string): { text: string; changed: boolean } {
  let out = "";
  let inString = false;
  let changed = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      out += ch;
      if (ch === "\\") out += text[++i] ?? "";
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (/[\u00A0\u2000-\u200B\u202F\u205F\u3000\uFEFF]/.test(ch)) {
      out += " ";
      changed = true;
    } else out += ch;
  }
  return { text: out, changed };
}

/** Where JSON.parse stopped, from its message (the wording differs between Node versions). */
function jsonErrorLine(text: string, message: string): number | undefined {
  const pos = message.match(/position (\d+)/);
  if (pos) return lineAt(text, Number(pos[1]));
  const line = message.match(/line (\d+)/);
  if (line) return Number(line[1]);
  if (/end of (JSON )?input/i.test(message)) return text.trimEnd().split("\n").length;
  // V8 11: Unexpected token '}', ..."ant_id": \n}" is not valid JSON — find the quoted excerpt.
  const snippet = message.match(/Unexpected token '([\s\S])', (?:\.\.\.)?"?([\s\S]*?)"?(?:\.\.\.)?"? is not valid JSON/);
  if (snippet) {
    const excerpt = snippet[2].replace(/^\.\.\./, "").replace(/\.\.\.$/, "");
    const at = text.indexOf(excerpt);
    if (at >= 0) return lineAt(text, at + Math.max(0, excerpt.lastIndexOf(snippet[1])));
  }
  return undefined;
}

/** Parses JSON, naming the line of a syntax error. Throws AppError(invalid_input). */
export function parseJsonText(text: string, what: string): unknown {
  const normalized = normalizeJsonBlanks(text).text;
  try {
    return JSON.parse(normalized);
  } catch (error) {
    const msg = error instanceof Error ? error.message : String(error);
    const line = jsonErrorLine(normalized, msg);
    throw new AppError("invalid_input", `${what} is not valid JSON${line ? ` (line ${line})` : ""}: ${msg.replace(/^.*?JSON\.parse: /, "").slice(0, 120)}`, {
      field: line ? `line ${line}` : what,
      detail: { kind: "source", line },
    });
  }
}

/** The line on which `"key":` first appears (for messages), or undefined. */
export function jsonKeyLine(text: string, key: string): number | undefined {
  const i = text.search(new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"\\s*:`));
  return i < 0 ? undefined : lineAt(text, i);
}

/**
 * First stage of the IBM i JSON / Google key import. `microsoft_app` → m365-app-smtp;
 * `service_account` → google-service-account (format "google-key" when `domain` is absent, as in
 * a freshly downloaded key). Throws AppError(invalid_input) for invalid JSON, a non-object, or a
 * `type` that is neither.
 */
export function readIbmiJson(text: string, options: ImportOptions = {}): ReadImport {
  const data = parseJsonText(text, "The file");
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    throw new AppError("invalid_input", 'The file must be a JSON object such as { "type": "microsoft_app", … }', { field: "type" });
  }
  const obj = data as Record<string, unknown>;
  const warnings: ImportWarning[] = [];
  if (normalizeJsonBlanks(text).changed) warnings.push({ message: "Non-breaking spaces (from a web page) were read as plain spaces" });
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) raw[k] = typeof v === "string" ? v : JSON.stringify(v);
  const settings: LooseSettings = {};
  const secrets: ProfileSecrets = {};
  const sources: ReadImport["sources"] = {};
  const str = (k: string): string | undefined => {
    const v = obj[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw new AppError("invalid_input", `"${k}" (line ${jsonKeyLine(text, k) ?? "?"}) must be a string`, { field: k, detail: { kind: "source", line: jsonKeyLine(text, k) } });
    return v;
  };
  const take = (k: string, field: string) => {
    const v = str(k);
    if (v === undefined || v === "") return;
    settings[field] = v;
    sources[field] = { line: jsonKeyLine(text, k), key: k };
  };
  const type = str("type");
  if (type === "microsoft_app") {
    settings.kind = "m365-app-smtp";
    settings.credentialType = "secret";
    take("tenant_id", "tenantId");
    take("client_id", "clientId");
    take("scope", "scope");
    take("domain", "domain");
    const secret = str("client_secret");
    if (secret) {
      secrets.clientSecret = secret;
      sources["secrets.clientSecret"] = { line: jsonKeyLine(text, "client_secret"), key: "client_secret" };
    }
    for (const k of Object.keys(obj)) {
      if (!(MICROSOFT_APP_KEYS as readonly string[]).includes(k)) warnings.push({ line: jsonKeyLine(text, k), message: `Unknown key "${k}" is ignored (microsoft_app has ${MICROSOFT_APP_KEYS.join(", ")})` });
    }
    if (!str("domain")) warnings.push({ line: jsonKeyLine(text, "type"), message: 'The "domain" field is missing: IBM i requires it (the authoritative domain verified in Exchange Online, = ALIASDMN)' });
    settings.name = options.name ?? `IBM i ${str("domain") ?? str("client_id") ?? "microsoft_app"}`.replace(/[^A-Za-z0-9 ._@-]/g, "-").slice(0, 64);
    flagPlaceholders(settings, secrets, sources, warnings);
    return { format: "ibmi-json", kind: "m365-app-smtp", settings, secrets, warnings, sources, raw };
  }
  if (type === "service_account") {
    settings.kind = "google-service-account";
    take("domain", "domain");
    // Derived from the key (the DAL re-derives them on save), so no `sources`: a placeholder
    // here is reported against the key itself, not as a field to --set.
    for (const [k, field] of [
      ["client_email", "serviceAccountEmail"],
      ["client_id", "serviceAccountClientId"],
      ["private_key_id", "privateKeyId"],
      ["project_id", "projectId"],
    ] as const) {
      const v = str(k);
      if (v) settings[field] = v;
    }
    const tokenUri = str("token_uri");
    if (tokenUri && tokenUri !== DEFAULTS.googleTokenUrl) take("token_uri", "tokenUrl");
    // The whole key is the secret; the non-secret parts above are re-derived from it on save.
    secrets.serviceAccountKey = normalizeJsonBlanks(text).text.trimStart();
    sources["secrets.serviceAccountKey"] = { line: jsonKeyLine(text, "private_key"), key: "private_key" };
    const hasDomain = Boolean(str("domain"));
    if (!hasDomain) {
      warnings.push({ message: 'A downloaded service-account key has no "domain": supply the Google Workspace domain (and the user to impersonate); IBM i also needs it in the file' });
    }
    const known: readonly string[] = GOOGLE_KEY_ORDER;
    for (const k of Object.keys(obj)) if (!known.includes(k)) warnings.push({ line: jsonKeyLine(text, k), message: `Unknown key "${k}" is kept in the key file but not used` });
    const pk = str("private_key");
    if (pk && isPlaceholder(pk)) warnings.push({ line: jsonKeyLine(text, "private_key"), message: "private_key is the sample's elided key (…); paste the real key file" });
    for (const k of ["client_email", "client_id", "private_key_id", "project_id"]) {
      const v = str(k);
      if (v && /<[^<>]+>/.test(v)) warnings.push({ line: jsonKeyLine(text, k), message: `"${k}" still holds the sample's placeholder "${v.slice(0, 60)}"` });
    }
    settings.name = options.name ?? `Google ${str("domain") ?? str("client_email") ?? "service account"}`.replace(/[^A-Za-z0-9 ._@-]/g, "-").slice(0, 64);
    flagPlaceholders(settings, {}, sources, warnings);
    return { format: hasDomain ? "ibmi-json" : "google-key", kind: "google-service-account", settings, secrets, warnings, sources, raw };
  }
  throw new AppError(
    "invalid_input",
    `"type" (line ${jsonKeyLine(text, "type") ?? 1}) must be "microsoft_app" or "service_account"${type ? `, found "${type}"` : " but is missing"}`,
    { field: "type", detail: { kind: "source", line: jsonKeyLine(text, "type") } },
  );
}

function flagPlaceholders(settings: LooseSettings, secrets: ProfileSecrets, sources: ReadImport["sources"], warnings: ImportWarning[]): void {
  for (const [field, src] of Object.entries(sources)) {
    const value = field.startsWith("secrets.") ? secrets[field.slice(8) as keyof ProfileSecrets] : settings[field];
    if (typeof value === "string" && isPlaceholder(value)) warnings.push({ line: src.line, message: `"${src.key}" still holds the sample's placeholder "${value.slice(0, 40)}"` });
  }
}
