import { isAppError } from "../errors";
import { resolveMicrosoftEndpoints } from "../oauth/msal";
import { resolveTokenUrl } from "../oauth/token-url";
import type { ProfileSettings } from "../profiles/schema";

/**
 * Settings cards: what to type into the products that keep their own OAuth settings —
 * webMethods Integration Server (authorization code, an e-mail port or the built-in SMTP
 * services) and Airlock IAM (SMTP Email Server with the OAuth 2.0 Client Credentials Grant
 * plugin) — field by field, with the labels those products print (reference documents
 * webmethods-is-oauth-email.txt and airlock-iam-smtp-email-service.txt). Derived from the
 * profile only; secrets are never part of a card (the card says where the secret goes).
 */

export type SettingsCardField = {
  /** The product's own label for the field. */
  label: string;
  /** The value to type in; null when the card cannot know it (then `note` says what to enter). */
  value: string | null;
  note?: string;
  /** The value is the profile's secret: never shown, only where to find it. */
  secret?: boolean;
};

export type SettingsCard = {
  id: "webmethods" | "airlock";
  product: string;
  title: string;
  /** Where in the product these fields are. */
  where: string;
  fields: SettingsCardField[];
  notes: string[];
};

function microsoftEndpoints(s: { tokenUrl: string; tenantId: string }): { tokenUrl: string; authorizeUrl: string } {
  try {
    return resolveMicrosoftEndpoints(s.tokenUrl, s.tenantId);
  } catch (error) {
    if (!isAppError(error)) throw error;
    const tokenUrl = resolveTokenUrl(s.tokenUrl, s.tenantId);
    return { tokenUrl, authorizeUrl: tokenUrl.replace(/\/token\/?$/, "/authorize") };
  }
}

/** The redirect webMethods' guide uses for the built-in SMTP services (host and port are Integration Server's). */
export const WEBMETHODS_AUTHCODE_REDIRECT = "http://<IS host>:<port>/WmRoot/security-oauth-get-authcode.dsp";

function webMethodsCard(s: Extract<ProfileSettings, { kind: "m365-auth-code" }>, consoleRedirectUri: string | undefined): SettingsCard {
  const { tokenUrl, authorizeUrl } = microsoftEndpoints(s);
  // As the guide prints it: Integration Server's host and port are filled in by the admin.
  const authRequest = `${authorizeUrl}?response_type=code&prompt=login&redirect_uri=${WEBMETHODS_AUTHCODE_REDIRECT}&client_id=${s.clientId}&scope=${encodeURIComponent(s.scope)}`;
  return {
    id: "webmethods",
    product: "webMethods Integration Server",
    title: "webMethods Integration Server (OAuth 2.0 e-mail port and SMTP)",
    where: "Integration Server Administrator: the OAuth 2.0 e-mail port (IMAP listener); for outbound SMTP, pub.client.oauth:getExternalAccessToken then pub.client:smtp.",
    fields: [
      { label: "Auth URL", value: authorizeUrl },
      { label: "Client ID", value: s.clientId },
      { label: "Client Secret", value: null, secret: true, note: "The client secret stored in this profile (Certificates & secrets in Entra ID); not shown here." },
      { label: "Scope", value: s.scope },
      { label: "Access Token URL", value: tokenUrl },
      {
        label: "Redirect URL",
        value: WEBMETHODS_AUTHCODE_REDIRECT,
        note: `Integration Server's address, registered in Entra ID under Authentication → Web${consoleRedirectUri ? ` next to this console's ${consoleRedirectUri}` : ""}.`,
      },
      { label: "Authorization request (built-in SMTP services)", value: authRequest, note: "Open it in a browser, sign in as the mailbox; the code comes back to the Redirect URL." },
    ],
    notes: [
      "webMethods asks for no token endpoint authentication method: Integration Server sends the client secret in the token request itself.",
      "Entra ID's v2.0 endpoints (…/oauth2/v2.0/authorize and …/token) are the ones to use with Azure AD, as the guide's closing note says.",
    ],
  };
}

type ClientCredentials = { tokenUrl: string; clientId: string; scope: string; username: string | null; auth: "basic" | "post" | "jwt" };

