import { z } from "zod";
import { GUID_PATTERN } from "../constants";
import { resolveTimeZone } from "../export/time-zone";
// Installs the error map that names the field in every message zod would word generically.
import "./error-map";
import { DEFAULTS, PROFILE_KINDS, SECRET_NAMES, type ProfileKind, type SecretName } from "./kinds";

export { DEFAULTS, KIND_LABELS, KIND_SHORT, PROFILE_KINDS, SECRET_LABELS, SECRET_NAMES, type ProfileKind, type ProfileSecrets, type SecretName } from "./kinds";

/**
 * Mail profile schemas: one per kind, a discriminated union on `kind`, shared by the form, the
 * server actions, the CLI and the importers. Non-secret settings and secret inputs are separate:
 * secrets are write-only (blank on edit keeps the stored value, `clearSecrets` removes one).
 */


// ---------------------------------------------------------------------------------------------
// Field validators. Messages say what was expected, and where the value is found.

const DOMAIN = /^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i;
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$|^\d{1,3}(\.\d{1,3}){3}$|^\[[0-9a-f:.]+\]$/i;

/**
 * Control characters (C0, DEL, C1) and the Unicode line/paragraph separators. Refused in every
 * setting string: a line break in a URL or IFS path would start a new key in iMailOAuth.config,
 * a new property, a new CL command or a new PowerShell statement in an export.
 */
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** The same, but line breaks and tabs are allowed (descriptions, PEM blocks). */
const CONTROL_CHARS_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/;
const controlCharMessage = (what: string, v: string, re: RegExp) => {
  const ch = v.match(re)?.[0] ?? "";
  const code = `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  return ch === "\n" || ch === "\r" ? `${what} must be one line: it contains a line break (${code})` : `${what} must not contain control characters (found ${code})`;
};

/** The shared refinement of every single-line setting string: trimmed, no control characters. */
const trimmed = (what = "Value") =>
  z
    .string()
    .trim()
    .check((ctx) => {
      if (CONTROL_CHARS.test(ctx.value)) ctx.issues.push({ code: "custom", input: ctx.value, message: controlCharMessage(what, ctx.value, CONTROL_CHARS) });
    });
/** Multi-line text (description, PEM): line breaks and tabs allowed, other control characters not. */
const multiLine = (what: string) =>
  z
    .string()
    .trim()
    .check((ctx) => {
      if (CONTROL_CHARS_BUT_LINES.test(ctx.value)) ctx.issues.push({ code: "custom", input: ctx.value, message: controlCharMessage(what, ctx.value, CONTROL_CHARS_BUT_LINES) });
    });

export const guid = (what: string) =>
  trimmed(what).regex(GUID_PATTERN, { message: `${what} must be a GUID like 00000000-0000-0000-0000-000000000000` });

export const tenantId = trimmed("Tenant ID").refine((v) => GUID_PATTERN.test(v) || DOMAIN.test(v), {
  message: "Tenant ID must be the Directory (tenant) ID GUID from the app's Overview page, or a verified domain such as contoso.onmicrosoft.com",
});

export const email = (what = "Email address") =>
  trimmed(what).pipe(z.email({ message: `${what} must be an email address like name@example.com` }));

export const domainName = (what = "Domain") =>
  trimmed(what).regex(DOMAIN, { message: `${what} must be a domain name like example.com` });

export const host = (what = "Host") =>
  trimmed(what).regex(HOST, { message: `${what} must be a host name or IP address (no scheme, no port), e.g. smtp.office365.com` });

export const port = (what = "Port") =>
  z.coerce.number({ message: `${what} must be a number` }).int({ message: `${what} must be a whole number` }).min(1, { message: `${what} must be between 1 and 65535` }).max(65535, { message: `${what} must be between 1 and 65535` });

export const scope = (what = "Scope") =>
  trimmed(what)
    .min(1, { message: `${what} is required (space-separated, e.g. https://outlook.office365.com/.default)` })
    .max(2000)
    .refine((v) => !/[,;]/.test(v), { message: `${what}: separate scopes with spaces, not commas or semicolons` })
    .transform((v) => v.split(/\s+/).join(" "));

const booleanish = (what: string) => z.preprocess((v) => {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (["on", "true", "1", "yes", "y"].includes(s)) return true;
    if (["off", "false", "0", "no", "n"].includes(s)) return false;
  }
  return v;
}, z.boolean({ message: `${what} must be yes or no (true/false, on/off)` }));

/**
 * An https URL that may contain the placeholders named in `placeholders`. Shell-style
 * `$TENANT_ID` / `${TENANT_ID}` is refused with the hint from the iMail guide (AADSTS900023).
 */
export function httpsUrl(what: string, placeholders: string[] = []) {
  return trimmed(what)
    .min(1, { message: `${what} is required` })
    .superRefine((value, ctx) => {
      const shell = value.match(/\$\{?([A-Z_]+)\}?|%([A-Z_]+)%/);
      if (shell) {
        const name = shell[1] ?? shell[2];
        ctx.addIssue({
          code: "custom",
          message: placeholders.includes(name)
            ? `${what}: write the placeholder as {${name}}, not ${shell[0]} — it is not replaced otherwise (AADSTS900023: tenant identifier invalid)`
            : `${what}: ${shell[0]} is not a supported placeholder`,
        });
        return;
      }
      for (const m of value.matchAll(/\{([^}]*)\}/g)) {
        if (!placeholders.includes(m[1])) {
          ctx.addIssue({
            code: "custom",
            message: placeholders.length
              ? `${what}: unknown placeholder {${m[1]}} (allowed: ${placeholders.map((p) => `{${p}}`).join(", ")})`
              : `${what}: placeholders are not allowed here ({${m[1]}})`,
          });
          return;
        }
      }
      let url: URL;
      try {
        url = new URL(value.replace(/\{([A-Z_]+)\}/g, "placeholder"));
      } catch {
        ctx.addIssue({ code: "custom", message: `${what} must be a full URL starting with https://` });
        return;
      }
      if (url.protocol !== "https:") ctx.addIssue({ code: "custom", message: `${what} must use https:// (tokens and secrets never travel in clear text)` });
    });
}

