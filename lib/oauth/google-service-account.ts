import { JWT } from "google-auth-library";
import { AppError } from "../errors";
import { parseServiceAccountKey } from "./service-account-key";
import { summarizeClaims } from "./claims";
import { tokenFailure } from "./errors";
import { createTokenHttp } from "./http";
import type { AcquiredToken } from "./types";

/** google-auth-library's fixed token endpoint; requests to it are sent to the profile's URL. */
const LIBRARY_TOKEN_URL = "https://oauth2.googleapis.com/token";

export type GoogleServiceAccountInput = {
  /** The service-account key JSON (a secret). */
  serviceAccountKey: string;
  /** JWT `sub`: the Workspace user whose mailbox is used (XOAUTH2 user=). */
  impersonateUser: string;
  scope: string;
  /** Token endpoint; https://oauth2.googleapis.com/token unless a proxy or test server is used. */
  tokenUrl: string;
  timeoutMs: number;
};

/**
 * Google service account with domain-wide delegation: JWT bearer grant (iss = service account,
 * sub = impersonated user, aud = token URL, exp = iat + 1 h) through google-auth-library. There
 * is no refresh token: every acquisition mints a new assertion.
 * Throws AppError with the decoded cause (unauthorized_client, invalid_grant, access_denied).
 */
export async function acquireGoogleServiceAccountToken(input: GoogleServiceAccountInput): Promise<AcquiredToken> {
  let key;
  try {
    key = parseServiceAccountKey(input.serviceAccountKey);
  } catch (error) {
    if (error instanceof AppError) throw new AppError("invalid_input", error.userMessage, { field: "secrets.serviceAccountKey" });
    throw error;
  }
  const tokenUrl = input.tokenUrl || LIBRARY_TOKEN_URL;
  const http = createTokenHttp({ timeoutMs: input.timeoutMs, secrets: [key.private_key], rewriteUrl: (url) => (url.split("?")[0] === LIBRARY_TOKEN_URL ? tokenUrl : url) });
  const host = new URL(tokenUrl).host;
  const ctx = { provider: "google" as const, host, clientId: key.client_id, scope: input.scope, timeoutSeconds: input.timeoutMs / 1000 };
  try {
    const client = new JWT({
      email: key.client_email,
      key: key.private_key,
      keyId: key.private_key_id,
      scopes: input.scope.split(/\s+/).filter(Boolean),
      subject: input.impersonateUser,
      // The library hard-codes Google's URL as `aud`; the assertion must name the endpoint it is sent to.
      additionalClaims: { aud: tokenUrl },
      transporterOptions: { fetchImplementation: http.fetch, timeout: input.timeoutMs },
    });
    // gtoken asks gaxios to retry POSTs three times on 5xx; the console reports instead of hiding
    // outages behind minutes of backoff, so retries are switched off here.
    client.transporter.interceptors.request.add({
      resolved: async (config) => {
        if (config.retryConfig) config.retryConfig.retry = 0;
        return config;
      },
    });
    const credentials = await client.authorize();
    if (!credentials.access_token) throw new AppError("remote_error", "Google answered without an access token.");
    const expiresAt = new Date(credentials.expiry_date ?? Date.now() + 3600_000);
    return {
      accessToken: credentials.access_token,
      expiresAt,
      scope: input.scope,
      claims: summarizeClaims(credentials.access_token, { scope: input.scope, expiresAt }),
      transcript: http.transcript(),
    };
  } catch (error) {
    throw tokenFailure(error, http, ctx, [key.private_key]);
  }
}
