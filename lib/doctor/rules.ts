import { GUID_PATTERN } from "../constants";
import { DEFAULTS, type ProfileKind, type ProfileSettings } from "../profiles/schema";
import { exchangeAuthorizationOf } from "../export/exchange-powershell";
import { isPlaceholder } from "../export/text";
import { missingConsoleFields } from "../profiles/completeness";
import { KEY_DERIVED_FIELDS } from "../oauth/service-account-key";
import { IMAIL_MESSAGES } from "../export/imail-config";
import { UNKNOWN_MODE } from "../export/system-properties";
import { STEP } from "../setup-guide/step-ids";
import { EXCHANGE_BASIC_AUTH, EXCHANGE_BASIC_AUTH_TIMELINE, describeExchangeBasicAuth, isExchangeOnlineSmtpHost } from "../mail/exchange-basic-auth";
import type { DoctorInput, DoctorRule, RuleHit } from "./types";

/**
 * One rule per known failure: the iMail guide's and IBM's troubleshooting tables, the reference
 * README's error table, and the issue's list. Rules are pure and read settings defensively,
 * because imported files are diagnosed before they validate.
 */

const MS_KINDS = ["m365-delegated", "m365-app-graph", "m365-app-smtp", "m365-auth-code"] as const satisfies readonly ProfileKind[];
const DAY = 86_400_000;
const EXCHANGE_AUDIENCES = ["https://outlook.office365.com", "https://outlook.office.com", "00000002-0000-0ff1-ce00-000000000000"];
const GRAPH_AUDIENCES = ["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"];
const DERIVED_FROM_KEY: readonly string[] = KEY_DERIVED_FIELDS;

function str(input: DoctorInput, key: string): string | undefined {
  const v = input.settings[key];
  if (typeof v === "string") return v.trim() === "" ? undefined : v.trim();
  if (typeof v === "number") return String(v);
  return undefined;
}
const domainOf = (email: string | undefined) => email?.split("@")[1]?.toLowerCase();
const scopes = (v: string | undefined) => (v ?? "").split(/\s+/).filter(Boolean);
const audNoSlash = (aud: string | undefined) => (aud ?? "").replace(/\/+$/, "").toLowerCase();
const fmtDate = (d: Date) => d.toISOString().slice(0, 10);
const daysBetween = (from: Date, to: Date) => Math.floor((to.getTime() - from.getTime()) / DAY);
/** Key and field a finding should point at, e.g. TOKEN_URL for an iMail file, settings.tokenUrl otherwise. */
function where(input: DoctorInput, field: string): string {
  const src = input.source?.sources[field];
  return src ? `${src.key}${src.line ? ` (line ${src.line})` : ""}` : field;
}

