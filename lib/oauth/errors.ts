import { AppError } from "../errors";
import { redactor } from "../redact";
import type { TokenExchange, TokenHttp } from "./http";

/**
 * The identity-provider error decoder: turns what Entra ID, Google or a generic token endpoint
 * (or the network on the way) said into a cause and a fix an admin can act on. The table follows
 * the troubleshooting rows of the reference documents (iMail guide, IBM i, IMAP connector).
 */
export type DecodedIdpError = {
  /** AADSTSnnnn, an OAuth error code (invalid_grant), HTTP_503, or a network code (ENOTFOUND). */
  code: string;
  cause: string;
  fix: string;
  /** Worth retrying later unchanged (5xx, 429, timeouts): never drop stored credentials for it. */
  transient: boolean;
  /** The refresh token / grant is dead: re-authorization is needed. */
  invalidGrant: boolean;
};

export type Provider = "microsoft" | "google" | "generic";

export type DecodeContext = {
  provider: Provider;
  /** host[:port] of the token endpoint, named in network errors. */
  host?: string;
  /** The console's callback URL (AADSTS50011). */
  redirectUri?: string;
  /** Google: the service account's numeric client ID (domain-wide delegation). */
  clientId?: string;
  scope?: string;
  timeoutSeconds?: number;
};

type Entry = { cause: string; fix: string; transient?: boolean; invalidGrant?: boolean };

const AADSTS: Record<number, (ctx: DecodeContext) => Entry> = {
  7000218: () => ({
    cause: "The app registration is a confidential client, and the request carried no client secret or certificate assertion.",
    fix: "Add the client secret (CLIENT_SECRET) to the profile, or in Azure set App registration → Authentication → Allow public client flows = Yes.",
  }),
  7000215: () => ({
    cause: "Invalid client secret — most often the secret's ID was pasted instead of its value.",
    fix: "In Azure open App registration → Certificates & secrets and copy the Value column (not Secret ID) of a current secret into the profile. A value is only shown right after creation; if it is gone, create a new secret.",
  }),
  7000222: () => ({
    cause: "The client secret has expired.",
    fix: "Create a new client secret under App registration → Certificates & secrets, paste its Value into the profile and set the secret expiry date so the console warns before the next one expires.",
  }),
  700025: () => ({
    cause: "The app registration is a public client, but the request sent a client secret.",
    fix: "Remove the client secret from the profile (mark it as a public client), or make the app confidential: App registration → Authentication → Allow public client flows = No.",
  }),
  65001: () => ({
    cause: "Consent has not been granted for the requested permissions.",
    fix: "In Azure open App registration → API permissions and click \"Grant admin consent for <tenant>\" (needs a Global or Privileged Role Administrator). Check that the permissions match the scope (SMTP.Send, IMAP.AccessAsUser.All, Mail.Send or SMTP.SendAsApp).",
  }),
  50126: () => ({
    cause: "Wrong user name or password for the delegated account.",
    fix: "Check Login user (DELEGATED_USER) and its password (DELEGATED_PASSWORD) by signing in at https://portal.office.com. Federated (ADFS) accounts cannot use the password grant.",
  }),
  50076: () => ({
    cause: "Multi-factor authentication is required for this account; the password grant (ROPC) cannot perform MFA.",
    fix: "Exclude this account and app from MFA with a Conditional Access policy, or switch to APP mode (client credentials: a Microsoft 365 app profile for Graph or SMTP).",
  }),
  50079: () => ({
    cause: "The account must register for multi-factor authentication; the password grant (ROPC) cannot perform MFA.",
    fix: "Exclude this account and app from MFA with a Conditional Access policy, or switch to APP mode (client credentials: a Microsoft 365 app profile for Graph or SMTP).",
  }),
  53003: () => ({
    cause: "Access was blocked by a Conditional Access policy.",
    fix: "Ask the Entra ID administrator for a policy exception for this app (Entra ID → Sign-in logs shows which policy blocked it; search it by the correlation ID).",
  }),
  900023: () => ({
    cause: "The tenant identifier is invalid — usually the {TENANT_ID} placeholder was not replaced.",
    fix: "Set Tenant ID to the Directory (tenant) ID GUID from the app's Overview page. The token URL must contain {TENANT_ID}, not $TENANT_ID or ${TENANT_ID}.",
  }),
  70043: () => ({
    cause: "The refresh token has expired or was revoked (sign-in frequency policy, password change or admin revocation).",
    fix: "Re-authorize: open the profile and click Authorize, then sign in again.",
    invalidGrant: true,
  }),
  700082: () => ({
    cause: "The refresh token has expired due to inactivity.",
    fix: "Re-authorize: open the profile and click Authorize, then sign in again.",
    invalidGrant: true,
  }),
  50011: (ctx) => ({
    cause: "The redirect URI sent with the request is not registered for this app.",
    fix: `Register ${ctx.redirectUri ? `exactly ${ctx.redirectUri}` : "the console's callback URL (shown on the profile page)"} as a Web redirect URI under App registration → Authentication.`,
  }),
  700016: () => ({
    cause: "No application with this Client ID exists in the tenant (wrong Client ID, wrong tenant, or the app was never consented there).",
    fix: "Check Client ID (Application ID) and Tenant ID on the app's Overview page; a multi-tenant app must first be consented in this tenant.",
  }),
  90002: () => ({
    cause: "The tenant was not found.",
    fix: "Check Tenant ID (the Directory ID GUID or a verified domain) and the authority host of the token URL — national clouds use other hosts (login.microsoftonline.us, login.partner.microsoftonline.cn).",
  }),
  700027: () => ({
    cause: "The client assertion's signature did not validate: the certificate in the profile is not the one uploaded to the app, or the private key does not match.",
    fix: "Compare the thumbprints shown on the profile with App registration → Certificates & secrets → Certificates, and upload this certificate (.cer/.pem) if it is missing.",
  }),
  700024: () => ({
    cause: "The client assertion is outside its validity period — the server clock is probably wrong.",
    fix: "Synchronise this server's clock (NTP) and try again.",
  }),
  1002012: () => ({
    cause: "The scope is not valid for this grant — app-only (client credentials) requests need a resource's /.default scope.",
    fix: "Use https://outlook.office365.com/.default for SMTP/IMAP or https://graph.microsoft.com/.default for Graph.",
  }),
};

