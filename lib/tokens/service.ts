import "server-only";
import { recordActivity } from "../activity/dal";
import { confirmPassword } from "../auth/admins";
import type { Actor } from "../auth/actor";
import { AppError, isAppError, tokenFailureOf, type TokenFailureDetail } from "../errors";
import { acquireByRefreshToken } from "../oauth/authorization-code";
import { describeClaims } from "../oauth/claims";
import { redactor } from "../redact";
import type { AcquiredToken, CachedToken, ClaimsSummary, TokenPurpose } from "../oauth/types";
import { getProfile, loadProfileWithSecrets, setProfileHealth, type ProfileDto } from "../profiles/dal";
import type { ProfileSettingsOf } from "../profiles/schema";
import { getConsoleSettings } from "../settings/dal";
import { acquireForProfile, assertTokenKind, type TokenGrant } from "./acquire";
import { deleteCacheEntries, dropAccessToken, dropRefreshToken, listCacheRows, readCacheEntries, readCacheEntry, readCacheStamp, writeCacheEntry, type CacheRowWithTokens } from "./cache";
import type { ProfileSettings } from "../profiles/schema";
import { tokenScopeFor } from "./scope";

/** A cache entry as pages, the CLI and JSON show it: never a token value. */
export type TokenCacheEntryDto = {
  id: string;
  profileId: string;
  profileName: string;
  profileKind: string;
  scope: string;
  claims: ClaimsSummary;
  acquiredAt: string;
  expiresAt: string;
  /** Seconds until expiry (negative once expired); a live countdown starts from it. */
  expiresInSeconds: number;
  /** "valid": served from cache; "refresh-due": within the refresh margin; "expired"; "refresh-only": no access token, a refresh token is kept. */
  state: "valid" | "refresh-due" | "expired" | "refresh-only";
  hasRefreshToken: boolean;
  /** The grant that produced it: password, client_credentials, authorization_code, refresh_token, jwt-bearer. */
  source: string;
};

export type GetAccessTokenOptions = { purpose?: TokenPurpose; forceRefresh?: boolean };

// Single-flight: concurrent callers for the same (profile, scope) share one acquisition. On
// globalThis so a dev-server module reload does not start a second map.
const flights = ((globalThis as unknown as { __omcTokenFlights?: Map<string, Promise<CachedToken>> }).__omcTokenFlights ??= new Map());

function flightKey(profileId: string, scope: string): string {
  return `${profileId}\n${scope}`;
}

function toCachedToken(entry: CacheRowWithTokens, source: CachedToken["source"]): CachedToken {
  return { accessToken: entry.accessToken!, expiresAt: entry.expiresAt, scope: entry.scope, claims: entry.claims, acquiredAt: entry.acquiredAt, source };
}

function usable(entry: CacheRowWithTokens | null, marginMs: number): entry is CacheRowWithTokens & { accessToken: string } {
  return Boolean(entry?.accessToken) && entry!.expiresAt.getTime() - Date.now() > marginMs;
}

function minutesUntil(date: Date): number {
  return Math.round((date.getTime() - Date.now()) / 60_000);
}

function needsAuthorization(profile: ProfileDto): AppError {
  return new AppError("needs_authorization", `Profile "${profile.name}" has no refresh token: it needs authorization.`, {
    hint: "Open the profile and click Authorize to sign in to the mailbox; the console then keeps the refresh token.",
    remoteCode: "needs_authorization",
    detail: { kind: "token", invalidGrant: true, transient: false },
  });
}

// In-process hot path for cache hits: the decrypted token of a cache row, valid while the row's
// id/acquiredAt/expiresAt are unchanged, and the parsed settings of a profile per version. One
// light query (profile version + cache row stamps, no secrets) then proves both are current, so
// another process's refresh, drop or clear, or an edit of the profile, is seen at once.
type HotToken = { token: CachedToken; entryId: string; acquiredAt: number; expiresAt: number };
const hot = globalThis as unknown as { __omcHotTokens?: Map<string, HotToken>; __omcProfileMemo?: Map<string, { version: number; settings: ProfileSettings }> };
const hotTokens = (hot.__omcHotTokens ??= new Map());
const profileMemo = (hot.__omcProfileMemo ??= new Map());
async function hotCacheHit(profileId: string, purpose: TokenPurpose): Promise<CachedToken | null> {
  const memo = profileMemo.get(profileId);
  if (!memo) return null;
  const scope = tokenScopeFor(memo.settings, purpose);
  const h = hotTokens.get(flightKey(profileId, scope));
  if (!h) return null;
  const stamp = await readCacheStamp(profileId, scope);
  const row = stamp?.entry;
  if (!stamp || stamp.version !== memo.version || !row || h.entryId !== row.id || h.acquiredAt !== row.acquiredAt.getTime() || h.expiresAt !== row.expiresAt.getTime()) return null;
  const marginMs = (await getConsoleSettings()).tokenRefreshMarginMinutes * 60_000;
  if (row.expiresAt.getTime() - Date.now() <= marginMs) return null;
  return { ...h.token, source: "cache" };
}

