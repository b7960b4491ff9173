import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { describeCertificate, parsePrivateKey } from "../crypto/certificate";
import { AppError } from "../errors";
import { summarizeClaims } from "./claims";
import { tokenFailure } from "./errors";
import { createTokenHttp } from "./http";
import type { AcquiredToken } from "./types";

export type GenericClientAuth =
  | { method: "client_secret_basic"; clientSecret: string }
  | { method: "client_secret_post"; clientSecret: string }
  | { method: "private_key_jwt"; certificatePem: string; privateKey: string };

export type GenericTokenInput = {
  tokenUrl: string;
  clientId: string;
  scope?: string;
  grant: { type: "client_credentials" } | { type: "password"; username: string; password: string };
  auth: GenericClientAuth;
  timeoutMs: number;
};

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/**
 * RFC 7523 client assertion: iss = sub = client id, aud = token URL, 5 minutes, unique jti,
 * RS256 with both thumbprint headers (x5t for servers following the older convention, x5t#S256
 * for current ones).
 */
export async function signClientAssertion(input: { clientId: string; tokenUrl: string; certificatePem: string; privateKey: string }): Promise<string> {
  const info = describeCertificate(input.certificatePem);
  const key = parsePrivateKey(input.privateKey, "secrets.privateKey");
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256", typ: "JWT", x5t: info.sha1Base64Url, "x5t#S256": info.sha256Base64Url })
    .setIssuer(input.clientId)
    .setSubject(input.clientId)
    .setAudience(input.tokenUrl)
    .setIssuedAt(now)
    .setNotBefore(now - 30)
    .setExpirationTime(now + 300)
    .setJti(randomUUID())
    .sign(key);
}

/**
 * A generic OAuth 2.0 token endpoint (RFC 6749 §4.3/§4.4): client_credentials or password grant
 * with client_secret_basic, client_secret_post or private_key_jwt. No library in this stack
 * speaks plain OAuth 2.0 to arbitrary servers (MSAL adds Entra-specific parameters and cannot do
 * HTTP Basic), so this is the one grant written against the RFC directly.
 */
export async function acquireGenericToken(input: GenericTokenInput): Promise<AcquiredToken> {
  const secrets = [input.auth.method === "private_key_jwt" ? input.auth.privateKey : input.auth.clientSecret, input.grant.type === "password" ? input.grant.password : undefined];
  const http = createTokenHttp({ timeoutMs: input.timeoutMs, secrets });
  let host = input.tokenUrl;
  try {
    host = new URL(input.tokenUrl).host;
  } catch {
    throw new AppError("invalid_input", "Token URL is not a valid URL", { field: "settings.tokenUrl" });
  }
  const ctx = { provider: "generic" as const, host, timeoutSeconds: input.timeoutMs / 1000 };
  try {
    const form = new URLSearchParams({ grant_type: input.grant.type });
    if (input.grant.type === "password") {
      form.set("username", input.grant.username);
      form.set("password", input.grant.password);
    }
    if (input.scope) form.set("scope", input.scope);
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
    switch (input.auth.method) {
      case "client_secret_basic": {
        // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
        const user = encodeURIComponent(input.clientId).replace(/%20/g, "+");
        const pass = encodeURIComponent(input.auth.clientSecret).replace(/%20/g, "+");
        headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
        break;
      }
      case "client_secret_post":
        form.set("client_id", input.clientId);
        form.set("client_secret", input.auth.clientSecret);
        break;
      case "private_key_jwt":
        form.set("client_id", input.clientId);
        form.set("client_assertion_type", ASSERTION_TYPE);
        form.set("client_assertion", await signClientAssertion({ clientId: input.clientId, tokenUrl: input.tokenUrl, certificatePem: input.auth.certificatePem, privateKey: input.auth.privateKey }));
        break;
    }
    const response = await http.fetch(input.tokenUrl, { method: "POST", headers, body: form.toString() });
    const body = http.lastExchange()?.json;
    if (!response.ok || !body) throw new Error(`token endpoint answered HTTP ${response.status}`);
    const raw = (await response.json()) as { access_token?: unknown; expires_in?: unknown; scope?: unknown; token_type?: unknown };
    if (typeof raw.access_token !== "string" || !raw.access_token) throw new AppError("remote_error", `${host} answered without an access_token.`, { hint: "Check the grant type and scope the server expects." });
    const expiresIn = Number(raw.expires_in);
    const expiresAt = new Date(Date.now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000);
    const scope = typeof raw.scope === "string" ? raw.scope : (input.scope ?? "");
    return { accessToken: raw.access_token, expiresAt, scope: input.scope ?? "", claims: summarizeClaims(raw.access_token, { scope, expiresAt }), transcript: http.transcript() };
  } catch (error) {
    throw tokenFailure(error, http, ctx, secrets);
  }
}