function decodeAadsts(n: number, description: string, ctx: DecodeContext): DecodedIdpError {
  const entry = AADSTS[n]?.(ctx);
  if (entry) return { code: `AADSTS${n}`, cause: entry.cause, fix: entry.fix, transient: false, invalidGrant: Boolean(entry.invalidGrant) };
  return {
    code: `AADSTS${n}`,
    cause: firstLine(description) || `Entra ID refused the request (AADSTS${n}).`,
    fix: `Look the code up at https://login.microsoftonline.com/error?code=${n}.`,
    transient: false,
    invalidGrant: false,
  };
}

function firstLine(text: string | undefined): string {
  return (text ?? "").split(/\r?\n/)[0].replace(/^AADSTS\d+:\s*/, "").trim().slice(0, 300);
}

function decodeGoogle(error: string, description: string, ctx: DecodeContext): DecodedIdpError | undefined {
  const scope = ctx.scope ?? "https://mail.google.com/";
  const dwd = `Google Admin console → Security → Access and data control → API controls → Domain-wide delegation: add client ID ${ctx.clientId ?? "(the service account's numeric client ID)"} with scope ${scope}`;
  if (error === "unauthorized_client") {
    return {
      code: "unauthorized_client",
      cause: "The service account is not authorised for this scope: domain-wide delegation is missing for its client ID, has not propagated yet (up to 24 hours), or the user is not a Google Workspace account.",
      fix: `${dwd}. Wait for propagation; @gmail.com accounts cannot be impersonated.`,
      transient: false,
      invalidGrant: false,
    };
  }
  if (error === "access_denied") {
    return {
      code: "access_denied",
      cause: "Google denied the request: the client is not authorised for the requested scope or the user may not use it.",
      fix: `${dwd}, and check that Gmail is enabled for the impersonated user's organisational unit.`,
      transient: false,
      invalidGrant: false,
    };
  }
  if (error === "invalid_grant") {
    const d = description.toLowerCase();
    if (/iat|exp|short-lived|timeframe|clock/.test(d)) {
      return { code: "invalid_grant", cause: "Google rejected the assertion's time claims — this server's clock is off.", fix: "Synchronise this server's clock (NTP) and try again.", transient: false, invalidGrant: false };
    }
    if (/email|user id|sub/.test(d)) {
      return {
        code: "invalid_grant",
        cause: "The user to impersonate (sub) is not a user of the Workspace domain.",
        fix: "Set \"User to impersonate\" to an existing Google Workspace user of the delegated domain (not the service account's own address).",
        transient: false,
        invalidGrant: false,
      };
    }
    if (/signature/.test(d)) {
      return { code: "invalid_grant", cause: "The assertion's signature was rejected: the key was deleted or does not belong to this service account.", fix: "Create a new JSON key for the service account in Google Cloud → IAM → Service accounts → Keys, and upload it to the profile.", transient: false, invalidGrant: false };
    }
    return { code: "invalid_grant", cause: firstLine(description) || "Google rejected the grant.", fix: "Check the service account key, the user to impersonate and this server's clock.", transient: false, invalidGrant: false };
  }
  return undefined;
}

