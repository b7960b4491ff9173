import type { ClaimsSummary } from "../oauth/types";

/**
 * What the token actions return to the browser (types only, so client components may import
 * them). Never a token value, except RevealResultData after the admin's password was re-checked.
 */

/** What "Get token now" reports: facts about the token, never the token. */
export type AcquireResultData = { source: "cache" | "new"; scope: string; acquiredAt: string; expiresAt: string; claims: ClaimsSummary };
export type RevealResultData = { accessToken: string; expiresAt: string; scope: string };