/**
 * A valid access token for the profile: from the encrypted cache while more than the refresh
 * margin (Settings, default 5 min) remains, otherwise newly acquired — by refresh token for
 * authorization-code profiles. Concurrent calls share one IdP request. New acquisitions and
 * failures are logged (token.acquire), cache hits are not.
 * Throws AppError: not_found, unsupported (basic/log-only), invalid_input (a secret missing),
 * needs_authorization (auth-code profile without a refresh token), remote_error/timeout (decoded IdP or network failure).
 */
export async function getAccessToken(actor: Actor, profileId: string, options: GetAccessTokenOptions = {}): Promise<CachedToken> {
  if (!options.forceRefresh) {
    const fast = await hotCacheHit(profileId, options.purpose ?? "default");
    if (fast) return fast;
  }
  const profile = await getProfile(actor, profileId);
  assertTokenKind(profile.settings);
  profileMemo.set(profileId, { version: profile.version, settings: profile.settings });
  const scope = tokenScopeFor(profile.settings, options.purpose ?? "default");
  const settings = await getConsoleSettings();
  const marginMs = settings.tokenRefreshMarginMinutes * 60_000;
  if (!options.forceRefresh) {
    const entry = await readCacheEntry(profileId, scope);
    if (usable(entry, marginMs)) {
      const token = toCachedToken(entry, "cache");
      hotTokens.set(flightKey(profileId, scope), { token, entryId: entry.id, acquiredAt: entry.acquiredAt.getTime(), expiresAt: entry.expiresAt.getTime() });
      return token;
    }
  }
  const key = flightKey(profileId, scope);
  const running = flights.get(key);
  if (running) return running;
  const flight = acquireAndStore(actor, profileId, scope, { forceRefresh: Boolean(options.forceRefresh), marginMs, timeoutMs: settings.httpTimeoutSeconds * 1000 }).finally(() => flights.delete(key));
  flights.set(key, flight);
  return flight;
}