/**
 * Decodes an OAuth error response (RFC 6749 `error`, Microsoft's `error_description` /
 * `error_codes`). `status` is the HTTP status of the response.
 */
export function decodeIdpError(input: { error?: string; description?: string; errorCodes?: number[]; status?: number }, ctx: DecodeContext): DecodedIdpError {
  const error = input.error ?? "";
  const description = input.description ?? "";
  const aadsts = input.errorCodes?.[0] ?? Number(description.match(/AADSTS(\d+)/)?.[1] ?? NaN);
  const transientStatus = input.status !== undefined && (input.status >= 500 || input.status === 429);
  if (Number.isFinite(aadsts) && (AADSTS[aadsts] || !transientStatus)) {
    const decoded = decodeAadsts(aadsts, description, ctx);
    return { ...decoded, transient: decoded.transient || transientStatus || error === "temporarily_unavailable" };
  }
  if (ctx.provider === "google") {
    const g = decodeGoogle(error, description, ctx);
    if (g) return g;
  }
  switch (error) {
    case "invalid_grant":
      return {
        code: "invalid_grant",
        cause: firstLine(description) || "The grant (refresh token, authorization code or user credentials) is invalid or expired.",
        fix: "Re-authorize (authorization code profiles: click Authorize), or check the user name and password.",
        transient: false,
        invalidGrant: true,
      };
    case "invalid_client":
      return {
        code: "invalid_client",
        cause: firstLine(description) || "The token endpoint did not accept the client credentials.",
        fix: "Check the client ID and secret, and the client authentication method (client_secret_basic vs client_secret_post vs private_key_jwt) the server expects.",
        transient: false,
        invalidGrant: false,
      };
    case "unauthorized_client":
      return { code: error, cause: firstLine(description) || "The client may not use this grant type.", fix: "Enable the grant type for this client at the identity provider.", transient: false, invalidGrant: false };
    case "invalid_scope":
      return { code: error, cause: firstLine(description) || "The requested scope is invalid or not allowed for this client.", fix: "Correct the scope on the profile.", transient: false, invalidGrant: false };
    case "access_denied":
      return { code: error, cause: firstLine(description) || "Access was denied.", fix: "Grant the requested permissions (consent) and try again.", transient: false, invalidGrant: false };
    case "temporarily_unavailable":
    case "server_error":
      return { code: error, cause: firstLine(description) || "The identity provider reported a temporary problem.", fix: "Try again in a few minutes; stored credentials were kept.", transient: true, invalidGrant: false };
  }
  if ((error || description) && transientStatus) {
    const http = decodeHttpStatus(input.status ?? 0, undefined, ctx);
    return { ...http, cause: `${http.cause.replace(/\.$/, "")}: ${error}${description ? ` — ${firstLine(description)}` : ""}.` };
  }
  if (error) {
    return { code: error, cause: firstLine(description) || `The identity provider answered "${error}".`, fix: "See the identity provider's documentation for this error code.", transient: transientStatus, invalidGrant: false };
  }
  return decodeHttpStatus(input.status ?? 0, undefined, ctx);
}

/** An HTTP answer without an OAuth error body: outages, proxies, wrong URLs. */
export function decodeHttpStatus(status: number, bodySnippet: string | undefined, ctx: DecodeContext): DecodedIdpError {
  const host = ctx.host ?? "the token endpoint";
  const html = bodySnippet !== undefined && /^\s*<(!doctype|html|head|body)/i.test(bodySnippet);
  const truncated = bodySnippet !== undefined && /^\s*[{[]/.test(bodySnippet);
  const body = html ? " with an HTML page instead of JSON" : truncated ? " with incomplete (truncated) JSON" : bodySnippet !== undefined ? " with a body that is not JSON" : "";
  if (status >= 500 || status === 429) {
    return {
      code: `HTTP_${status}`,
      cause: `${host} is unavailable (HTTP ${status}${status === 429 ? ", throttled" : ""})${body}.`,
      fix: "Try again in a few minutes; stored credentials were kept. If it persists, check the provider's service health.",
      transient: true,
      invalidGrant: false,
    };
  }
  if (status === 404) {
    return { code: "HTTP_404", cause: `${host} answered 404 Not Found: the token URL is wrong.`, fix: "Correct the token URL on the profile (Microsoft: https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token).", transient: false, invalidGrant: false };
  }
  if (html) {
    return {
      code: `HTTP_${status}`,
      cause: `${host} answered HTTP ${status}${body} — a proxy, captive portal or a wrong token URL is in the way.`,
      fix: "Check the token URL and any HTTP proxy between this server and the identity provider.",
      transient: false,
      invalidGrant: false,
    };
  }
  if (truncated) {
    return { code: `HTTP_${status}`, cause: `${host} answered HTTP ${status}${body}: the connection was cut or a proxy altered the response.`, fix: "Try again; if it persists, check proxies between this server and the identity provider.", transient: true, invalidGrant: false };
  }
  return { code: `HTTP_${status}`, cause: `${host} answered HTTP ${status}${body}.`, fix: "Check the token URL on the profile.", transient: false, invalidGrant: false };
}

const TLS_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_UNTRUSTED",
]);

