import { EXCHANGE_BASIC_AUTH_SHORT, EXCHANGE_BASIC_AUTH_TIMELINE } from "../mail/exchange-basic-auth";
import { DEFAULTS, type ProfileKind, type SecretName } from "./kinds";

/**
 * What the profile form shows for each kind: sections, labels and help text (taken from the
 * reference guides, so an admin knows where in Azure / Google / IBM i each value comes from).
 * Pure data: shared by the client form and the server.
 */
export type FieldSpec = {
  name: string;
  label: string;
  /** `timezone`: an IBM i QTIMZON name or an IANA name, with a picker (lib/export/time-zone.ts). */
  type: "text" | "email" | "url" | "number" | "date" | "select" | "checkbox" | "textarea" | "pem" | "secret" | "secret-text" | "timezone";
  help?: string;
  placeholder?: string;
  options?: { value: string; label: string }[];
  required?: boolean;
  /** Shown only when another field has one of these values. */
  showWhen?: { field: string; in: string[] };
  defaultValue?: string | number | boolean;
  mono?: boolean;
  /** For secret fields: the secret's name in the encrypted blob. */
  secret?: SecretName;
  accept?: string;
};

export type SectionSpec = { id: string; title: string; description?: string; fields: FieldSpec[] };

const general: SectionSpec = {
  id: "general",
  title: "General",
  fields: [
    { name: "name", label: "Profile name", type: "text", required: true, help: "A unique name; the CLI uses it (npm run cli -- profile show NAME).", placeholder: "Payroll notifications" },
    { name: "description", label: "Description", type: "textarea", help: "What this profile is for and who owns it." },
  ],
};

const TENANT_HELP = "Directory (tenant) ID: Entra ID → App registrations → your app → Overview. A verified domain such as contoso.onmicrosoft.com also works.";
const CLIENT_HELP = "Application (client) ID, on the same Overview page.";
const TOKEN_URL_HELP =
  "Keep {TENANT_ID} as written: it is replaced with the tenant ID ($TENANT_ID is not, and fails with AADSTS900023). National clouds: https://login.microsoftonline.us (US Government), https://login.partner.microsoftonline.cn (China). Any https endpoint works, including a test server.";

