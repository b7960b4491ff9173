import { AppError } from "../errors";
import { acquireByClientCredentials } from "../oauth/client-credentials";
import { acquireGenericToken } from "../oauth/generic";
import { acquireGoogleServiceAccountToken } from "../oauth/google-service-account";
import { acquireByPassword } from "../oauth/ropc";
import type { AcquiredToken } from "../oauth/types";
import { SECRET_LABELS, type ProfileSecrets, type ProfileSettings, type SecretName } from "../profiles/schema";

/** What produced a cache entry (stored as TokenCacheEntry.source). */
export type TokenGrant = "password" | "client_credentials" | "authorization_code" | "refresh_token" | "jwt-bearer";

function need(secrets: ProfileSecrets, name: SecretName): string {
  const value = secrets[name];
  if (!value) {
    throw new AppError("invalid_input", `${SECRET_LABELS[name]} is not set on this profile.`, { field: `secrets.${name}`, hint: `Edit the profile and enter the ${SECRET_LABELS[name].toLowerCase()}.` });
  }
  return value;
}

/** Kinds that have no OAuth token; asking for one is a usage error with a clear message. */
export function assertTokenKind(settings: Pick<ProfileSettings, "kind">): void {
  if (settings.kind === "smtp-basic") {
    throw new AppError("unsupported", "SMTP basic-auth profiles do not use OAuth tokens.", { hint: "This profile signs in with a user name and password; use a Microsoft 365 or OAuth profile for token-based sending." });
  }
  if (settings.kind === "log-only") {
    throw new AppError("unsupported", "Log-only profiles do not use OAuth tokens.", { hint: "A log-only profile records messages without sending; there is no token to get." });
  }
}

/**
 * Runs the grant a profile uses (everything except authorization code, which needs the stored
 * refresh token). Throws AppError from the grant modules (decoded IdP/network errors).
 */
export async function acquireForProfile(settings: ProfileSettings, secrets: ProfileSecrets, scope: string, timeoutMs: number): Promise<{ token: AcquiredToken; grant: TokenGrant }> {
  assertTokenKind(settings);
  switch (settings.kind) {
    case "m365-delegated":
      return {
        grant: "password",
        token: await acquireByPassword({
          tokenUrl: settings.tokenUrl,
          tenantId: settings.tenantId,
          clientId: settings.clientId,
          username: settings.loginUser,
          password: need(secrets, "password"),
          // "Allow public client flows" = No makes the app confidential: then, and only then, send the secret.
          clientSecret: settings.publicClient ? undefined : need(secrets, "clientSecret"),
          scope,
          timeoutMs,
        }),
      };
    case "m365-app-graph":
    case "m365-app-smtp":
      return {
        grant: "client_credentials",
        token: await acquireByClientCredentials({
          tokenUrl: settings.tokenUrl,
          tenantId: settings.tenantId,
          clientId: settings.clientId,
          scope,
          credential:
            settings.credentialType === "certificate"
              ? { type: "certificate", certificatePem: settings.certificatePem ?? "", privateKey: need(secrets, "privateKey"), thumbprintHeader: settings.thumbprintHeader }
              : { type: "secret", clientSecret: need(secrets, "clientSecret") },
          timeoutMs,
        }),
      };
    case "google-service-account":
      return {
        grant: "jwt-bearer",
        token: await acquireGoogleServiceAccountToken({ serviceAccountKey: need(secrets, "serviceAccountKey"), impersonateUser: settings.impersonateUser, scope, tokenUrl: settings.tokenUrl, timeoutMs }),
      };
    case "oauth2-generic":
      return {
        grant: settings.grantType === "password" ? "password" : "client_credentials",
        token: await acquireGenericToken({
          tokenUrl: settings.tokenUrl,
          clientId: settings.clientId,
          scope: scope || undefined,
          grant: settings.grantType === "password" ? { type: "password", username: settings.username ?? "", password: need(secrets, "password") } : { type: "client_credentials" },
          auth:
            settings.clientAuth === "private_key_jwt"
              ? { method: "private_key_jwt", certificatePem: settings.certificatePem ?? "", privateKey: need(secrets, "privateKey") }
              : { method: settings.clientAuth, clientSecret: need(secrets, "clientSecret") },
          timeoutMs,
        }),
      };
    case "m365-auth-code":
      throw new AppError("invalid_input", "Authorization-code profiles get tokens through Authorize and their refresh token.");
    default:
      throw new AppError("unsupported", "This profile kind has no token.");
  }
}