/** A request that never got an answer: DNS, refused, TLS trust, timeout. Names the host. */
export function decodeNetworkError(networkError: { code: string; message: string }, ctx: DecodeContext): DecodedIdpError {
  const host = ctx.host ?? "the token endpoint";
  const code = networkError.code;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return { code, cause: `The host name ${host} could not be resolved (DNS).`, fix: `Check the token URL's host name and this server's DNS settings${code === "EAI_AGAIN" ? " (a temporary DNS failure: try again)" : ""}.`, transient: code === "EAI_AGAIN", invalidGrant: false };
  }
  if (code === "ECONNREFUSED") {
    return { code, cause: `${host} refused the connection.`, fix: "Check the token URL's host and port, and that a firewall or proxy allows outbound HTTPS from this server.", transient: true, invalidGrant: false };
  }
  if (TLS_CODES.has(code)) {
    return {
      code,
      cause: `The TLS certificate of ${host} is not trusted (${code}).`,
      fix: "If a TLS-inspecting proxy sits between this server and the identity provider, add its CA certificate to the bundle in NODE_EXTRA_CA_CERTS and restart the console; otherwise check the token URL's host.",
      transient: false,
      invalidGrant: false,
    };
  }
  if (code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "ABORT_ERR") {
    return {
      code: "ETIMEDOUT",
      cause: `${host} did not answer within ${ctx.timeoutSeconds ?? "the"} seconds.`,
      fix: "Try again; if it persists check the network path (firewall, proxy) to the host, or raise the HTTP timeout in Settings.",
      transient: true,
      invalidGrant: false,
    };
  }
  if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET" || code === "UND_ERR_CLOSED") {
    return { code, cause: `The connection to ${host} was reset before the answer was complete.`, fix: "Try again; if it persists check proxies and firewalls between this server and the host.", transient: true, invalidGrant: false };
  }
  return { code, cause: `The request to ${host} failed (${code}).`, fix: "Check network access from this server to the host.", transient: true, invalidGrant: false };
}

/** Decodes from the recorded exchange: the raw answer is more precise than a library's error. */
export function decodeExchange(exchange: TokenExchange | undefined, ctx: DecodeContext): (DecodedIdpError & { correlationId?: string; traceId?: string; description?: string; status?: number }) | undefined {
  if (!exchange) return undefined;
  const context = { ...ctx, host: ctx.host ?? exchange.host };
  if (exchange.networkError) return decodeNetworkError(exchange.networkError, context);
  if (exchange.status === undefined) return undefined;
  const json = exchange.json;
  if (json && (typeof json.error === "string" || (exchange.status >= 400 && !("access_token" in json)))) {
    const codes = Array.isArray(json.error_codes) ? json.error_codes.filter((c): c is number => typeof c === "number") : undefined;
    const description = typeof json.error_description === "string" ? json.error_description : undefined;
    return {
      ...decodeIdpError({ error: typeof json.error === "string" ? json.error : undefined, description, errorCodes: codes, status: exchange.status }, context),
      correlationId: typeof json.correlation_id === "string" ? json.correlation_id : undefined,
      traceId: typeof json.trace_id === "string" ? json.trace_id : undefined,
      description,
      status: exchange.status,
    };
  }
  if (!json) return { ...decodeHttpStatus(exchange.status, exchange.bodySnippet ?? "", context), status: exchange.status };
  return undefined;
}

