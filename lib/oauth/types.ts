/**
 * Shared shapes of the token layer. Leaves (lib/oauth grants) return AcquiredToken; the token
 * cache (lib/tokens) stores it encrypted and hands callers a CachedToken.
 */

/** Non-secret facts decoded from an access token (JWT) or the token response. */
export type ClaimsSummary = {
  aud?: string;
  tid?: string;
  appid?: string;
  azp?: string;
  roles?: string[];
  scp?: string;
  upn?: string;
  email?: string;
  sub?: string;
  iss?: string;
  exp?: number;
  iat?: number;
  /** False when the token is opaque (not a JWT): only expires_in / scope from the response are known. */
  decoded: boolean;
};

/** What a grant module returns. accessToken/refreshToken are secrets. */
export type AcquiredToken = {
  accessToken: string;
  refreshToken?: string;
  expiresAt: Date;
  scope: string;
  claims: ClaimsSummary;
  /** Redacted lines of the HTTP exchange, for the activity transcript. */
  transcript?: string[];
};

/** What the token cache hands to senders. */
export type CachedToken = AcquiredToken & { acquiredAt: Date; source: "cache" | "new" };

/** Which use a token is for; selects the scope for kinds that hold several (auth code: SMTP and IMAP). */
export type TokenPurpose = "smtp" | "imap" | "graph" | "default";
