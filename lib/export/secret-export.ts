import "server-only";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { confirmPassword } from "../auth/admins";
import { AppError, isAppError } from "../errors";
import type { ProfileDto } from "../profiles/dal";
import { getProfile } from "../profiles/dal";
import { getTokenCacheForProfile, revealAccessToken, revealAccessTokenAsOperator, tokenScopeFor, type RevealedToken, type TokenCacheEntryDto } from "../tokens";
import { TOKEN_CACHE_FORMATS } from "./cached-token";
import { getExportFormat, type ExportFormat } from "./formats";
import type { SecretExportData } from "./results";
import { exportProfile, type ProfileExport } from "./service";

/**
 * "Export with secrets", the one path the console's export page and `cli export
 * --include-secrets` share, so both write the same bytes: real secret values and, for the formats
 * that carry iMail's token cache keys, the cached access token when a comfortably valid one is
 * cached. Exporting never makes the console ask the identity provider for a new token.
 */

export type CachedTokenNote = NonNullable<SecretExportData["token"]>;
export type SecretProfileExport = ProfileExport & { token: CachedTokenNote | null };

/** The profile's cache entry for its default scope, when it holds a comfortably valid access token. */
async function usableCacheEntry(actor: Actor, profile: ProfileDto): Promise<{ entry: TokenCacheEntryDto | null; note?: string }> {
  const scope = tokenScopeFor(profile.settings, "default");
  const entry = (await getTokenCacheForProfile(actor, profile.id)).find((e) => e.scope === scope);
  if (entry?.state === "valid") return { entry };
  return { entry: null, note: !entry || entry.state === "refresh-only" ? "no access token is cached for this profile (get a token on the profile page first)." : "the cached token is about to expire or has expired (get a new one first)." };
}

/**
 * The cached token for iMail's cache keys. A web admin's password is confirmed once here before
 * the token is revealed (revealAccessToken checks it too and logs token.reveal), so a wrong
 * password counts once against the sign-in throttle and is logged as a refused export, exactly as
 * exportProfile logs it. The CLI operator already holds the master key: no password.
 */
export async function cachedTokenFor(actor: Actor, profile: ProfileDto, format: ExportFormat, password: string | undefined): Promise<{ token: RevealedToken | null; note: CachedTokenNote }> {
  const { entry, note } = await usableCacheEntry(actor, profile);
  if (!entry) return { token: null, note: { included: false, note } };
  if (actor.via !== "cli" && !(password && (await confirmPassword(actor, password)))) {
    await recordActivity(actor, { action: "export", outcome: "failure", profileId: profile.id, profileName: profile.name, summary: `Refused to export "${profile.name}" as ${format.label} with secrets: password not confirmed` });
    throw new AppError("unauthorized", "Enter your password again to export secrets.", { field: "password" });
  }
  try {
    const token = actor.via === "cli" ? await revealAccessTokenAsOperator(actor, profile.id) : await revealAccessToken(actor, profile.id, password!);
    return { token, note: { included: true, expiresAt: token.expiresAt.toISOString() } };
  } catch (error) {
    if (!isAppError(error) || error.code === "unauthorized" || error.code === "rate_limited") throw error;
    return { token: null, note: { included: false, note: error.userMessage } };
  }
}

/**
 * Renders one export with real secrets (and the cached token where the format has its keys).
 * `password` is the web admin's, re-checked (ignored for the CLI). Logged as an "export" activity
 * WITH secrets. Throws AppError: invalid_input (unknown format), unsupported (format not for the
 * kind), unauthorized (wrong password, field "password"), not_found.
 */
export async function exportProfileWithSecrets(actor: Actor, profileId: string, format: string, options: { password?: string; now?: Date } = {}): Promise<SecretProfileExport> {
  const f = getExportFormat(format);
  const profile = await getProfile(actor, profileId);
  const cached = TOKEN_CACHE_FORMATS.has(f.id) && f.kinds.includes(profile.kind) ? await cachedTokenFor(actor, profile, f, options.password) : null;
  const result = await exportProfile(actor, profile.id, f.id, {
    includeSecrets: true,
    password: options.password,
    cachedToken: cached?.token ? { accessToken: cached.token.accessToken, expiresAt: cached.token.expiresAt } : null,
    now: options.now,
  });
  return { ...result, token: cached?.note ?? null };
}
