import { createTokenHttp } from "./http";
import { tokenFailure } from "./errors";
import { buildMsalConfiguration, createConfidentialClient, createPublicClient, fromMsalResult, resolveMicrosoftEndpoints, scopesOf } from "./msal";
import type { AcquiredToken } from "./types";

export type RopcInput = {
  tokenUrl: string;
  tenantId: string;
  clientId: string;
  username: string;
  password: string;
  /** Sent only when the app is confidential ("Allow public client flows" = No). */
  clientSecret?: string;
  scope: string;
  timeoutMs: number;
};

/**
 * Resource owner password credentials (iMail DELEGATE mode) through MSAL. No refresh token is
 * kept: the console holds the password anyway, and fewer long-lived secrets at rest is better.
 * Throws AppError with the decoded cause and fix (AADSTS50126, 50076, 7000218, 700025, …).
 */
export async function acquireByPassword(input: RopcInput): Promise<AcquiredToken> {
  const endpoints = resolveMicrosoftEndpoints(input.tokenUrl, input.tenantId);
  const http = createTokenHttp({ timeoutMs: input.timeoutMs, secrets: [input.password, input.clientSecret] });
  const ctx = { provider: "microsoft" as const, host: endpoints.host, timeoutSeconds: input.timeoutMs / 1000 };
  try {
    const config = buildMsalConfiguration(endpoints, input.clientId, http, input.clientSecret ? { clientSecret: input.clientSecret } : {});
    const app = input.clientSecret ? createConfidentialClient(config) : createPublicClient(config);
    const result = await app.acquireTokenByUsernamePassword({ scopes: scopesOf(input.scope), username: input.username, password: input.password });
    return fromMsalResult(result, input.scope, http);
  } catch (error) {
    throw tokenFailure(error, http, ctx, [input.password, input.clientSecret]);
  }
}