async function acquireAndStore(actor: Actor, profileId: string, scope: string, opts: { forceRefresh: boolean; marginMs: number; timeoutMs: number }): Promise<CachedToken> {
  const entry = await readCacheEntry(profileId, scope);
  // Another caller (or process) may have refreshed while this one waited for its turn.
  if (!opts.forceRefresh && usable(entry, opts.marginMs)) return toCachedToken(entry, "cache");

  const started = Date.now();
  const { profile, secrets } = await loadProfileWithSecrets(actor, profileId);
  const secretValues = [...Object.values(secrets), entry?.refreshToken, entry?.accessToken];
  // Activity text is built from claims and profile facts only; this scrubs anything secret-shaped that slipped into IdP text.
  const scrub = redactor(secretValues);
  try {
    let token: AcquiredToken;
    let grant: TokenGrant;
    let refreshToken: string | undefined;
    if (profile.settings.kind === "m365-auth-code") {
      const s = profile.settings as ProfileSettingsOf<"m365-auth-code">;
      if (!entry?.refreshToken) throw needsAuthorization(profile);
      token = await acquireByRefreshToken({ tokenUrl: s.tokenUrl, tenantId: s.tenantId, clientId: s.clientId, clientSecret: secrets.clientSecret, scope, refreshToken: entry.refreshToken, timeoutMs: opts.timeoutMs });
      grant = "refresh_token";
      // A rotated refresh token replaces the old one; without rotation the old one stays valid.
      refreshToken = token.refreshToken ?? entry.refreshToken;
    } else {
      ({ token, grant } = await acquireForProfile(profile.settings, secrets, scope, opts.timeoutMs));
      refreshToken = undefined;
    }
    const acquiredAt = new Date();
    // An already-expired token is useless and must not replace a valid cached one — but a
    // rotated refresh token is saved all the same: the IdP has revoked the old one.
    if (token.expiresAt.getTime() <= acquiredAt.getTime() + 5_000) {
      if (entry && token.refreshToken && token.refreshToken !== entry.refreshToken) {
        await writeCacheEntry({ profileId, scope, accessToken: entry.accessToken, refreshToken: token.refreshToken, claims: entry.claims, acquiredAt: entry.acquiredAt, expiresAt: entry.expiresAt, source: entry.source });
      }
      throw new AppError("remote_error", `The identity provider returned a token that is already expired (expires ${token.expiresAt.toISOString()}, now ${acquiredAt.toISOString()}).`, {
        hint: "Check this server's clock (and the identity provider's): a large clock skew makes fresh tokens look expired. The cached token was kept.",
        remoteCode: "expired_token_issued",
      });
    }
    await writeCacheEntry({ profileId, scope, accessToken: token.accessToken, refreshToken, claims: token.claims, acquiredAt, expiresAt: token.expiresAt, source: grant });
    const durationMs = Date.now() - started;
    await recordActivity(actor, {
      action: "token.acquire",
      outcome: "success",
      profileId,
      profileName: profile.name,
      durationMs,
      summary: `Token acquired for "${profile.name}" (${grant}${grant === "refresh_token" && token.refreshToken ? ", refresh token rotated" : ""}): ${describeClaims(token.claims) || scope}; expires ${token.expiresAt.toISOString()} (in ${minutesUntil(token.expiresAt)} min)`,
      detail: redactor(secretValues.concat(token.accessToken, token.refreshToken))(token.transcript?.join("\n")),
    });
    // A token proves the token side works: it clears what a token check set, not a failed send or IMAP test.
    const h = profile.health;
    if (h.state !== "ok" && (h.state !== "failing" || h.check === "token")) {
      await setProfileHealth(actor, profileId, { state: "ok", check: "token", detail: "Token acquired" });
    }
    return { accessToken: token.accessToken, expiresAt: token.expiresAt, scope, claims: token.claims, acquiredAt, source: "new", transcript: token.transcript };
  } catch (error) {
    const durationMs = Date.now() - started;
    if (!isAppError(error)) {
      await recordActivity(actor, { action: "token.acquire", outcome: "failure", profileId, profileName: profile.name, durationMs, summary: `Token request for "${profile.name}" failed unexpectedly`, errorCode: "internal" });
      throw error;
    }
    const flags: TokenFailureDetail = tokenFailureOf(error) ?? { kind: "token", transient: false, invalidGrant: false };
    const authCode = profile.settings.kind === "m365-auth-code";
    if (authCode && flags.invalidGrant) {
      // The IdP said the refresh token is dead (not a transient outage): forget it and ask for re-authorization.
      if (entry?.refreshToken) await dropRefreshToken(entry);
      await setProfileHealth(actor, profileId, { state: "needs-reauth", check: "token", detail: `Token: ${error.userMessage}` });
    } else if (!flags.transient) {
      // A configuration error (bad secret, missing consent…) marks the profile failing; the cache
      // and any refresh token stay untouched either way.
      await setProfileHealth(actor, profileId, { state: "failing", check: "token", detail: `Token: ${error.userMessage}` });
    }
    // A transient fault (IdP down, 5xx, 429, timeout) says nothing about the profile: its health stays as it was.
    await recordActivity(actor, {
      action: "token.acquire",
      outcome: "failure",
      profileId,
      profileName: profile.name,
      durationMs,
      summary: scrub(`Token request for "${profile.name}" failed: ${error.userMessage}`),
      errorCode: error.remoteCode ?? error.code,
      hint: scrub(error.hint),
      remoteReply: scrub([flags.remoteReply, flags.correlationId ? `correlation ID ${flags.correlationId}` : undefined].filter(Boolean).join(" — ") || undefined),
      detail: scrub(flags.transcript?.join("\n")),
    });
    throw error;
  }
}

/**
 * Drops the cached access token (the refresh token stays) so the next getAccessToken asks the
 * IdP: called when SMTP/IMAP/Graph rejects a token (535 / 401). With `rejectedAccessToken`, only
 * that token is dropped — a token another caller already renewed is left alone, so 100 senders
 * hitting 535 at once cause one renewal, not a hundred.
 */
export async function invalidateToken(actor: Actor, profileId: string, purpose?: TokenPurpose, rejectedAccessToken?: string): Promise<void> {
  const profile = await getProfile(actor, profileId);
  const entries = purpose ? [await readCacheEntry(profileId, tokenScopeFor(profile.settings, purpose))].filter((e): e is CacheRowWithTokens => e !== null) : await readCacheEntries(profileId);
  let dropped = 0;
  for (const entry of entries) {
    if (!entry.accessToken || (rejectedAccessToken && entry.accessToken !== rejectedAccessToken)) continue;
    await dropAccessToken(entry);
    dropped++;
  }
  if (dropped) {
    await recordActivity(actor, { action: "token.invalidate", outcome: "info", profileId, profileName: profile.name, summary: `Cached access token of "${profile.name}" dropped after the server rejected it; the next use gets a new one` });
  }
}

