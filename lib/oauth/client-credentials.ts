import { describeCertificate, parsePrivateKey } from "../crypto/certificate";
import { AppError } from "../errors";
import { tokenFailure } from "./errors";
import { createTokenHttp } from "./http";
import { buildMsalConfiguration, createConfidentialClient, fromMsalResult, resolveMicrosoftEndpoints, scopesOf } from "./msal";
import type { AcquiredToken } from "./types";

export type ClientCredential =
  | { type: "secret"; clientSecret: string }
  | { type: "certificate"; certificatePem: string; privateKey: string; thumbprintHeader: "x5t#S256" | "x5t" };

export type ClientCredentialsInput = {
  tokenUrl: string;
  tenantId: string;
  clientId: string;
  /** A resource's /.default scope (https://outlook.office365.com/.default, https://graph.microsoft.com/.default). */
  scope: string;
  credential: ClientCredential;
  timeoutMs: number;
};

/**
 * MSAL's clientCertificate option for the header form the profile asks for: `thumbprintSha256`
 * makes MSAL sign PS256 with `x5t#S256`; `thumbprint` (SHA-1 hex) makes it sign RS256 with
 * `x5t`, the legacy form of the IMAP connector document. `x5c` (the certificate) is sent too so
 * subject-name/issuer auth works where it is configured.
 */
function certificateOption(credential: Extract<ClientCredential, { type: "certificate" }>) {
  const info = describeCertificate(credential.certificatePem);
  // MSAL wants the key as PEM text; normalise PKCS#1 to PKCS#8 so both forms work.
  const privateKey = parsePrivateKey(credential.privateKey, "secrets.privateKey").export({ type: "pkcs8", format: "pem" }).toString();
  const x5c = credential.certificatePem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0];
  return credential.thumbprintHeader === "x5t"
    ? { thumbprint: info.sha1Hex, privateKey, x5c }
    : { thumbprintSha256: info.sha256Hex, privateKey, x5c };
}

/**
 * Client credentials (APP mode: Graph sendMail, SMTP/IMAP app-only) with a client secret or a
 * certificate assertion (private_key_jwt: aud = token URL, short expiry, unique jti — MSAL builds
 * it). Always asks the IdP (skipCache): the console's own cache decides when to call.
 */
export async function acquireByClientCredentials(input: ClientCredentialsInput): Promise<AcquiredToken> {
  const endpoints = resolveMicrosoftEndpoints(input.tokenUrl, input.tenantId);
  const secrets = input.credential.type === "secret" ? [input.credential.clientSecret] : [input.credential.privateKey];
  const http = createTokenHttp({ timeoutMs: input.timeoutMs, secrets });
  const ctx = { provider: "microsoft" as const, host: endpoints.host, timeoutSeconds: input.timeoutMs / 1000 };
  try {
    if (input.credential.type === "secret" && !input.credential.clientSecret) {
      throw new AppError("invalid_input", "Client secret is not set on this profile.", { field: "secrets.clientSecret", hint: "Paste the secret's Value from App registration → Certificates & secrets." });
    }
    const auth = input.credential.type === "secret" ? { clientSecret: input.credential.clientSecret } : { clientCertificate: certificateOption(input.credential) };
    const app = createConfidentialClient(buildMsalConfiguration(endpoints, input.clientId, http, auth));
    const result = await app.acquireTokenByClientCredential({ scopes: scopesOf(input.scope), skipCache: true });
    return fromMsalResult(result, input.scope, http);
  } catch (error) {
    throw tokenFailure(error, http, ctx, secrets);
  }
}