/** The AppError for a decoded failure. Its token failure `detail` carries the flags the token cache and the delivery pipeline act on. */
export function toTokenAppError(decoded: DecodedIdpError & { correlationId?: string; traceId?: string; description?: string; status?: number }, ctx: DecodeContext, transcript?: string[]): AppError {
  const who = ctx.provider === "microsoft" ? "Entra ID" : ctx.provider === "google" ? "Google" : "The token endpoint";
  const network = /^E[A-Z]+$|^UND_ERR|^ERR_TLS|CERT/.test(decoded.code);
  const message = network ? `Token request failed: ${decoded.cause}` : `${who} refused the token request: ${decoded.cause} (${decoded.code})`;
  const support = decoded.correlationId ? ` Correlation ID for support: ${decoded.correlationId}.` : "";
  return new AppError(decoded.code === "ETIMEDOUT" ? "timeout" : "remote_error", message, {
    hint: `${decoded.fix}${support}`,
    remoteCode: decoded.code,
    detail: {
      kind: "token",
      transient: decoded.transient,
      invalidGrant: decoded.invalidGrant,
      correlationId: decoded.correlationId,
      traceId: decoded.traceId,
      status: decoded.status,
      remoteReply: decoded.description?.split(/\r?\n/)[0],
      transcript,
    },
  });
}

/** Facts about a library error (MSAL ServerError/AuthError, GaxiosError) without its message's secrets. */
type LibraryError = { errorCode?: unknown; errorNo?: unknown; errorMessage?: unknown; correlationId?: unknown; status?: unknown; code?: unknown; message?: unknown; response?: { status?: unknown; data?: unknown } };

/**
 * The one way a grant module reports failure: decodes the recorded exchange (or the library's
 * error when no exchange explains it) and returns an AppError whose message and hint are safe.
 * `secrets` are scrubbed from any text taken from the library error.
 */
export function tokenFailure(error: unknown, http: TokenHttp | undefined, ctx: DecodeContext, secrets: (string | undefined)[] = []): AppError {
  // A redirect or an oversized response refused by the transport explains the failure, whatever
  // the library made of it.
  const refused = http?.refusal();
  if (refused) return refused;
  // Every text of the result (message, hint, remote reply, transcript) through the one redactor,
  // with the grant's secrets and the transport's: an IdP may echo the request in its error.
  const own = redactor(secrets);
  const scrub = (text: string): string => own(http ? http.scrub(text) : text);
  return scrubAppError(decodeTokenFailure(error, http, ctx, scrub), scrub);
}

function scrubAppError(error: AppError, scrub: (text: string) => string): AppError {
  const detail =
    error.detail?.kind === "token"
      ? { ...error.detail, remoteReply: error.detail.remoteReply === undefined ? undefined : scrub(error.detail.remoteReply), transcript: error.detail.transcript?.map(scrub) }
      : error.detail;
  return new AppError(error.code, scrub(error.userMessage), { hint: error.hint === undefined ? undefined : scrub(error.hint), field: error.field, remoteCode: error.remoteCode, detail, profileId: error.profileId });
}

function decodeTokenFailure(error: unknown, http: TokenHttp | undefined, ctx: DecodeContext, scrub: (text: string) => string): AppError {
  if (error instanceof AppError) return error;
  const fromExchange = decodeExchange(http?.lastExchange(), ctx);
  if (fromExchange) return toTokenAppError(fromExchange, ctx, http?.transcript());
  const e = (error ?? {}) as LibraryError;
  const errorNo = typeof e.errorNo === "string" || typeof e.errorNo === "number" ? Number(e.errorNo) : NaN;
  if (typeof e.errorCode === "string" && (Number.isFinite(errorNo) || e.errorCode.includes("_"))) {
    const decoded = decodeIdpError({ error: e.errorCode, description: typeof e.errorMessage === "string" ? e.errorMessage : "", errorCodes: Number.isFinite(errorNo) ? [errorNo] : undefined, status: typeof e.status === "number" ? e.status : undefined }, ctx);
    if (e.errorCode !== "network_error") {
      return toTokenAppError({ ...decoded, correlationId: typeof e.correlationId === "string" && e.correlationId ? e.correlationId : undefined }, ctx, http?.transcript());
    }
  }
  const message = scrub(typeof e.message === "string" ? e.message : String(error)).slice(0, 300);
  return new AppError("remote_error", `Token request failed: ${message}`, {
    hint: "Check the profile's token URL, credentials and network access; the activity log has the request transcript.",
    remoteCode: typeof e.errorCode === "string" ? e.errorCode : undefined,
    detail: { kind: "token", transient: false, invalidGrant: false, transcript: http?.transcript() },
  });
}
