import { createPublicKey, type KeyObject } from "node:crypto";
import type { ServerResponse } from "node:http";
import { decodeJwt, jwtVerify } from "jose";
import { sendHtml, sendJson, startHttpsFake, type FakeRequest, type HttpsFake } from "./fake-entra";
import { issueTestAccessToken } from "./idp-keys";

/**
 * A fake Google OAuth 2.0 token endpoint (POST /token) for the JWT bearer grant used by service
 * accounts with domain-wide delegation. It checks what Google checks: the RS256 signature with
 * the service account's public key, iss, aud = this token URL, exp ≤ iat + 1 h, scope authorised
 * for the client ID (DWD), sub an existing Workspace user. Errors use Google's shape
 * ({ error, error_description }). Access tokens are signed with the shared test IdP key and
 * carry scope, email = sub = the impersonated user.
 */
export type FakeGoogleServiceAccount = {
  clientEmail: string;
  clientId: string;
  /** Public key or certificate PEM, or the private key PEM (its public half is used). */
  keyPem: string;
  /** Scopes authorised for this client ID under domain-wide delegation. */
  delegatedScopes: string[];
};

export type FakeGoogleOptions = {
  serviceAccounts: FakeGoogleServiceAccount[];
  /** Workspace users that may be impersonated. */
  users: string[];
  tokenLifetimeSeconds?: number;
};

export type FakeGoogle = HttpsFake & { tokenUrl: string; tokenRequests(): FakeRequest[]; setTokenLifetime(seconds: number): void };

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

function googleError(res: ServerResponse, status: number, error: string, description: string): void {
  sendJson(res, status, { error, error_description: description });
}

export async function startFakeGoogle(options: FakeGoogleOptions): Promise<FakeGoogle> {
  let lifetime = options.tokenLifetimeSeconds ?? 3599;
  const keys = new Map<string, { sa: FakeGoogleServiceAccount; key: KeyObject }>(options.serviceAccounts.map((sa) => [sa.clientEmail, { sa, key: createPublicKey(sa.keyPem) }]));
  let tokenUrl = "";

  const fake = await startHttpsFake({
    failurePath: (path) => path === "/token",
    respondFailure: (failure, _req, res) => {
      if (failure.kind === "status") return googleError(res, failure.status, "internal_failure", "Backend Error");
      if (failure.kind === "html") return sendHtml(res, failure.status ?? 502, "<!DOCTYPE html><html><head><title>Error 502 (Server Error)!!1</title></head><body><p><b>502.</b> That’s an error.</p></body></html>");
      if (failure.kind === "truncated") {
        res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        return res.end('{"access_token":"ya29.');
      }
      if (failure.kind === "error") return googleError(res, failure.status ?? 400, failure.error ?? "invalid_grant", failure.description ?? "Fake error.");
    },
    handler: async (req, res) => {
      if (req.method !== "POST" || req.path !== "/token") return sendJson(res, 404, { error: "not_found" });
      const f = req.form;
      if (f.grant_type !== JWT_BEARER) return googleError(res, 400, "unsupported_grant_type", "Invalid grant_type: " + (f.grant_type ?? ""));
      const assertion = f.assertion ?? "";
      let iss: unknown;
      try {
        iss = decodeJwt(assertion).iss;
      } catch {
        return googleError(res, 400, "invalid_grant", "Invalid JWT: malformed assertion.");
      }
      const entry = typeof iss === "string" ? keys.get(iss) : undefined;
      if (!entry) return googleError(res, 400, "invalid_grant", "Invalid grant: account not found");
      let claims: Record<string, unknown>;
      try {
        // No clock tolerance beyond Google's own few minutes: skew must be caught.
        claims = (await jwtVerify(assertion, entry.key, { algorithms: ["RS256"], issuer: entry.sa.clientEmail, clockTolerance: 300 })).payload as Record<string, unknown>;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") return googleError(res, 400, "invalid_grant", "Invalid JWT Signature.");
        return googleError(res, 400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
      }
      if (claims.aud !== tokenUrl) return googleError(res, 400, "invalid_grant", `Invalid JWT: audience must be ${tokenUrl}, got ${String(claims.aud)}.`);
      const iat = Number(claims.iat);
      const exp = Number(claims.exp);
      const now = Math.floor(Date.now() / 1000);
      if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp - iat > 3600 || Math.abs(iat - now) > 300) {
        return googleError(res, 400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
      }
      const scopes = String(claims.scope ?? "").split(/\s+/).filter(Boolean);
      if (scopes.length === 0) return googleError(res, 400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
      const sub = typeof claims.sub === "string" ? claims.sub : undefined;
      if (sub) {
        if (!options.users.includes(sub)) return googleError(res, 400, "invalid_grant", "Invalid email or User ID");
        if (!scopes.every((s) => entry.sa.delegatedScopes.includes(s))) {
          return googleError(res, 401, "unauthorized_client", "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.");
        }
      }
      const accessToken = await issueTestAccessToken({ iss: "https://accounts.google.com", aud: entry.sa.clientId, azp: entry.sa.clientId, sub: sub ?? entry.sa.clientId, email: sub ?? entry.sa.clientEmail, scope: scopes.join(" ") }, lifetime);
      sendJson(res, 200, { access_token: accessToken, expires_in: lifetime, token_type: "Bearer" });
    },
  });
  tokenUrl = `${fake.url}/token`;
  return {
    ...fake,
    tokenUrl,
    tokenRequests: () => fake.requests.filter((r) => r.path === "/token"),
    setTokenLifetime(seconds) {
      lifetime = seconds;
    },
  };
}
