import "server-only";

/**
 * The token layer's public API (others code against this): cached access tokens with proactive
 * refresh and single-flight, invalidation after a 401/535, the cache DTOs, reveal, and the
 * authorization-code flow.
 */
export {
  getAccessToken,
  invalidateToken,
  listTokenCache,
  getTokenCacheForProfile,
  clearTokenCache,
  revealAccessToken,
  revealAccessTokenAsOperator,
  type TokenCacheEntryDto,
  type GetAccessTokenOptions,
  type RevealedToken,
} from "./service";
export { startAuthorization, completeAuthorization, authorizeWithDeviceCode, getOAuthRedirectUri, type CompleteAuthorizationInput, type DeviceCodeOptions } from "./authorization";
export { tokenScopeFor } from "./scope";
export type { CachedToken, TokenPurpose, ClaimsSummary } from "../oauth/types";
