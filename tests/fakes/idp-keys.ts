import { generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { SignJWT, exportJWK, jwtVerify, type JWTPayload } from "jose";

/**
 * The signing key of the test identity providers. Access tokens issued by the fake Entra and the
 * fake Google endpoints are RS256 JWTs signed with it, so the SMTP/IMAP/Graph test peers can
 * verify them exactly as Exchange would (signature, audience, expiry, roles/scp).
 * One key per process; peers in the same process verify with verifyTestAccessToken, Dovecot
 * gets publicKeyPem / jwk.
 */
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
export const TEST_IDP_KID = "omc-test-idp-key";

export const testIdpKeys: { privateKey: KeyObject; publicKey: KeyObject; publicKeyPem: string } = {
  privateKey,
  publicKey,
  publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
};

export async function testIdpJwk() {
  return { ...(await exportJWK(publicKey)), kid: TEST_IDP_KID, alg: "RS256", use: "sig" };
}

/** Issues an access token; `lifetimeSeconds` may be negative for an already expired token. */
export async function issueTestAccessToken(claims: JWTPayload & { scope?: string; scp?: string; roles?: string[] }, lifetimeSeconds = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: TEST_IDP_KID })
    .setIssuedAt(now)
    .setNotBefore(now - 60)
    .setExpirationTime(now + lifetimeSeconds)
    .setJti(randomUUID())
    .sign(privateKey);
}

/** Verifies a token issued above; throws when the signature, expiry or audience is wrong. */
export async function verifyTestAccessToken(token: string, audience?: string | string[]): Promise<JWTPayload & Record<string, unknown>> {
  const { payload } = await jwtVerify(token, publicKey, { algorithms: ["RS256"], audience });
  return payload as JWTPayload & Record<string, unknown>;
}