function azureApp(extra: FieldSpec[] = []): SectionSpec {
  return {
    id: "azure",
    title: "Azure app registration",
    description: "From Entra ID → App registrations. Register a single-tenant app; no redirect URI is needed unless the kind says so.",
    fields: [
      { name: "tenantId", label: "Tenant ID", type: "text", required: true, mono: true, help: TENANT_HELP, placeholder: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" },
      { name: "clientId", label: "Client ID", type: "text", required: true, mono: true, help: CLIENT_HELP, placeholder: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" },
      { name: "tokenUrl", label: "Token URL", type: "url", mono: true, defaultValue: DEFAULTS.microsoftTokenUrl, help: TOKEN_URL_HELP },
      ...extra,
    ],
  };
}

const appCredential: SectionSpec = {
  id: "credential",
  title: "Application credential",
  description: "Client credentials: a client secret, or a certificate whose private key signs a client assertion (private_key_jwt).",
  fields: [
    { name: "credentialType", label: "Credential", type: "select", defaultValue: "secret", options: [{ value: "secret", label: "Client secret" }, { value: "certificate", label: "Certificate (client assertion)" }] },
    { name: "clientSecret", label: "Client secret", type: "secret", secret: "clientSecret", showWhen: { field: "credentialType", in: ["secret"] }, help: "Certificates & secrets → Client secrets → New client secret → copy the Value right away (not the Secret ID: that gives AADSTS7000215)." },
    { name: "secretExpiresAt", label: "Secret expires on", type: "date", showWhen: { field: "credentialType", in: ["secret"] }, help: "The Expires date shown under Certificates & secrets; the console warns 30, 14, 7 and 1 days ahead (AADSTS7000222 after it)." },
    { name: "certificatePem", label: "Certificate (PEM)", type: "pem", showWhen: { field: "credentialType", in: ["certificate"] }, accept: ".pem,.crt,.cer", help: "The public certificate you uploaded under Certificates & secrets → Certificates. Its thumbprint is shown after saving so you can match it in the portal." },
    { name: "privateKey", label: "Private key (PEM)", type: "secret-text", secret: "privateKey", showWhen: { field: "credentialType", in: ["certificate"] }, accept: ".pem,.key", help: "Unencrypted PKCS#8 or PKCS#1 key belonging to the certificate (openssl req -x509 -sha256 -nodes -newkey rsa:2048 -keyout privateKey.key -out certificate.crt)." },
    { name: "thumbprintHeader", label: "Thumbprint header", type: "select", defaultValue: "x5t#S256", showWhen: { field: "credentialType", in: ["certificate"] }, options: [{ value: "x5t#S256", label: "x5t#S256 (SHA-256, PS256) — recommended" }, { value: "x5t", label: "x5t (SHA-1, RS256) — legacy" }] },
  ],
};

const sender = (fromRequired = false): SectionSpec => ({
  id: "sender",
  title: "Sender",
  description: "Addresses used in test mail and exports (IMCFG1 Sender / Default From / Default Reply To).",
  fields: [
    { name: "fromAddress", label: "From address", type: "email", required: fromRequired, placeholder: "noreply@yourdomain.com" },
    { name: "senderAddress", label: "Sender address", type: "email", placeholder: "noreply@yourdomain.com" },
    { name: "replyTo", label: "Reply-to address", type: "email", placeholder: "noreply@yourdomain.com" },
  ],
});

const smtp = (d: { host: string; port: number }): SectionSpec => ({
  id: "smtp",
  title: "SMTP server",
  fields: [
    { name: "smtpHost", label: "SMTP host", type: "text", mono: true, defaultValue: d.host },
    { name: "smtpPort", label: "SMTP port", type: "number", defaultValue: d.port },
    { name: "smtpSecurity", label: "Security", type: "select", defaultValue: "starttls", options: [{ value: "starttls", label: "STARTTLS (required, port 587)" }, { value: "tls", label: "Implicit TLS (port 465)" }], help: "STARTTLS is required: a server that does not offer it is refused, never used in clear text." },
  ],
});

const imap = (d: { host: string; port: number }): SectionSpec => ({
  id: "imap",
  title: "IMAP server",
  description: "For the IMAP test (reading mail needs IMAP.AccessAsUser.All delegated, or IMAP.AccessAsApp for apps).",
  fields: [
    { name: "imapHost", label: "IMAP host", type: "text", mono: true, defaultValue: d.host },
    { name: "imapPort", label: "IMAP port", type: "number", defaultValue: d.port },
    { name: "imapSecurity", label: "Security", type: "select", defaultValue: "tls", options: [{ value: "tls", label: "Implicit TLS (port 993)" }, { value: "starttls", label: "STARTTLS (port 143)" }] },
  ],
});

const ibmiSmtpFields: FieldSpec[] = [
  { name: "ibmiTestRecipient", label: "SNDSMTPEMM test recipient", type: "email", help: "Recipient of the test mail at the end of the CL script (default: the sender)." },
  { name: "ibmiOauthDebugLog", label: "Include OAUTH_LOG_* debug variables", type: "checkbox", defaultValue: false, help: "ADDENVVAR OAUTH_LOG_LEVEL/DEST/FILE — only for debugging; the log goes to /tmp/oauth.log." },
];

const ibmi = (withJson: boolean): SectionSpec => ({
  id: "ibmi",
  title: "IBM i",
  description: "Used by the exports (iMailOAuth.config, IMCFG1, CHGSMTPA scripts). All optional.",
  fields: [
    { name: "ibmiConfigFolder", label: "Outlook 365 OAuth config folder (IFS)", type: "text", mono: true, placeholder: "/home/imail", help: "IMCFG1 folder that holds iMailOAuth.config." },
    ...(withJson
      ? ([
          { name: "ibmiJsonPath", label: "OAuth JSON path (IFS)", type: "text", mono: true, placeholder: "/oauth/office365.json", help: "Used in CHGSMTPA OAUTH('<path>' *ENABLE)." },
          { name: "ibmiAliasDomain", label: "ALIASDMN domain", type: "text", mono: true, placeholder: "yourdomain.onmicrosoft.com", help: "Must match the JSON file's domain, or SMTP never gets a usable token." },
          { name: "ibmiUserProfile", label: "User profile (ADDUSRSMTP)", type: "text", mono: true, placeholder: "QSYSOPR" },
          { name: "ibmiAlias", label: "Alias (ADDUSRSMTP)", type: "text", mono: true, placeholder: "sender" },
          ...ibmiSmtpFields,
        ] as FieldSpec[])
      : []),
    { name: "ibmiTimeZone", label: "IBM i time zone", type: "timezone", defaultValue: "UTC", help: "The IBM i QTIMZON name (DSPSYSVAL QTIMZON, e.g. QN0600CST) or an IANA name (America/Chicago): token expiry times in exports are written in it.", mono: true },
  ],
});

export const PROFILE_FORM: Record<ProfileKind, SectionSpec[]> = {
  "m365-delegated": [
    general,
    azureApp(),
    {
      id: "delegated",
      title: "Delegated user (ROPC)",
      description: "iMail DELEGATE mode: signs in as a real mailbox user and sends by SMTP XOAUTH2. Not for accounts with MFA (AADSTS50076) — use an app profile instead.",
      fields: [
        { name: "loginUser", label: "Login user (DELEGATED_USER)", type: "email", required: true, placeholder: "sender@yourdomain.com", help: "The mailbox user (UPN). Authenticated SMTP must be enabled for it: Microsoft 365 admin center → Users → Mail → Manage email apps." },
        { name: "password", label: "Password (DELEGATED_PASSWORD)", type: "secret", secret: "password" },
        { name: "publicClient", label: "Allow public client flows = Yes", type: "checkbox", defaultValue: true, help: "Authentication → Advanced settings. Yes: no client secret needed. No: the app is confidential and needs a client secret (AADSTS7000218 without one)." },
        { name: "clientSecret", label: "Client secret (CLIENT_SECRET)", type: "secret", secret: "clientSecret", help: "Only needed when public client flows are off. Paste the secret's Value, not its ID." },
        { name: "scope", label: "Scope (DELEGATED_SCOPE)", type: "text", mono: true, defaultValue: DEFAULTS.delegatedScope, help: "Must target https://outlook.office365.com/ (535 5.7.139 otherwise). API permission: Office 365 Exchange Online → Delegated → SMTP.Send, then Grant admin consent." },
      ],
    },
    sender(),
    smtp(DEFAULTS.m365Smtp),
    imap(DEFAULTS.m365Imap),
    ibmi(false),
  ],
  "m365-app-graph": [
    general,
    azureApp(),
    appCredential,
    {
      id: "graph",
      title: "Microsoft Graph",
      description: "iMail APP mode: client credentials, then POST /users/{FROM_ADDRESS}/sendMail. API permission: Microsoft Graph → Application → Mail.Send, then Grant admin consent.",
      fields: [
        { name: "scope", label: "Scope (SCOPE)", type: "text", mono: true, defaultValue: DEFAULTS.graphScope },
        { name: "graphEndpoint", label: "sendMail endpoint (ENDPOINT)", type: "url", mono: true, defaultValue: DEFAULTS.graphEndpoint, help: "{FROM_ADDRESS} is replaced with the sender mailbox. Change the host for national clouds (graph.microsoft.us, microsoftgraph.chinacloudapi.cn)." },
        { name: "fromAddress", label: "From address (mailbox)", type: "email", placeholder: "noreply@yourdomain.com", help: "The mailbox a send test sends as. iMail fills {FROM_ADDRESS} per message, so its config does without it; while it is empty the profile is marked incomplete." },
        { name: "replyTo", label: "Reply-to address", type: "email" },
        { name: "saveToSentItems", label: "Save to Sent Items", type: "checkbox", defaultValue: true },
      ],
    },
    ibmi(false),
  ],
  "m365-app-smtp": [
    general,
    azureApp(),
    appCredential,
    {
      id: "mailbox",
      title: "Mailbox (SMTP XOAUTH2 as the app)",
      description:
        "IBM i microsoft_app / Airlock client credentials. Needs Exchange application permission SMTP.SendAsApp via a service principal (New-ServicePrincipal) with mailbox permission, or RBAC for Applications — see the Exchange PowerShell export.",
      fields: [
        { name: "scope", label: "Scope", type: "text", mono: true, defaultValue: DEFAULTS.outlookAppScope },
        { name: "mailbox", label: "Mailbox (XOAUTH2 user)", type: "email", placeholder: "sender@yourdomain.com", help: "The mailbox a send test authenticates and sends as. The IBM i SMTP server decides the sender, so its JSON file does without it; while it is empty the profile is marked incomplete." },
        { name: "domain", label: "Domain", type: "text", required: true, mono: true, placeholder: "yourdomain.onmicrosoft.com", help: "The authoritative domain verified in Exchange Online (the IBM i JSON file's required domain)." },
        {
          name: "exchangeAuthorization",
          label: "Exchange authorization",
          type: "select",
          defaultValue: "rbac",
          options: [
            { value: "rbac", label: "RBAC for Applications (management scope + role assignment)" },
            { value: "mailbox-permission", label: "Service principal + Add-MailboxPermission" },
          ],
          help: "RBAC: do not add SMTP.SendAsApp in Entra (the token must not carry it). Mailbox permission: grant SMTP.SendAsApp with admin consent.",
        },
      ],
    },
    sender(),
    smtp(DEFAULTS.m365Smtp),
    imap(DEFAULTS.m365Imap),
    ibmi(true),
  ],
  "m365-auth-code": [
    general,
    azureApp([
      { name: "clientSecret", label: "Client secret", type: "secret", secret: "clientSecret", help: "For a web (confidential) app. Leave empty for a public client; PKCE protects the code either way." },
    ]),
    {
      id: "authorization",
      title: "Authorization code",
      description: "An admin signs in once with Authorize; the console keeps the refresh token (encrypted) and refreshes access tokens. Register the console's callback URL as a Web redirect URI.",
      fields: [
        { name: "scope", label: "Scopes", type: "text", mono: true, defaultValue: DEFAULTS.authCodeScope, help: "Keep offline_access, or no refresh token is issued." },
        { name: "mailbox", label: "Mailbox", type: "email", required: true, placeholder: "listener@yourdomain.com" },
        { name: "useSmtp", label: "Send by SMTP", type: "checkbox", defaultValue: true },
        { name: "useImap", label: "Read by IMAP", type: "checkbox", defaultValue: true },
      ],
    },
    sender(),
    smtp(DEFAULTS.m365Smtp),
    imap(DEFAULTS.m365Imap),
    ibmi(false),
  ],
  "google-service-account": [
    general,
    {
      id: "google",
      title: "Google service account",
      description:
        "Domain-wide delegation: the service account signs a JWT to impersonate a Workspace user (not @gmail.com). Authorise its client ID for https://mail.google.com/ in the Admin console → Security → API controls → Domain-wide delegation.",
      fields: [
        { name: "serviceAccountKey", label: "Service account key (JSON)", type: "secret-text", secret: "serviceAccountKey", accept: ".json,application/json", help: "Cloud Console → IAM → Service accounts → Keys → Add key → JSON. Upload the downloaded file." },
        { name: "impersonateUser", label: "User to impersonate", type: "email", required: true, placeholder: "sender@yourdomain.com", help: "The Workspace mailbox that sends; it is the XOAUTH2 user (never the service account)." },
        { name: "domain", label: "Workspace domain", type: "text", required: true, mono: true, placeholder: "yourdomain.com", help: "Added to the IBM i JSON file as the required domain; should match ALIASDMN." },
        { name: "scope", label: "Scope", type: "text", mono: true, defaultValue: DEFAULTS.googleScope },
        { name: "tokenUrl", label: "Token URL", type: "url", mono: true, defaultValue: DEFAULTS.googleTokenUrl, help: "Taken from the key's token_uri when a key is saved while this is Google's default; a URL you set yourself (a proxy) is kept. The IBM i JSON export writes this URL." },
      ],
    },
    sender(),
    smtp(DEFAULTS.googleSmtp),
    imap(DEFAULTS.googleImap),
    ibmi(true),
  ],
  "oauth2-generic": [
    general,
    {
      id: "oauth",
      title: "OAuth 2.0 token endpoint",
      fields: [
        { name: "tokenUrl", label: "Token URL", type: "url", required: true, mono: true, placeholder: "https://idp.example.com/oauth2/token" },
        { name: "grantType", label: "Grant", type: "select", defaultValue: "client_credentials", options: [{ value: "client_credentials", label: "Client credentials" }, { value: "password", label: "Password (resource owner)" }] },
        {
          name: "clientAuth",
          label: "Client authentication",
          type: "select",
          defaultValue: "client_secret_basic",
          options: [
            { value: "client_secret_basic", label: "client_secret_basic (HTTP Basic)" },
            { value: "client_secret_post", label: "client_secret_post (form parameter)" },
            { value: "private_key_jwt", label: "private_key_jwt (signed assertion)" },
          ],
        },
        { name: "clientId", label: "Client ID", type: "text", required: true, mono: true },
        { name: "clientSecret", label: "Client secret", type: "secret", secret: "clientSecret", showWhen: { field: "clientAuth", in: ["client_secret_basic", "client_secret_post"] } },
        { name: "certificatePem", label: "Certificate (PEM)", type: "pem", showWhen: { field: "clientAuth", in: ["private_key_jwt"] }, accept: ".pem,.crt,.cer" },
        { name: "privateKey", label: "Private key (PEM)", type: "secret-text", secret: "privateKey", showWhen: { field: "clientAuth", in: ["private_key_jwt"] }, accept: ".pem,.key" },
        { name: "scope", label: "Scope", type: "text", mono: true },
        { name: "username", label: "Username", type: "text", showWhen: { field: "grantType", in: ["password"] } },
        { name: "password", label: "Password", type: "secret", secret: "password", showWhen: { field: "grantType", in: ["password"] } },
        { name: "mailUser", label: "Mail user (XOAUTH2 user)", type: "email", required: true },
      ],
    },
    sender(),
    { ...smtp({ host: "", port: 587 }), fields: smtp({ host: "", port: 587 }).fields.map((f) => (f.name === "smtpHost" ? { ...f, required: true, defaultValue: undefined } : f)) },
    { ...imap({ host: "", port: 993 }), description: "Optional: leave the host empty if this profile does not read mail." },
    ibmi(false),
  ],
  "smtp-basic": [
    general,
    {
      id: "basic",
      title: "Username and password (legacy)",
      description: `${EXCHANGE_BASIC_AUTH_TIMELINE} Keep this kind for other servers, and move Microsoft 365 senders to an OAuth profile.`,
      fields: [
        { name: "username", label: "Username", type: "text", required: true },
        { name: "password", label: "Password", type: "secret", secret: "password" },
      ],
    },
    sender(),
    smtp(DEFAULTS.m365Smtp),
    ibmi(false),
  ],
  "log-only": [
    general,
    {
      id: "log",
      title: "Log only",
      description: "Nothing is sent: the whole message is written to the activity log, like a dummy email service. Use it to test flows.",
      fields: [
        { name: "fromAddress", label: "From address", type: "email", required: true },
        { name: "replyTo", label: "Reply-to address", type: "email" },
      ],
    },
  ],
};

export const KIND_DESCRIPTIONS: Record<ProfileKind, string> = {
  "m365-delegated": "iMail DELEGATE: a mailbox user's password (ROPC) → token → SMTP XOAUTH2. Simple Azure setup; no MFA.",
  "m365-app-graph": "iMail APP: client secret or certificate → Graph sendMail. No user password; best for automation.",
  "m365-app-smtp": "IBM i SMTP microsoft_app, Airlock: client credentials → SMTP XOAUTH2 with SMTP.SendAsApp.",
  "m365-auth-code": "webMethods style: sign in once, keep a refresh token, send by SMTP and read by IMAP.",
  "google-service-account": "IBM i SMTP for Gmail: service account with domain-wide delegation → smtp.gmail.com.",
  "oauth2-generic": "Any OAuth 2.0 token endpoint: client credentials or password; basic, post or private_key_jwt.",
  "smtp-basic": `Legacy username/password SMTP. ${EXCHANGE_BASIC_AUTH_SHORT}`,
  "log-only": "Writes messages to the activity log instead of sending, for testing flows.",
};
