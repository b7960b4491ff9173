import { decodeJwt } from "jose";
import type { ClaimsSummary } from "./types";

function str(v: unknown): string | undefined {
  return typeof v === "string" && v ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/**
 * The non-secret facts of an access token, decoded WITHOUT verifying the signature: the console
 * is the token's holder, not its audience, and only displays these claims. Opaque tokens (not a
 * JWT, as some generic IdPs issue) give `decoded: false` plus what the token response said.
 */
export function summarizeClaims(accessToken: string, fromResponse: { scope?: string; expiresAt?: Date } = {}): ClaimsSummary {
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(accessToken) as Record<string, unknown>;
  } catch {
    return {
      decoded: false,
      scp: fromResponse.scope || undefined,
      exp: fromResponse.expiresAt ? Math.floor(fromResponse.expiresAt.getTime() / 1000) : undefined,
    };
  }
  const aud = Array.isArray(payload.aud) ? payload.aud.filter((a): a is string => typeof a === "string").join(" ") : str(payload.aud);
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : undefined;
  return {
    decoded: true,
    aud,
    tid: str(payload.tid),
    appid: str(payload.appid),
    azp: str(payload.azp),
    roles: roles && roles.length ? roles : undefined,
    // Google puts granted scopes in `scope`; Entra in `scp`.
    scp: str(payload.scp) ?? str(payload.scope),
    upn: str(payload.upn) ?? str(payload.preferred_username) ?? str(payload.unique_name),
    email: str(payload.email),
    sub: str(payload.sub),
    iss: str(payload.iss),
    exp: num(payload.exp),
    iat: num(payload.iat),
  };
}

/** One line for lists and logs: who the token is for, and what it allows. */
export function describeClaims(claims: ClaimsSummary): string {
  const parts: string[] = [];
  if (claims.aud) parts.push(`aud ${claims.aud}`);
  const who = claims.upn ?? claims.email ?? claims.sub;
  if (who) parts.push(`for ${who}`);
  if (claims.roles?.length) parts.push(`roles ${claims.roles.join(" ")}`);
  if (claims.scp) parts.push(`scp ${claims.scp}`);
  if (!claims.decoded) parts.push("opaque token");
  return parts.join(", ");
}
