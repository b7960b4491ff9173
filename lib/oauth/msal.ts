import { ConfidentialClientApplication, LogLevel, PublicClientApplication, type AuthenticationResult, type Configuration } from "@azure/msal-node";
import { AppError } from "../errors";
import { resolveTokenUrl } from "./token-url";
import { summarizeClaims } from "./claims";
import type { TokenHttp } from "./http";
import type { AcquiredToken } from "./types";

/** Where a Microsoft profile's endpoints are, derived from its token URL (national clouds, test IdPs). */
export type MicrosoftEndpoints = {
  tokenUrl: string;
  authorizeUrl: string;
  /** https://host[:port]/tenant — what MSAL calls the authority. */
  authority: string;
  /** host[:port], for knownAuthorities and error messages. */
  host: string;
};

/**
 * Resolves `{TENANT_ID}` and derives the authorize URL (…/token → …/authorize) and the authority
 * (origin + first path segment). Throws AppError(invalid_input) for a URL that is not https.
 */
export function resolveMicrosoftEndpoints(tokenUrlTemplate: string, tenantId: string): MicrosoftEndpoints {
  const tokenUrl = resolveTokenUrl(tokenUrlTemplate, tenantId);
  let url: URL;
  try {
    url = new URL(tokenUrl);
  } catch {
    throw new AppError("invalid_input", `Token URL is not a valid URL: ${tokenUrl}`, { field: "settings.tokenUrl" });
  }
  if (url.protocol !== "https:") throw new AppError("invalid_input", "Token URL must use https://", { field: "settings.tokenUrl" });
  const segments = url.pathname.split("/").filter(Boolean);
  if (segments.length < 2) {
    throw new AppError("invalid_input", `Token URL ${tokenUrl} has no tenant segment; expected https://host/{TENANT_ID}/oauth2/v2.0/token`, { field: "settings.tokenUrl" });
  }
  const authorizeUrl = `${url.origin}${url.pathname.replace(/\/token\/?$/, "/authorize")}`;
  return { tokenUrl: `${url.origin}${url.pathname}`, authorizeUrl, authority: `${url.origin}/${segments[0]}`, host: url.host };
}

/**
 * The MSAL configuration for one acquisition. The endpoints come from the profile, not from
 * discovery: MSAL gets `authorityMetadata` built from the token URL and the host as a known
 * authority, so it posts exactly to the configured URL (national clouds, proxies, test IdPs) and
 * makes no discovery requests. MSAL's in-memory cache lives only as long as this one app object;
 * it is never persisted (the console's encrypted DB cache is the cache).
 */
export function buildMsalConfiguration(endpoints: MicrosoftEndpoints, clientId: string, http: TokenHttp, credentials: Pick<Configuration["auth"], "clientSecret" | "clientCertificate"> = {}): Configuration {
  const issuerBase = `${endpoints.authority}/v2.0`;
  return {
    auth: {
      clientId,
      authority: endpoints.authority,
      knownAuthorities: [endpoints.host],
      authorityMetadata: JSON.stringify({
        token_endpoint: endpoints.tokenUrl,
        authorization_endpoint: endpoints.authorizeUrl,
        issuer: issuerBase,
        jwks_uri: `${endpoints.authority}/discovery/v2.0/keys`,
        end_session_endpoint: `${endpoints.authority}/oauth2/v2.0/logout`,
      }),
      ...credentials,
    },
    system: {
      networkClient: http.msalNetwork,
      // MSAL logs may include PII and request details: keep them off.
      loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined },
    },
  };
}

export function createConfidentialClient(config: Configuration): ConfidentialClientApplication {
  return new ConfidentialClientApplication(config);
}

export function createPublicClient(config: Configuration): PublicClientApplication {
  return new PublicClientApplication(config);
}

/**
 * MSAL does not return refresh tokens to the caller; they sit in its in-memory cache. Read the
 * one it just stored (the app object is per acquisition, so there is at most one per account).
 */
export async function readRefreshToken(app: ConfidentialClientApplication | PublicClientApplication): Promise<string | undefined> {
  const serialized = JSON.parse(app.getTokenCache().serialize()) as { RefreshToken?: Record<string, { secret?: string }> };
  const entries = Object.values(serialized.RefreshToken ?? {});
  return entries.find((e) => typeof e.secret === "string" && e.secret)?.secret;
}

/** Maps MSAL's result to the shape every grant returns. */
export function fromMsalResult(result: AuthenticationResult | null, scope: string, http: TokenHttp, refreshToken?: string): AcquiredToken {
  if (!result?.accessToken) throw new AppError("remote_error", "Entra ID answered without an access token.", { hint: "Check the scope on the profile; the activity log has the request transcript." });
  const expiresAt = result.expiresOn ?? new Date(Date.now() + 3600_000);
  return {
    accessToken: result.accessToken,
    refreshToken,
    expiresAt,
    scope,
    claims: summarizeClaims(result.accessToken, { scope: result.scopes.join(" "), expiresAt }),
    transcript: http.transcript(),
  };
}

/** Splits a profile scope string for MSAL (which adds openid/profile/offline_access itself). */
export function scopesOf(scope: string): string[] {
  return scope.split(/\s+/).filter(Boolean);
}