function tokenHost(input: DoctorInput): string | undefined {
  const url = str(input, "tokenUrl");
  try {
    return url ? new URL(url.replace(/\{[A-Z_]+\}|\$\{?[A-Z_]+\}?|%[A-Z_]+%/g, "x")).host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

type MicrosoftCloud = "global" | "usgov" | "china";
const CLOUD_LABEL: Record<MicrosoftCloud, string> = { global: "global", usgov: "US Government", china: "China (21Vianet)" };
/** Hosts that belong to one Microsoft cloud: sign-in authorities and the resources we use. */
export const MICROSOFT_CLOUD_OF_HOST: Record<string, MicrosoftCloud> = {
  "login.microsoftonline.com": "global",
  "login.windows.net": "global",
  "sts.windows.net": "global",
  "outlook.office365.com": "global",
  "outlook.office.com": "global",
  "smtp.office365.com": "global",
  "graph.microsoft.com": "global",
  "login.microsoftonline.us": "usgov",
  "outlook.office365.us": "usgov",
  "outlook-dod.office365.us": "usgov",
  "graph.microsoft.us": "usgov",
  "dod-graph.microsoft.us": "usgov",
  "login.chinacloudapi.cn": "china",
  "login.partner.microsoftonline.cn": "china",
  "partner.outlook.cn": "china",
  "microsoftgraph.chinacloudapi.cn": "china",
};

/** The host of a URL (placeholders allowed) or of a bare host name; undefined otherwise. */
function hostOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!value.includes("://")) return /^[a-z0-9.-]+$/i.test(value) ? value.toLowerCase() : undefined;
  try {
    return new URL(value.replace(/\{[A-Z_]+\}/g, "x")).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/** True when a scope string asks for a resource on Exchange Online (either host name). */
function targetsOutlook(scope: string | undefined): boolean {
  return scopes(scope).some((s) => /^https:\/\/outlook\.office(365)?\.com\//i.test(s));
}

export const RULES: DoctorRule[] = [
  // ------------------------------------------------------------------ iMail configuration errors
  {
    id: "imail-mode-neither",
    severity: "error",
    title: "Neither DELEGATED_USER nor CLIENT_SECRET is configured",
    why: `iMail stops with "${IMAIL_MESSAGES.neither}": it cannot choose delegated (SMTP) or application (Graph) mode.`,
    fix: "Add DELEGATED_USER (and DELEGATED_PASSWORD) for SMTP, or CLIENT_SECRET (with SCOPE and ENDPOINT) for Graph, to iMailOAuth.config.",
    stepId: STEP.imailConfig,
    check: (i) => (i.source?.fatal?.message === IMAIL_MESSAGES.neither ? { problem: IMAIL_MESSAGES.neither } : null),
  },
  {
    id: "imail-app-scope-endpoint",
    severity: "error",
    title: "APP mode without SCOPE or ENDPOINT",
    why: `iMail stops with "${IMAIL_MESSAGES.appNeedsScope}".`,
    fix: `Add SCOPE = ${DEFAULTS.graphScope} and ENDPOINT = ${DEFAULTS.graphEndpoint}.`,
    stepId: STEP.imailConfig,
    kinds: ["m365-app-graph"],
    check: (i) => {
      const missing = [
        ["SCOPE", "scope"],
        ["ENDPOINT", "graphEndpoint"],
      ].filter(([, f]) => !str(i, f));
      if (!missing.length) return null;
      return { problem: `${IMAIL_MESSAGES.appNeedsScope}: ${missing.map(([k]) => k).join(" and ")} ${missing.length > 1 ? "are" : "is"} missing.`, field: `settings.${missing[0][1]}` };
    },
  },
  {
    id: "imail-unknown-mode",
    severity: "error",
    title: "imail.oauth.mode is not DELEGATE or APP",
    why: `The sendMail() facade stops with "${UNKNOWN_MODE}".`,
    fix: "Set imail.oauth.mode to DELEGATE or APP in the system properties.",
    stepId: STEP.imailConfig,
    check: (i) => (i.source?.fatal?.message.startsWith(UNKNOWN_MODE) ? { problem: i.source.fatal.message } : null),
  },
  {
    id: "placeholder-values",
    severity: "error",
    title: "Documentation placeholders left in the configuration",
    why: "A value such as <tenant_id> or xxxxxxxx-xxxx-… is sent to Azure/Google as is and is rejected.",
    fix: "Replace each placeholder with the real value from the portal.",
    stepId: STEP.consoleProfile,
    check: (i) => {
      const hits: RuleHit[] = [];
      for (const [k, v] of Object.entries(i.settings)) {
        // Fields copied from a Google key are re-derived from the key on save; the key is checked there.
        if (DERIVED_FROM_KEY.includes(k)) continue;
        if (typeof v === "string" && isPlaceholder(v)) hits.push({ problem: `${where(i, k)} holds the placeholder "${v.slice(0, 40)}".`, field: `settings.${k}` });
      }
      return hits.length ? hits : null;
    },
  },
  {
    id: "console-field-missing",
    severity: "warning",
    title: "A field the console needs to send a test is not set",
    why: "The target system does without it (iMail fills {FROM_ADDRESS} per message; the IBM i SMTP server decides the sender), but a send test from the console needs a mailbox to send as. The profile is marked incomplete.",
    fix: "Edit the profile and set the field, or enter a From address in the send-test form.",
    stepId: STEP.consoleProfile,
    check: (i) => {
      const hits = missingConsoleFields(i.settings as ProfileSettings).map((m) => ({ problem: `${m.label} (${m.field}) is not set: ${m.why}.`, field: `settings.${m.field}` }));
      return hits.length ? hits : null;
    },
  },
  // ------------------------------------------------------------------ tenant / token URL
  {
    id: "token-url-shell-placeholder",
    severity: "error",
    title: "TOKEN_URL uses $TENANT_ID instead of {TENANT_ID}",
    why: "Only {TENANT_ID} is replaced; $TENANT_ID is sent literally and Azure answers AADSTS900023 (Specified tenant identifier is invalid).",
    fix: `Write the token URL as ${DEFAULTS.microsoftTokenUrl}.`,
    code: "AADSTS900023",
    stepId: STEP.azureRegisterApp,
    kinds: MS_KINDS,
    check: (i) => {
      const url = str(i, "tokenUrl");
      const m = url?.match(/\$\{?TENANT_ID\}?|%TENANT_ID%/);
      return m ? { problem: `${where(i, "tokenUrl")} contains ${m[0]}: ${url}`, field: "settings.tokenUrl" } : null;
    },
  },
  {
    id: "token-url-tenant-placeholder-missing",
    severity: "error",
    title: "TOKEN_URL does not contain {TENANT_ID}",
    why: "Without the tenant in the path the request goes to another tenant (or none): AADSTS900023, or a token from the wrong directory.",
    fix: `Use ${DEFAULTS.microsoftTokenUrl}; iMail and the console replace {TENANT_ID} with TENANT_ID.`,
    code: "AADSTS900023",
    stepId: STEP.azureRegisterApp,
    kinds: MS_KINDS,
    check: (i) => {
      const url = str(i, "tokenUrl");
      if (!url) {
        return i.source?.format === "imail-config" || i.source?.format === "system-properties"
          ? { problem: `TOKEN_URL is missing (the guide lists it as required for both modes).`, field: "settings.tokenUrl" }
          : null;
      }
      if (url.includes("{TENANT_ID}") || /\$\{?TENANT_ID\}?|%TENANT_ID%/.test(url)) return null;
      const tenant = str(i, "tenantId");
      if (tenant && url.toLowerCase().includes(`/${tenant.toLowerCase()}/`)) {
        return { severity: "info", problem: `${where(i, "tokenUrl")} has the tenant ${tenant} written out; it works, but {TENANT_ID} keeps it in step with TENANT_ID.`, field: "settings.tokenUrl" };
      }
      if (/\/(common|organizations|consumers)\//i.test(url)) {
        return { problem: `${where(i, "tokenUrl")} uses a multi-tenant endpoint (${url}); ROPC and client-credentials need the tenant.`, field: "settings.tokenUrl" };
      }
      return { problem: `${where(i, "tokenUrl")} is ${url}: neither {TENANT_ID} nor the tenant ${tenant ?? "(unset)"} appears in it.`, field: "settings.tokenUrl" };
    },
  },
  {
    id: "tenant-id-missing",
    severity: "error",
    title: "TENANT_ID is missing",
    why: "{TENANT_ID} in the token URL is replaced by nothing: Azure answers AADSTS900023.",
    fix: "Copy the Directory (tenant) ID from the app's Overview page into TENANT_ID.",
    code: "AADSTS900023",
    stepId: STEP.azureRegisterApp,
    kinds: MS_KINDS,
    check: (i) => (str(i, "tenantId") ? null : { problem: "TENANT_ID (tenantId) is not set.", field: "settings.tenantId" }),
  },
  {
    id: "national-cloud-mismatch",
    severity: "warning",
    title: "Token authority and resource belong to different clouds",
    why: "A token from a national cloud (login.microsoftonline.us / login.partner.microsoftonline.cn) is not accepted by the global outlook.office365.com or graph.microsoft.com, and vice versa.",
    fix: "Use the resource hosts of the same cloud as the token URL (e.g. outlook.office365.us / graph.microsoft.us for GCC High).",
    stepId: STEP.azureRegisterApp,
    kinds: MS_KINDS,
    check: (i) => {
      // Only hosts known to belong to a Microsoft cloud are compared: a test server, a proxy or
      // any other token host says nothing about the cloud, so it is never a mismatch.
      const host = tokenHost(i);
      const authority = host ? MICROSOFT_CLOUD_OF_HOST[host] : undefined;
      if (!authority) return null;
      const resources = [...scopes(str(i, "scope")), str(i, "graphEndpoint")]
        .map((v) => hostOf(v))
        .filter((h): h is string => Boolean(h));
      const other = resources.find((h) => MICROSOFT_CLOUD_OF_HOST[h] && MICROSOFT_CLOUD_OF_HOST[h] !== authority);
      if (!other) return null;
      return {
        problem: `Token URL host ${host} is the ${CLOUD_LABEL[authority]} cloud, but ${other} is the ${CLOUD_LABEL[MICROSOFT_CLOUD_OF_HOST[other]]} cloud.`,
        field: scopes(str(i, "scope")).some((s) => hostOf(s) === other) ? "settings.scope" : "settings.graphEndpoint",
      };
    },
  },
  // ------------------------------------------------------------------ delegated (ROPC)
  {
    id: "delegated-scope-not-outlook",
    severity: "error",
    title: "Delegated scope does not target outlook.office365.com",
    why: "SMTP accepts only tokens for Exchange Online; a token for another resource (e.g. Graph) fails with 535 5.7.139 Authentication unsuccessful.",
    fix: `Set DELEGATED_SCOPE to ${DEFAULTS.delegatedScope} (or remove it to use the default).`,
    code: "535 5.7.139",
    stepId: STEP.azureApiPermissions,
    kinds: ["m365-delegated"],
    check: (i) => {
      const scope = str(i, "scope");
      if (scope === undefined) return null; // the default targets Outlook
      return targetsOutlook(scope) ? null : { problem: `${where(i, "scope")} is "${scope}".`, field: "settings.scope" };
    },
  },
  {
    id: "delegated-confidential-without-secret",
    severity: "error",
    title: "Confidential app without CLIENT_SECRET",
    why: "With \"Allow public client flows\" = No the app is confidential and Azure answers AADSTS7000218 (client_assertion or client_secret required).",
    fix: "Add CLIENT_SECRET, or set Allow public client flows to Yes under Authentication > Advanced settings.",
    code: "AADSTS7000218",
    stepId: STEP.azureClientSecret,
    kinds: ["m365-delegated"],
    check: (i) => (i.settings.publicClient === false && !i.secretsSet.clientSecret ? { problem: "Public client flows are off and no client secret is stored.", field: "secrets.clientSecret" } : null),
  },
  {
    id: "delegated-password-missing",
    severity: "error",
    title: "DELEGATED_PASSWORD is missing",
    why: "ROPC needs the user's password; without it Azure answers AADSTS50126 (invalid username or password).",
    fix: "Enter the password of the login user (DELEGATED_PASSWORD).",
    code: "AADSTS50126",
    stepId: STEP.consoleProfile,
    kinds: ["m365-delegated"],
    check: (i) => (i.secretsSet.password ? null : { problem: `No password is stored for ${str(i, "loginUser") ?? "the login user"}.`, field: "secrets.password" }),
  },
  {
    id: "delegated-mfa",
    severity: "info",
    title: "ROPC does not work for accounts with MFA",
    why: "If MFA applies to the login user, Azure answers AADSTS50076 and no token is issued.",
    fix: "Exclude this account from MFA with a Conditional Access policy, or use an APP profile instead.",
    code: "AADSTS50076",
    stepId: STEP.entraMfa,
    kinds: ["m365-delegated"],
    check: (i) => ({ problem: `${str(i, "loginUser") ?? "The login user"} signs in with a password only (ROPC).` }),
  },
  {
    id: "delegated-from-differs",
    severity: "warning",
    title: "From address differs from the login user",
    why: "iMail first authenticates SMTP as the from address; when that fails it retries as the login user (DELEGATED_USER) and rewrites From: to the login user, so mail may leave from another address than configured.",
    fix: "Send from the login user's address, or give the login user Send As on the from mailbox (Add-RecipientPermission), so the retry is not needed.",
    stepId: STEP.exchangeSendAs,
    kinds: ["m365-delegated"],
    check: (i) => {
      const from = str(i, "fromAddress");
      const login = str(i, "loginUser");
      return from && login && from.toLowerCase() !== login.toLowerCase()
        ? { problem: `From ${from} ≠ login user ${login}: "SMTP authentication failed ... Retrying with login user" is expected.`, field: "settings.fromAddress" }
        : null;
    },
  },
  // ------------------------------------------------------------------ app-only Graph (iMail APP)
  {
    id: "graph-scope",
    severity: "error",
    title: "Graph APP scope is not https://graph.microsoft.com/.default",
    why: "Client credentials only accept a resource's /.default scope; iMail APP sends through Graph, so any other scope fails (AADSTS1002012 / 401 from Graph).",
    fix: `Set SCOPE to ${DEFAULTS.graphScope}.`,
    stepId: STEP.imailConfig,
    kinds: ["m365-app-graph"],
    check: (i) => {
      const scope = str(i, "scope");
      return scope && !/^https:\/\/graph\.microsoft\.(com|us)\/\.default$/i.test(scope) && !/^https:\/\/microsoftgraph\.chinacloudapi\.cn\/\.default$/i.test(scope)
        ? { problem: `${where(i, "scope")} is "${scope}".`, field: "settings.scope" }
        : null;
    },
  },
  {
    id: "graph-endpoint-from-placeholder",
    severity: "warning",
    title: "ENDPOINT has no {FROM_ADDRESS}",
    why: "Without the placeholder every message is sent from the one mailbox in the URL, whatever the From address.",
    fix: `Use ${DEFAULTS.graphEndpoint}.`,
    stepId: STEP.imailConfig,
    kinds: ["m365-app-graph"],
    check: (i) => {
      const ep = str(i, "graphEndpoint");
      return ep && !ep.includes("{FROM_ADDRESS}") ? { problem: `${where(i, "graphEndpoint")} is ${ep}.`, field: "settings.graphEndpoint" } : null;
    },
  },
  // ------------------------------------------------------------------ app-only SMTP (IBM i microsoft_app)
  {
    id: "microsoft-app-scope",
    severity: "error",
    title: "microsoft_app scope is not https://outlook.office365.com/.default",
    why: "SMTP XOAUTH2 with an app token needs a token for Exchange Online; IBM i and Exchange reject any other scope.",
    fix: `Set scope to ${DEFAULTS.outlookAppScope}.`,
    stepId: STEP.ibmiJsonFile,
    kinds: ["m365-app-smtp"],
    check: (i) => {
      const scope = str(i, "scope");
      return scope && scope !== DEFAULTS.outlookAppScope ? { problem: `${where(i, "scope")} is "${scope}".`, field: "settings.scope" } : null;
    },
  },
  {
    id: "microsoft-app-domain-missing",
    severity: "error",
    title: "IBM i JSON has no domain",
    why: "IBM i requires \"domain\" (the authoritative domain verified in Exchange Online); without it SMTP won't obtain a usable token and mail won't relay, even when every other field is correct.",
    fix: "Add \"domain\": \"<your domain>\" to the JSON file, equal to CHGSMTPA ALIASDMN.",
    stepId: STEP.ibmiJsonFile,
    kinds: ["m365-app-smtp"],
    check: (i) => (str(i, "domain") ? null : { problem: "The domain is not set.", field: "settings.domain" }),
  },
  {
    id: "ibmi-domain-aliasdmn-mismatch",
    severity: "error",
    title: "JSON domain ≠ ALIASDMN",
    why: "The JSON \"domain\" must line up with CHGSMTPA ALIASDMN; if it doesn't match, SMTP won't obtain a usable token and mail won't relay.",
    fix: "Use the same domain in the JSON file and in CHGSMTPA ALIASDMN(…).",
    stepId: STEP.ibmiSmtpSetup,
    kinds: ["m365-app-smtp", "google-service-account"],
    check: (i) => {
      const d = str(i, "domain");
      const a = str(i, "ibmiAliasDomain");
      return d && a && d.toLowerCase() !== a.toLowerCase() ? { problem: `domain ${d} ≠ ALIASDMN ${a}.`, field: "settings.ibmiAliasDomain" } : null;
    },
  },
  {
    id: "microsoft-app-certificate-on-ibmi",
    severity: "warning",
    title: "IBM i microsoft_app needs a client secret, the profile uses a certificate",
    why: "The IBM i JSON file has client_secret only; a certificate credential cannot be used there.",
    fix: "Create a client secret for the IBM i (Certificates & secrets) and put it into client_secret.",
    stepId: STEP.azureClientSecret,
    kinds: ["m365-app-smtp"],
    check: (i) =>
      i.settings.credentialType === "certificate" && (str(i, "ibmiJsonPath") || str(i, "ibmiAliasDomain") || str(i, "ibmiUserProfile"))
        ? { problem: "The profile has IBM i settings but authenticates with a certificate.", field: "settings.credentialType" }
        : null,
  },
  // ------------------------------------------------------------------ Google service account
  {
    id: "google-domain-missing",
    severity: "error",
    title: "Google profile without the Workspace domain",
    why: "The downloaded key has no domain; IBM i needs \"domain\" added by hand, and the impersonated user must belong to it. Without it SMTP won't obtain a usable token.",
    fix: "Set the Google Workspace domain (the one configured for domain-wide delegation); it also goes into the JSON file and ALIASDMN.",
    stepId: STEP.ibmiJsonFile,
    kinds: ["google-service-account"],
    check: (i) => (str(i, "domain") ? null : { problem: "The Workspace domain is not set.", field: "settings.domain" }),
  },
  {
    id: "google-consumer-account",
    severity: "error",
    title: "Impersonated user is a consumer @gmail.com account",
    why: "Domain-wide delegation works only for Google Workspace users; Google answers unauthorized_client for @gmail.com.",
    fix: "Impersonate a user of your Google Workspace domain.",
    code: "unauthorized_client",
    stepId: STEP.googleDwd,
    kinds: ["google-service-account"],
    check: (i) => {
      const d = domainOf(str(i, "impersonateUser"));
      return d === "gmail.com" || d === "googlemail.com" ? { problem: `${str(i, "impersonateUser")} is not a Workspace account.`, field: "settings.impersonateUser" } : null;
    },
  },
  {
    id: "google-user-outside-domain",
    severity: "error",
    title: "Impersonated user is outside the Workspace domain",
    why: "The service account may only impersonate users of the domain it was delegated for; the token request fails (unauthorized_client / invalid_grant).",
    fix: "Impersonate a user of the configured domain, or correct the domain.",
    code: "unauthorized_client",
    stepId: STEP.googleDwd,
    kinds: ["google-service-account"],
    check: (i) => {
      const user = str(i, "impersonateUser");
      const d = str(i, "domain")?.toLowerCase();
      const ud = domainOf(user);
      if (!user || !d || !ud || ud === "gmail.com" || ud === "googlemail.com") return null;
      return ud === d || ud.endsWith(`.${d}`) ? null : { problem: `${user} is not in ${d}.`, field: "settings.impersonateUser" };
    },
  },
  {
    id: "google-scope",
    severity: "error",
    title: "Google scope is not https://mail.google.com/",
    why: "SMTP/IMAP XOAUTH2 needs the full mail scope, and domain-wide delegation must authorise exactly that scope; otherwise Google answers unauthorized_client.",
    fix: `Use ${DEFAULTS.googleScope} here and in the Admin console's domain-wide delegation entry.`,
    code: "unauthorized_client",
    stepId: STEP.googleDwd,
    kinds: ["google-service-account"],
    check: (i) => {
      const scope = str(i, "scope");
      return scope && !scopes(scope).includes(DEFAULTS.googleScope) ? { problem: `${where(i, "scope")} is "${scope}".`, field: "settings.scope" } : null;
    },
  },
  {
    id: "google-key-missing",
    severity: "error",
    title: "No service-account key",
    why: "Without the key's private key no JWT assertion can be signed.",
    fix: "Upload the JSON key downloaded from the service account's Keys tab.",
    stepId: STEP.googleServiceAccount,
    kinds: ["google-service-account"],
    check: (i) => (i.secretsSet.serviceAccountKey ? null : { problem: "The service-account key is not stored.", field: "secrets.serviceAccountKey" }),
  },
  // ------------------------------------------------------------------ authorization code
  {
    id: "auth-code-scopes",
    severity: "error",
    title: "Authorization-code scope is missing what the profile uses",
    why: "Without offline_access there is no refresh token (re-authorise every hour); without SMTP.Send / IMAP.AccessAsUser.All on Outlook the server rejects the token (535 5.7.3 / AUTHENTICATE failed).",
    fix: `Use ${DEFAULTS.authCodeScope}.`,
    stepId: STEP.azureApiPermissions,
    kinds: ["m365-auth-code"],
    check: (i) => {
      const list = scopes(str(i, "scope"));
      const missing: string[] = [];
      if (!list.includes("offline_access")) missing.push("offline_access");
      if (i.settings.useSmtp !== false && !list.some((s) => /^https:\/\/outlook\.office(365)?\.com\/SMTP\.Send$/i.test(s))) missing.push("https://outlook.office365.com/SMTP.Send");
      if (i.settings.useImap !== false && !list.some((s) => /^https:\/\/outlook\.office(365)?\.com\/IMAP\.AccessAsUser\.All$/i.test(s))) missing.push("https://outlook.office365.com/IMAP.AccessAsUser.All");
      return missing.length ? { problem: `Scope lacks ${missing.join(", ")}.`, field: "settings.scope" } : null;
    },
  },
  // ------------------------------------------------------------------ basic auth
  {
    id: "basic-auth-exchange-retired",
    severity: "error",
    title: "Basic SMTP AUTH against Exchange Online",
    why: `${EXCHANGE_BASIC_AUTH_TIMELINE} Without it the server answers 550 5.7.30 (Basic authentication is not supported for Client Submission).`,
    fix: "Move to an OAuth profile: Microsoft 365 app (SMTP XOAUTH2) or delegated, and export the matching IBM i / iMail configuration.",
    code: "550 5.7.30",
    stepId: STEP.smtpBasicMigrate,
    kinds: ["smtp-basic"],
    check: (i) => {
      const host = str(i, "smtpHost")?.toLowerCase();
      if (!host || !isExchangeOnlineSmtpHost(host)) return null;
      const now = describeExchangeBasicAuth(i.now);
      if (now.phase === "off-by-default") {
        return { problem: `${host} has Basic SMTP AUTH off by default since ${EXCHANGE_BASIC_AUTH.offByDefaultLabel}: this profile works only while a tenant admin keeps it turned on, and not at all for new tenants.` };
      }
      return { severity: "warning", problem: `${host}: ${now.headline}.` };
    },
  },
  // ------------------------------------------------------------------ secrets and certificates
  {
    id: "client-secret-expiry",
    severity: "warning",
    title: "Client secret expires soon or has expired",
    why: "An expired client secret is refused with AADSTS7000222 and nothing can be sent.",
    fix: "Create a new secret under Certificates & secrets, store it here, update its expiry date, and re-export.",
    code: "AADSTS7000222",
    stepId: STEP.azureClientSecret,
    check: (i) => {
      const at = str(i, "secretExpiresAt");
      if (!at) return null;
      const end = new Date(`${at}T23:59:59Z`);
      if (Number.isNaN(end.getTime())) return null;
      const days = daysBetween(i.now, end);
      if (end < i.now) return { severity: "error", problem: `The client secret expired on ${at}.`, field: "settings.secretExpiresAt" };
      return days <= 30 ? { problem: `The client secret expires on ${at} (in ${days} days).`, field: "settings.secretExpiresAt" } : null;
    },
  },
  {
    id: "certificate-expiry",
    severity: "warning",
    title: "Certificate expires soon or has expired",
    why: "Azure refuses assertions signed for an expired certificate (AADSTS700027), so no token is issued.",
    fix: "Create a new certificate, upload it to the app registration, store it and its key here.",
    code: "AADSTS700027",
    stepId: STEP.azureCertificate,
    check: (i) => {
      if (!i.certificate) return null;
      const end = new Date(i.certificate.notAfter);
      const days = daysBetween(i.now, end);
      if (end < i.now) return { severity: "error", problem: `The certificate expired on ${fmtDate(end)}.`, field: "settings.certificatePem" };
      return days <= 30 ? { problem: `The certificate expires on ${fmtDate(end)} (in ${days} days).`, field: "settings.certificatePem" } : null;
    },
  },
  {
    id: "client-secret-is-secret-id",
    severity: "error",
    title: "The client secret looks like the Secret ID",
    why: "Azure shows a secret's Value and its Secret ID (a GUID); pasting the ID gives AADSTS7000215 (invalid client secret).",
    fix: "Create a new secret and copy its Value (shown only once).",
    code: "AADSTS7000215",
    stepId: STEP.azureClientSecret,
    check: (i) => (i.secretShapes?.clientSecretLooksLikeSecretId ? { problem: "The stored client secret is a GUID.", field: "secrets.clientSecret" } : null),
  },
  // ------------------------------------------------------------------ token claims
  {
    id: "claims-tenant-mismatch",
    severity: "error",
    title: "Cached token is from another tenant",
    why: "A token issued by another directory is rejected by Exchange/Graph (535 5.7.3 / 401).",
    fix: "Check TENANT_ID and the token URL, then acquire a new token.",
    stepId: STEP.azureRegisterApp,
    kinds: MS_KINDS,
    check: (i) => {
      const tid = i.claims?.decoded ? i.claims.tid : undefined;
      const tenant = str(i, "tenantId");
      return tid && tenant && GUID_PATTERN.test(tenant) && tid.toLowerCase() !== tenant.toLowerCase() ? { problem: `Token tid ${tid} ≠ TENANT_ID ${tenant}.` } : null;
    },
  },
  {
    id: "claims-client-mismatch",
    severity: "error",
    title: "Cached token was issued to another app",
    why: "The token's appid/azp is not CLIENT_ID, so permissions granted to this app do not apply.",
    fix: "Check CLIENT_ID and acquire a new token.",
    stepId: STEP.azureRegisterApp,
    kinds: MS_KINDS,
    check: (i) => {
      const app = i.claims?.decoded ? (i.claims.appid ?? i.claims.azp) : undefined;
      const client = str(i, "clientId");
      return app && client && GUID_PATTERN.test(client) && app.toLowerCase() !== client.toLowerCase() ? { problem: `Token appid ${app} ≠ CLIENT_ID ${client}.` } : null;
    },
  },
  {
    id: "claims-graph-mail-send",
    severity: "error",
    title: "Graph token without the Mail.Send application role",
    why: "Graph sendMail answers 403 ErrorAccessDenied without Mail.Send; no roles at all means admin consent was not granted (AADSTS65001).",
    fix: "API permissions > Microsoft Graph > Application permissions > Mail.Send, then Grant admin consent; acquire a new token.",
    stepId: STEP.azureAdminConsent,
    kinds: ["m365-app-graph"],
    check: (i) => {
      const c = i.claims;
      if (!c?.decoded) return null;
      const hits: RuleHit[] = [];
      if (c.aud && !GRAPH_AUDIENCES.includes(audNoSlash(c.aud))) hits.push({ problem: `Token audience is ${c.aud}, not Microsoft Graph: SCOPE must be ${DEFAULTS.graphScope}.`, stepId: STEP.imailConfig });
      if (!(c.roles ?? []).includes("Mail.Send")) hits.push({ problem: c.roles?.length ? `Token roles are ${c.roles.join(", ")}; Mail.Send is missing.` : "Token has no roles: admin consent for Mail.Send was not granted.", code: c.roles?.length ? undefined : "AADSTS65001" });
      return hits.length ? hits : null;
    },
  },
  {
    id: "claims-smtp-app",
    severity: "error",
    title: "App SMTP token cannot authenticate to Exchange",
    why: "Exchange SMTP accepts only tokens for https://outlook.office365.com; with mailbox permission the token must carry the SMTP.SendAsApp role (else 535 5.7.3 / 530 5.7.57).",
    fix: "Scope https://outlook.office365.com/.default; add Office 365 Exchange Online > SMTP.SendAsApp (application) with admin consent, or switch to RBAC for Applications.",
    stepId: STEP.exchangeMailboxPermission,
    kinds: ["m365-app-smtp"],
    check: (i) => {
      const c = i.claims;
      if (!c?.decoded) return null;
      const hits: RuleHit[] = [];
      if (c.aud && !EXCHANGE_AUDIENCES.includes(audNoSlash(c.aud))) hits.push({ problem: `Token audience is ${c.aud}, not Exchange Online.`, stepId: STEP.ibmiJsonFile, field: "settings.scope" });
      const mode = exchangeAuthorizationOf(i.settings as unknown as ProfileSettings);
      if (mode === "mailbox-permission" && !(c.roles ?? []).includes("SMTP.SendAsApp")) {
        hits.push({ problem: `Token roles (${(c.roles ?? []).join(", ") || "none"}) lack SMTP.SendAsApp.`, code: "530 5.7.57" });
      }
      return hits.length ? hits : null;
    },
  },
  {
    id: "claims-smtp-rbac-sendasapp",
    severity: "warning",
    title: "RBAC for Applications, but the token carries SMTP.SendAsApp",
    why: "With RBAC for Applications the authorisation comes from the role assignment; IBM's recipe requires that the token does NOT carry the SMTP.SendAsApp claim (the API permission must not be added).",
    fix: "Remove the Office 365 Exchange Online SMTP.SendAsApp API permission (and its consent), keep the \"Application SMTP.SendAsApp\" role assignment, then acquire a new token.",
    // The fix is on the API permissions step ("no SMTP.SendAsApp"), which the guide must not show as verified.
    stepId: STEP.azureApiPermissions,
    kinds: ["m365-app-smtp"],
    check: (i) => {
      const c = i.claims;
      if (!c?.decoded || exchangeAuthorizationOf(i.settings as unknown as ProfileSettings) !== "rbac") return null;
      return (c.roles ?? []).includes("SMTP.SendAsApp") ? { problem: "Token roles include SMTP.SendAsApp." } : null;
    },
  },
  {
    id: "claims-delegated-smtp-send",
    severity: "error",
    title: "Delegated token without SMTP.Send",
    why: "SMTP XOAUTH2 with a user token needs the SMTP.Send delegated permission on Exchange Online; otherwise 535 5.7.3 / 5.7.139.",
    fix: "API permissions > Office 365 Exchange Online > Delegated > SMTP.Send, Grant admin consent, scope https://outlook.office365.com/SMTP.Send.",
    code: "535 5.7.139",
    stepId: STEP.azureApiPermissions,
    kinds: ["m365-delegated", "m365-auth-code"],
    check: (i) => {
      const c = i.claims;
      if (!c?.decoded || i.settings.useSmtp === false) return null;
      const hits: RuleHit[] = [];
      if (c.aud && !EXCHANGE_AUDIENCES.includes(audNoSlash(c.aud))) hits.push({ problem: `Token audience is ${c.aud}, not Exchange Online.`, field: "settings.scope" });
      if (!scopes(c.scp).includes("SMTP.Send")) hits.push({ problem: c.scp ? `Token scp is "${c.scp}"; SMTP.Send is missing.` : "Token has no scp claim (is it an app-only token?)." });
      return hits.length ? hits : null;
    },
  },
  {
    id: "claims-delegated-user-mismatch",
    severity: "warning",
    title: "Cached token belongs to another user",
    why: "XOAUTH2 user= must match the token's user, otherwise 535 5.7.3.",
    fix: "Acquire a new token for the login user.",
    stepId: STEP.consoleTestSend,
    kinds: ["m365-delegated"],
    check: (i) => {
      const who = i.claims?.decoded ? (i.claims.upn ?? i.claims.email) : undefined;
      const login = str(i, "loginUser");
      return who && login && who.toLowerCase() !== login.toLowerCase() ? { problem: `Token user ${who} ≠ login user ${login}.` } : null;
    },
  },
  {
    id: "claims-expired",
    severity: "info",
    title: "Cached token has expired",
    why: "An expired token is refused; the next send acquires a new one (iMail refreshes 5 minutes before expiry).",
    fix: "Nothing to do, or acquire a token now to re-check the claims.",
    stepId: STEP.consoleTestSend,
    check: (i) => {
      const exp = i.claims?.exp;
      return exp && exp * 1000 < i.now.getTime() ? { problem: `The cached token expired at ${new Date(exp * 1000).toISOString()}.` } : null;
    },
  },
  // ------------------------------------------------------------------ servers
  {
    id: "port-security-mismatch",
    severity: "error",
    title: "Port and TLS mode do not match",
    why: "Port 465 (IMAP 993) speaks TLS from the first byte; port 587 (IMAP 143) starts in clear text and upgrades with STARTTLS. The wrong pairing waits for a greeting that never comes (timeout) or fails with \"wrong version number\".",
    fix: "Use 587 with STARTTLS or 465 with TLS (implicit); for IMAP 993 with TLS or 143 with STARTTLS.",
    stepId: STEP.consoleProfile,
    check: (i) => {
      const hits: RuleHit[] = [];
      for (const [proto, tlsPort, startTlsPort] of [["smtp", 465, 587], ["imap", 993, 143]] as const) {
        const port = Number(i.settings[`${proto}Port`]);
        const security = str(i, `${proto}Security`);
        const label = proto.toUpperCase();
        if (port === tlsPort && security === "starttls") hits.push({ problem: `${label} port ${port} is implicit TLS, but the security is STARTTLS.`, field: `settings.${proto}Security` });
        if (port === startTlsPort && security === "tls") hits.push({ problem: `${label} port ${port} expects STARTTLS, but the security is TLS (implicit).`, field: `settings.${proto}Security` });
      }
      return hits.length ? hits : null;
    },
  },
];
