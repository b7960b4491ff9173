/**
 * The profile kinds, their labels and defaults, and the secret names: plain data without zod, so
 * client components (the profile form, lists, badges) can import them without pulling the
 * validators into the browser. lib/profiles/schema.ts re-exports all of it for server code.
 */

export const PROFILE_KINDS = [
  "m365-delegated",
  "m365-app-graph",
  "m365-app-smtp",
  "m365-auth-code",
  "google-service-account",
  "oauth2-generic",
  "smtp-basic",
  "log-only",
] as const;
export type ProfileKind = (typeof PROFILE_KINDS)[number];

export const SECRET_NAMES = ["clientSecret", "password", "privateKey", "serviceAccountKey"] as const;
export type SecretName = (typeof SECRET_NAMES)[number];
export type ProfileSecrets = Partial<Record<SecretName, string>>;

export const DEFAULTS = {
  microsoftTokenUrl: "https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token",
  delegatedScope: "https://outlook.office365.com/SMTP.Send offline_access",
  graphScope: "https://graph.microsoft.com/.default",
  outlookAppScope: "https://outlook.office365.com/.default",
  authCodeScope: "offline_access https://outlook.office365.com/SMTP.Send https://outlook.office365.com/IMAP.AccessAsUser.All",
  graphEndpoint: "https://graph.microsoft.com/v1.0/users/{FROM_ADDRESS}/sendMail",
  googleTokenUrl: "https://oauth2.googleapis.com/token",
  googleScope: "https://mail.google.com/",
  m365Smtp: { host: "smtp.office365.com", port: 587, security: "starttls" as const },
  m365Imap: { host: "outlook.office365.com", port: 993, security: "tls" as const },
  googleSmtp: { host: "smtp.gmail.com", port: 587, security: "starttls" as const },
  googleImap: { host: "imap.gmail.com", port: 993, security: "tls" as const },
};

export const SECRET_LABELS: Record<SecretName, string> = {
  clientSecret: "Client secret",
  password: "Password",
  privateKey: "Private key",
  serviceAccountKey: "Service account key (JSON)",
};

export const KIND_LABELS: Record<ProfileKind, string> = {
  "m365-delegated": "Microsoft 365 · delegated (ROPC → SMTP)",
  "m365-app-graph": "Microsoft 365 · app (Graph sendMail)",
  "m365-app-smtp": "Microsoft 365 · app (SMTP XOAUTH2)",
  "m365-auth-code": "Microsoft 365 · authorization code",
  "google-service-account": "Google Workspace · service account",
  "oauth2-generic": "Generic OAuth 2.0",
  "smtp-basic": "SMTP basic auth (legacy)",
  "log-only": "Log only (no sending)",
};

export const KIND_SHORT: Record<ProfileKind, string> = {
  "m365-delegated": "M365 DELEGATE",
  "m365-app-graph": "M365 APP · Graph",
  "m365-app-smtp": "M365 APP · SMTP",
  "m365-auth-code": "M365 auth code",
  "google-service-account": "Google SA",
  "oauth2-generic": "OAuth2",
  "smtp-basic": "Basic SMTP",
  "log-only": "Log only",
};