const AIRLOCK_AUTH: Record<ClientCredentials["auth"], string> = {
  basic: "OAuth 2.0 Basic Auth Client Secret",
  post: "OAuth 2.0 Parameter Client Secret",
  jwt: "OIDC Private Key JWT Client Authentication",
};

function airlockCard(c: ClientCredentials, smtp: { host: string; port: number }): SettingsCard {
  return {
    id: "airlock",
    product: "Airlock IAM",
    title: "Airlock IAM (SMTP Email Server with OAuth 2.0 Client Credentials Grant)",
    where: "Config Editor → SMTP Email Server → Authentication: SMTP Authentication With OAuth 2.0 Client Credentials Grant → Access Token Provider: OAuth2 Access Token String Value Provider.",
    fields: [
      { label: "Host", value: smtp.host, note: "SMTP Email Server plugin." },
      { label: "Port", value: String(smtp.port), note: "SMTP Email Server plugin." },
      { label: "Username", value: c.username, note: c.username ? "The mailbox IAM sends as (XOAUTH2 user)." : "The mailbox IAM sends as: set Mailbox on this profile." },
      { label: "Client ID", value: c.clientId },
      c.auth === "jwt"
        ? { label: "Client Secret", value: null, note: "None: the app authenticates with its certificate (private key JWT)." }
        : { label: "Client Secret", value: null, secret: true, note: "The client secret stored in this profile; not shown here." },
      { label: "Access Token Request Method", value: "OAuth 2.0 POST Request" },
      { label: "Token Endpoint Authentication", value: AIRLOCK_AUTH[c.auth], note: c.auth === "jwt" ? "Use the certificate's private key; the certificate is the one uploaded to the app registration." : undefined },
      { label: "Token Endpoint URL", value: c.tokenUrl },
      { label: "Scopes to Request", value: c.scope },
    ],
    notes: ["HTTP Client: an HTTP Client Config plugin with the default settings. IAM caches the token until it expires and fetches a new one itself."],
  };
}

/**
 * The cards that apply to a profile's kind: webMethods for authorization-code profiles, Airlock
 * for client-credentials SMTP profiles (Microsoft 365 app via SMTP, generic OAuth 2.0 with
 * client_credentials). `consoleRedirectUri` is this console's callback (named beside webMethods').
 */
export function buildSettingsCards(settings: ProfileSettings, options: { consoleRedirectUri?: string } = {}): SettingsCard[] {
  switch (settings.kind) {
    case "m365-auth-code":
      return [webMethodsCard(settings, options.consoleRedirectUri)];
    case "m365-app-smtp": {
      const { tokenUrl } = microsoftEndpoints(settings);
      const auth = settings.credentialType === "certificate" ? "jwt" : "basic";
      return [airlockCard({ tokenUrl, clientId: settings.clientId, scope: settings.scope, username: settings.mailbox ?? null, auth }, { host: settings.smtpHost, port: settings.smtpPort })];
    }
    case "oauth2-generic": {
      if (settings.grantType !== "client_credentials") return [];
      const auth = settings.clientAuth === "private_key_jwt" ? "jwt" : settings.clientAuth === "client_secret_post" ? "post" : "basic";
      return [airlockCard({ tokenUrl: settings.tokenUrl, clientId: settings.clientId, scope: settings.scope ?? "", username: settings.mailUser, auth }, { host: settings.smtpHost, port: settings.smtpPort })];
    }
    default:
      return [];
  }
}

/** The cards as text (the CLI's `export NAME --settings-cards`): label, value, note. */
export function renderSettingsCardsText(cards: SettingsCard[]): string {
  const out: string[] = [];
  for (const c of cards) {
    out.push(c.title, `  where: ${c.where}`);
    const width = Math.max(...c.fields.map((f) => f.label.length));
    for (const f of c.fields) out.push(`  ${f.label.padEnd(width)}  ${f.value ?? "(see note)"}${f.note ? `   # ${f.note}` : ""}`);
    for (const n of c.notes) out.push(`  note: ${n}`);
    out.push("");
  }
  return out.join("\n");
}