/** IBM i object names: 1–10 characters, starting with a letter or $ # @. */
const ibmiName = (what: string) =>
  trimmed(what)
    .toUpperCase()
    .regex(/^[A-Z$#@][A-Z0-9$#@_.]{0,9}$/, { message: `${what} must be an IBM i name: 1–10 characters, starting with a letter, $, # or @` });

const ifsPath = (what: string) =>
  trimmed(what)
    .regex(/^\/[^\0']*$/, { message: `${what} must be an absolute IFS path starting with / (and without quotes)` })
    .max(240);

// An IBM i QTIMZON name (QN0600CST) or an IANA name; stored as typed (QTIMZON upper-case).
// Resolved once per distinct input: resolving builds Intl formatters, and every stored-settings
// parse (the scheduler and the relay read profiles all the time) ran it again. The value and the
// message depend only on the input.
const resolvedTimeZones = new Map<string, { ok: true; value: string } | { ok: false; message: string }>();
function resolveTimeZoneOnce(tz: string) {
  let r = resolvedTimeZones.get(tz);
  if (!r) {
    const full = resolveTimeZone(tz);
    r = full.ok ? { ok: true, value: full.value } : { ok: false, message: full.message };
    if (resolvedTimeZones.size >= 1000) resolvedTimeZones.clear();
    resolvedTimeZones.set(tz, r);
  }
  return r;
}
const timeZone = trimmed("Time zone").transform((tz, ctx) => {
  const r = resolveTimeZoneOnce(tz);
  if (r.ok) return r.value;
  ctx.addIssue({ code: "custom", message: r.message });
  return z.NEVER;
});

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
export const certificatePem = multiLine("Certificate").refine((v) => PEM_CERT.test(v), {
  message: "Certificate must be a PEM block starting with -----BEGIN CERTIFICATE----- (the .crt/.cer you uploaded to Azure, Base64 encoded)",
});

// ---------------------------------------------------------------------------------------------
// Field groups shared by several kinds.

const common = {
  name: trimmed("Name")
    .min(1, { message: "Name is required" })
    .max(64, { message: "Name must be at most 64 characters" })
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._@-]*$/, { message: "Name may contain letters, digits, spaces and . _ @ - and must start with a letter or digit" }),
  description: multiLine("Description").max(500, { message: "Description must be at most 500 characters" }).default(""),
  ibmiConfigFolder: ifsPath("IFS config folder").optional(),
  ibmiJsonPath: ifsPath("IBM i JSON path").optional(),
  ibmiAliasDomain: domainName("ALIASDMN domain").optional(),
  ibmiUserProfile: ibmiName("IBM i user profile").optional(),
  ibmiAlias: trimmed("ADDUSRSMTP alias").max(64).regex(/^[^\s'@]+$/, { message: "ADDUSRSMTP alias is the mailbox name before the @, without spaces or quotes" }).optional(),
  ibmiTimeZone: timeZone.default("UTC"),
  secretExpiresAt: z.iso.date({ message: "Secret expiry must be a date (YYYY-MM-DD), as shown under Certificates & secrets" }).optional(),
};

const sender = {
  fromAddress: email("From address").optional(),
  senderAddress: email("Sender address").optional(),
  replyTo: email("Reply-to address").optional(),
};

const smtp = (d: { host: string; port: number; security: "starttls" | "tls" }) => ({
  smtpHost: host("SMTP host").default(d.host),
  smtpPort: port("SMTP port").default(d.port),
  smtpSecurity: z.enum(["starttls", "tls"], { message: "SMTP security must be starttls (port 587) or tls (port 465)" }).default(d.security),
});

const imap = (d: { host: string; port: number; security: "starttls" | "tls" }) => ({
  imapHost: host("IMAP host").default(d.host),
  imapPort: port("IMAP port").default(d.port),
  imapSecurity: z.enum(["tls", "starttls"], { message: "IMAP security must be tls (port 993) or starttls" }).default(d.security),
});

/** IBM i SMTP client setup (CHGSMTPA exports) for the two kinds IBM i SMTP supports. */
const ibmiSmtp = {
  ibmiTestRecipient: email("Test recipient").optional(),
  ibmiOauthDebugLog: booleanish("Include OAUTH_LOG_* debug variables").default(false),
};

const microsoftApp = {
  tenantId,
  clientId: guid("Client ID (Application ID)"),
  tokenUrl: httpsUrl("Token URL", ["TENANT_ID"]).default(DEFAULTS.microsoftTokenUrl),
  credentialType: z.enum(["secret", "certificate"], { message: "Credential must be a client secret or a certificate" }).default("secret"),
  certificatePem: certificatePem.optional(),
  thumbprintHeader: z.enum(["x5t#S256", "x5t"], { message: "Thumbprint header must be x5t#S256 or x5t" }).default("x5t#S256"),
};

// ---------------------------------------------------------------------------------------------
// One schema per kind.

export const m365DelegatedSchema = z.object({
  kind: z.literal("m365-delegated"),
  ...common,
  tenantId,
  clientId: guid("Client ID (Application ID)"),
  tokenUrl: httpsUrl("Token URL", ["TENANT_ID"]).default(DEFAULTS.microsoftTokenUrl),
  loginUser: email("Login user (DELEGATED_USER)"),
  publicClient: booleanish("Allow public client flows").default(true),
  scope: scope("Delegated scope").default(DEFAULTS.delegatedScope),
  ...sender,
  ...smtp(DEFAULTS.m365Smtp),
  ...imap(DEFAULTS.m365Imap),
});

export const m365AppGraphSchema = z.object({
  kind: z.literal("m365-app-graph"),
  ...common,
  ...microsoftApp,
  scope: scope().default(DEFAULTS.graphScope),
  graphEndpoint: httpsUrl("Graph sendMail endpoint", ["FROM_ADDRESS"]).default(DEFAULTS.graphEndpoint),
  fromAddress: email("From address").optional(),
  senderAddress: email("Sender address").optional(),
  replyTo: email("Reply-to address").optional(),
  saveToSentItems: booleanish("Save to Sent Items").default(true),
});

export const m365AppSmtpSchema = z.object({
  kind: z.literal("m365-app-smtp"),
  ...common,
  ...microsoftApp,
  scope: scope().default(DEFAULTS.outlookAppScope),
  mailbox: email("Mailbox (XOAUTH2 user)").optional(),
  domain: domainName("Domain"),
  // RBAC for Applications (the token must not carry SMTP.SendAsApp) or a service principal with
  // mailbox permission (the token carries the SMTP.SendAsApp role).
  exchangeAuthorization: z.enum(["rbac", "mailbox-permission"], { message: "Exchange authorization must be rbac or mailbox-permission" }).optional(),
  ...ibmiSmtp,
  ...sender,
  ...smtp(DEFAULTS.m365Smtp),
  ...imap(DEFAULTS.m365Imap),
});

export const m365AuthCodeSchema = z.object({
  kind: z.literal("m365-auth-code"),
  ...common,
  tenantId,
  clientId: guid("Client ID (Application ID)"),
  tokenUrl: httpsUrl("Token URL", ["TENANT_ID"]).default(DEFAULTS.microsoftTokenUrl),
  scope: scope().default(DEFAULTS.authCodeScope),
  mailbox: email("Mailbox"),
  useSmtp: booleanish("Send by SMTP").default(true),
  useImap: booleanish("Read by IMAP").default(true),
  ...sender,
  ...smtp(DEFAULTS.m365Smtp),
  ...imap(DEFAULTS.m365Imap),
});

export const googleServiceAccountSchema = z.object({
  kind: z.literal("google-service-account"),
  ...common,
  impersonateUser: email("User to impersonate"),
  domain: domainName("Workspace domain"),
  scope: scope().default(DEFAULTS.googleScope),
  tokenUrl: httpsUrl("Token URL").default(DEFAULTS.googleTokenUrl),
  // Derived from the uploaded key (non-secret parts), kept for display and exports.
  serviceAccountEmail: email("Service account email").optional(),
  serviceAccountClientId: trimmed("Service account client ID").regex(/^\d{10,30}$/, { message: "Service account client ID is numeric" }).optional(),
  privateKeyId: trimmed("private_key_id").max(100).optional(),
  projectId: trimmed("project_id").max(100).optional(),
  authUri: trimmed("auth_uri").max(500).optional(),
  authProviderCertUrl: trimmed("auth_provider_x509_cert_url").max(500).optional(),
  clientCertUrl: trimmed("client_x509_cert_url").max(500).optional(),
  universeDomain: trimmed("universe_domain").max(253).optional(),
  ...ibmiSmtp,
  ...sender,
  ...smtp(DEFAULTS.googleSmtp),
  ...imap(DEFAULTS.googleImap),
});

export const oauth2GenericSchema = z.object({
  kind: z.literal("oauth2-generic"),
  ...common,
  tokenUrl: httpsUrl("Token URL"),
  grantType: z.enum(["client_credentials", "password"], { message: "Grant must be client_credentials or password" }).default("client_credentials"),
  clientAuth: z
    .enum(["client_secret_basic", "client_secret_post", "private_key_jwt"], { message: "Client authentication must be client_secret_basic, client_secret_post or private_key_jwt" })
    .default("client_secret_basic"),
  clientId: trimmed("Client ID").min(1, { message: "Client ID is required" }).max(256),
  scope: trimmed("Scope").max(2000).optional(),
  username: trimmed("Username").max(256).optional(),
  certificatePem: certificatePem.optional(),
  mailUser: email("Mail user (XOAUTH2 user)"),
  ...sender,
  smtpHost: host("SMTP host"),
  smtpPort: port("SMTP port").default(587),
  smtpSecurity: z.enum(["starttls", "tls"], { message: "SMTP security must be starttls or tls" }).default("starttls"),
  imapHost: host("IMAP host").optional(),
  imapPort: port("IMAP port").default(993),
  imapSecurity: z.enum(["tls", "starttls"]).default("tls"),
});

export const smtpBasicSchema = z.object({
  kind: z.literal("smtp-basic"),
  ...common,
  username: trimmed("Username").min(1, { message: "Username is required" }).max(256),
  ...sender,
  ...smtp(DEFAULTS.m365Smtp),
});

export const logOnlySchema = z.object({
  kind: z.literal("log-only"),
  ...common,
  fromAddress: email("From address"),
  replyTo: email("Reply-to address").optional(),
});

/** Each kind's settings schema (the form spec in fields.ts is checked against these by a test). */
export const KIND_SCHEMAS = {
  "m365-delegated": m365DelegatedSchema,
  "m365-app-graph": m365AppGraphSchema,
  "m365-app-smtp": m365AppSmtpSchema,
  "m365-auth-code": m365AuthCodeSchema,
  "google-service-account": googleServiceAccountSchema,
  "oauth2-generic": oauth2GenericSchema,
  "smtp-basic": smtpBasicSchema,
  "log-only": logOnlySchema,
} as const satisfies Record<ProfileKind, z.ZodObject>;

const settingsUnion = z.discriminatedUnion(
  "kind",
  [m365DelegatedSchema, m365AppGraphSchema, m365AppSmtpSchema, m365AuthCodeSchema, googleServiceAccountSchema, oauth2GenericSchema, smtpBasicSchema, logOnlySchema],
  { error: () => `Kind must be one of: ${PROFILE_KINDS.join(", ")}` },
);

/** Settings of a stored profile (no secrets). */
export const profileSettingsSchema = settingsUnion.superRefine((s, ctx) => {
  if ("credentialType" in s && s.credentialType === "certificate" && !s.certificatePem) {
    ctx.addIssue({ code: "custom", path: ["certificatePem"], message: "Certificate is required when the credential is a certificate" });
  }
  if (s.kind === "oauth2-generic") {
    if (s.clientAuth === "private_key_jwt" && !s.certificatePem) {
      ctx.addIssue({ code: "custom", path: ["certificatePem"], message: "Certificate is required for private_key_jwt (its thumbprint goes into the assertion header)" });
    }
    if (s.grantType === "password" && !s.username) {
      ctx.addIssue({ code: "custom", path: ["username"], message: "Username is required for the password grant" });
    }
  }
  if (s.kind === "google-service-account" && s.impersonateUser && s.domain) {
    const userDomain = s.impersonateUser.split("@")[1]?.toLowerCase();
    if (userDomain === "gmail.com" || userDomain === "googlemail.com") {
      ctx.addIssue({ code: "custom", path: ["impersonateUser"], message: "Domain-wide delegation works only for Google Workspace users, not @gmail.com accounts" });
    }
  }
});
export type ProfileSettings = z.infer<typeof profileSettingsSchema>;
export type ProfileSettingsOf<K extends ProfileKind> = Extract<ProfileSettings, { kind: K }>;

// ---------------------------------------------------------------------------------------------
// Secrets: which a kind has, and which it needs.

const secretInput = z
  .string()
  .max(100_000, { message: "Value is too long" })
  .refine((v) => !/[\0]/.test(v), { message: "Value contains a NUL character" })
  .optional();

export const secretInputSchema = z.object({
  clientSecret: secretInput,
  password: secretInput,
  privateKey: secretInput,
  serviceAccountKey: secretInput,
});

/** The secrets a profile of this shape may hold. */
export function secretsAllowed(s: Pick<ProfileSettings, "kind"> & Partial<Record<string, unknown>>): SecretName[] {
  switch (s.kind) {
    case "m365-delegated":
      return ["password", "clientSecret"];
    case "m365-app-graph":
    case "m365-app-smtp":
      return s.credentialType === "certificate" ? ["privateKey"] : ["clientSecret"];
    case "m365-auth-code":
      return ["clientSecret"];
    case "google-service-account":
      return ["serviceAccountKey"];
    case "oauth2-generic": {
      const out: SecretName[] = s.clientAuth === "private_key_jwt" ? ["privateKey"] : ["clientSecret"];
      if (s.grantType === "password") out.push("password");
      return out;
    }
    case "smtp-basic":
      return ["password"];
    case "log-only":
      return [];
  }
  return [];
}

/** The secrets without which the profile cannot work; checked after merging with stored ones. */
export function secretsRequired(s: ProfileSettings): SecretName[] {
  switch (s.kind) {
    case "m365-delegated":
      // "Allow public client flows" = No makes the app confidential: AADSTS7000218 without a secret.
      return s.publicClient ? ["password"] : ["password", "clientSecret"];
    case "m365-auth-code":
      return [];
    default:
      return secretsAllowed(s);
  }
}

// ---------------------------------------------------------------------------------------------
// Full input (settings + secrets), as the form, the CLI and imports send it.

export const profileInputSchema = z.object({
  settings: profileSettingsSchema,
  secrets: secretInputSchema.default({}),
  clearSecrets: z.array(z.enum(SECRET_NAMES)).default([]),
});
/** Input as callers send it (defaults not yet applied). */
export type ProfileInput = z.input<typeof profileInputSchema>;
export type ParsedProfileInput = z.infer<typeof profileInputSchema>;

export const updateProfileSchema = profileInputSchema.extend({
  version: z.coerce.number({ message: "Version is missing; reload the page" }).int().min(1),
});
export type UpdateProfileInput = z.input<typeof updateProfileSchema>;

/** The primary mail identity of a profile: what lists show and search matches. */
export function accountOf(s: ProfileSettings): string {
  switch (s.kind) {
    case "m365-delegated":
      return s.loginUser;
    case "m365-app-smtp":
      // Empty when imported from an IBM i JSON file (the IBM i SMTP server decides the sender).
      return s.mailbox ?? "";
    case "m365-auth-code":
      return s.mailbox;
    case "google-service-account":
      return s.impersonateUser;
    case "oauth2-generic":
      return s.mailUser;
    case "smtp-basic":
      return s.fromAddress ?? s.username;
    case "m365-app-graph":
      // Empty when imported from iMail's config (iMail fills {FROM_ADDRESS} per message).
      return s.fromAddress ?? "";
    case "log-only":
      return s.fromAddress;
  }
}