function toDto(row: Awaited<ReturnType<typeof listCacheRows>>[number], marginMs: number): TokenCacheEntryDto {
  const left = row.expiresAt.getTime() - Date.now();
  const hasAccess = row.expiresAt.getTime() > 0;
  return {
    id: row.id,
    profileId: row.profileId,
    profileName: row.profileName,
    profileKind: row.profileKind,
    scope: row.scope,
    claims: row.claims,
    acquiredAt: row.acquiredAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    expiresInSeconds: Math.floor(left / 1000),
    state: !hasAccess && row.hasRefreshToken ? "refresh-only" : left <= 0 ? "expired" : left <= marginMs ? "refresh-due" : "valid",
    hasRefreshToken: row.hasRefreshToken,
    source: row.source,
  };
}

/** Every cache entry of every profile (Token cache page), soonest expiry first. */
export async function listTokenCache(_actor: Actor): Promise<TokenCacheEntryDto[]> {
  const marginMs = (await getConsoleSettings()).tokenRefreshMarginMinutes * 60_000;
  return (await listCacheRows()).map((r) => toDto(r, marginMs));
}

/** The cache entries of one profile (its token panel). Empty when none. */
export async function getTokenCacheForProfile(actor: Actor, profileId: string): Promise<TokenCacheEntryDto[]> {
  await getProfile(actor, profileId);
  const marginMs = (await getConsoleSettings()).tokenRefreshMarginMinutes * 60_000;
  return (await listCacheRows(profileId)).map((r) => toDto(r, marginMs));
}

/**
 * Deletes every cached token of the profile, refresh tokens included ("Clear"). An
 * authorization-code profile then needs Authorize again. Returns how many entries went.
 */
export async function clearTokenCache(actor: Actor, profileId: string): Promise<{ cleared: number }> {
  const profile = await getProfile(actor, profileId);
  const cleared = await deleteCacheEntries(profileId);
  if (profile.kind === "m365-auth-code" && cleared > 0) await setProfileHealth(actor, profileId, { state: "needs-reauth", check: "token-cache", detail: "Token cache cleared: authorize again" });
  await recordActivity(actor, { action: "token.clear", outcome: "info", profileId, profileName: profile.name, summary: `Cleared ${cleared} cached token ${cleared === 1 ? "entry" : "entries"} of "${profile.name}"` });
  return { cleared };
}

export type RevealedToken = { accessToken: string; expiresAt: Date; scope: string; claims: ClaimsSummary };

/**
 * The raw access token, after re-checking the admin's password. Logged as token.reveal (success
 * and refusal). Never reveals the refresh token. Throws AppError(unauthorized, field password).
 */
export async function revealAccessToken(actor: Actor, profileId: string, password: string): Promise<RevealedToken> {
  const profile = await getProfile(actor, profileId);
  if (!(await confirmPassword(actor, password))) {
    await recordActivity(actor, { action: "token.reveal", outcome: "failure", profileId, profileName: profile.name, summary: `Refused to reveal the access token of "${profile.name}": wrong password` });
    throw new AppError("unauthorized", "Password is wrong; the token was not revealed.", { field: "password" });
  }
  return revealAfterCheck(actor, profile);
}

/**
 * The CLI's --reveal: the local operator already has the install directory (and so the master
 * key); there is no admin password to re-check. Refused for web actors. Logged as token.reveal.
 */
export async function revealAccessTokenAsOperator(actor: Actor, profileId: string): Promise<RevealedToken> {
  if (actor.via !== "cli") throw new AppError("forbidden", "Revealing a token without the password is only possible from the local CLI.");
  return revealAfterCheck(actor, await getProfile(actor, profileId));
}

async function revealAfterCheck(actor: Actor, profile: ProfileDto): Promise<RevealedToken> {
  const token = await getAccessToken(actor, profile.id);
  await recordActivity(actor, { action: "token.reveal", outcome: "info", profileId: profile.id, profileName: profile.name, summary: `Access token of "${profile.name}" revealed to ${actor.username} (${actor.via}); expires ${token.expiresAt.toISOString()}` });
  return { accessToken: token.accessToken, expiresAt: token.expiresAt, scope: token.scope, claims: token.claims };
}
