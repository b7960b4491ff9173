import { createHash, randomBytes } from "node:crypto";
import { tokenFailure } from "./errors";
import { createTokenHttp } from "./http";
import { buildMsalConfiguration, createConfidentialClient, createPublicClient, fromMsalResult, readRefreshToken, resolveMicrosoftEndpoints, scopesOf } from "./msal";
import type { AcquiredToken } from "./types";

export type AuthCodeClient = {
  tokenUrl: string;
  tenantId: string;
  clientId: string;
  /** Optional: a Web-platform (confidential) app needs it, a public one must not send it. */
  clientSecret?: string;
  scope: string;
  timeoutMs: number;
};

/** A PKCE pair (RFC 7636, S256). The verifier is a secret until the code is exchanged. */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** An unguessable `state` value (binds the callback to the request that started it). */
export function createState(): string {
  return randomBytes(24).toString("base64url");
}

/** offline_access is what makes Entra return a refresh token; add it when the profile forgot it. */
function withOfflineAccess(scope: string): string {
  return scopesOf(scope).includes("offline_access") ? scope : `offline_access ${scope}`;
}

/**
 * The provider's authorize URL for the "Authorize" button: derived from the token URL
 * (…/token → …/authorize), with state and PKCE S256. Built by MSAL so the parameters are the
 * ones Entra expects.
 */
export async function buildAuthorizeUrl(input: Omit<AuthCodeClient, "timeoutMs" | "clientSecret"> & { redirectUri: string; state: string; codeChallenge: string; loginHint?: string }): Promise<string> {
  const endpoints = resolveMicrosoftEndpoints(input.tokenUrl, input.tenantId);
  const http = createTokenHttp({ timeoutMs: 10_000 });
  const app = createPublicClient(buildMsalConfiguration(endpoints, input.clientId, http));
  return app.getAuthCodeUrl({
    scopes: scopesOf(withOfflineAccess(input.scope)),
    redirectUri: input.redirectUri,
    state: input.state,
    codeChallenge: input.codeChallenge,
    codeChallengeMethod: "S256",
    responseMode: "query",
    loginHint: input.loginHint,
    // Entra refuses an account hint together with prompt=select_account; the hint (the mailbox) wins.
    prompt: input.loginHint ? undefined : "select_account",
  });
}

function clientFor(input: AuthCodeClient, http: ReturnType<typeof createTokenHttp>) {
  const endpoints = resolveMicrosoftEndpoints(input.tokenUrl, input.tenantId);
  const config = buildMsalConfiguration(endpoints, input.clientId, http, input.clientSecret ? { clientSecret: input.clientSecret } : {});
  return { endpoints, app: input.clientSecret ? createConfidentialClient(config) : createPublicClient(config) };
}

/**
 * Exchanges the code from the callback (with the PKCE verifier) for access + refresh token.
 * Throws AppError with the decoded cause (AADSTS50011 redirect URI, 65001 consent, …).
 */
export async function exchangeAuthorizationCode(input: AuthCodeClient & { code: string; codeVerifier: string; redirectUri: string }): Promise<AcquiredToken> {
  const http = createTokenHttp({ timeoutMs: input.timeoutMs, secrets: [input.clientSecret, input.code, input.codeVerifier] });
  const { endpoints, app } = clientFor(input, http);
  const ctx = { provider: "microsoft" as const, host: endpoints.host, redirectUri: input.redirectUri, timeoutSeconds: input.timeoutMs / 1000 };
  try {
    const result = await app.acquireTokenByCode({ code: input.code, codeVerifier: input.codeVerifier, redirectUri: input.redirectUri, scopes: scopesOf(withOfflineAccess(input.scope)) });
    return fromMsalResult(result, input.scope, http, await readRefreshToken(app));
  } catch (error) {
    throw tokenFailure(error, http, ctx, [input.clientSecret, input.code, input.codeVerifier]);
  }
}

/**
 * Redeems a refresh token. The result carries the rotated refresh token when Entra issued one
 * (the caller must save it); `refreshToken` is undefined when the old one stays valid.
 * * Throws AppError with a token failure detail: `invalidGrant` means re-authorization is needed, `transient`
 * that nothing should be dropped.
 */
export async function acquireByRefreshToken(input: AuthCodeClient & { refreshToken: string }): Promise<AcquiredToken> {
  const http = createTokenHttp({ timeoutMs: input.timeoutMs, secrets: [input.clientSecret, input.refreshToken] });
  const { endpoints, app } = clientFor(input, http);
  const ctx = { provider: "microsoft" as const, host: endpoints.host, timeoutSeconds: input.timeoutMs / 1000 };
  try {
    const result = await app.acquireTokenByRefreshToken({ refreshToken: input.refreshToken, scopes: scopesOf(withOfflineAccess(input.scope)), forceCache: true });
    const rotated = await readRefreshToken(app);
    return fromMsalResult(result, input.scope, http, rotated && rotated !== input.refreshToken ? rotated : undefined);
  } catch (error) {
    throw tokenFailure(error, http, ctx, [input.clientSecret, input.refreshToken]);
  }
}
