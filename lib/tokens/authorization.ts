import "server-only";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { openSecret, sealSecret } from "../crypto/keyring";
import { getDb } from "../db/client";
import { getEnv } from "../env";
import { AppError, isAppError, tokenFailureOf, type TokenFailureDetail } from "../errors";
import { buildAuthorizeUrl, createPkcePair, createState, exchangeAuthorizationCode } from "../oauth/authorization-code";
import { describeClaims } from "../oauth/claims";
import { pollDeviceCode, startDeviceCode, type DeviceCodePrompt, type PollOptions } from "../oauth/device-code";
import { decodeIdpError, toTokenAppError } from "../oauth/errors";
import { getProfile, loadProfileWithSecrets, setProfileHealth } from "../profiles/dal";
import type { ProfileSettingsOf } from "../profiles/schema";
import type { AcquiredToken } from "../oauth/types";
import { getConsoleSettings } from "../settings/dal";
import { writeCacheEntry } from "./cache";
import { tokenScopeFor } from "./scope";
import { redactor } from "../redact";

/** How long an "Authorize" click stays redeemable. */
const STATE_TTL_MS = 10 * 60_000;

/** The callback URL to register in Azure (App registration → Authentication → Web). */
export function getOAuthRedirectUri(): string {
  return `${getEnv().publicUrl}/api/oauth/callback`;
}

function authCodeSettings(settings: { kind: string }): ProfileSettingsOf<"m365-auth-code"> {
  if (settings.kind !== "m365-auth-code") {
    throw new AppError("unsupported", "Only authorization-code profiles are authorized in the browser.", { hint: "Other kinds get their tokens from stored credentials: use \"Get token now\"." });
  }
  return settings as ProfileSettingsOf<"m365-auth-code">;
}

/**
 * Starts the authorization-code flow: stores a one-time state bound to this admin (PKCE
 * verifier encrypted, AAD = state, 10 minutes) and returns the provider's authorize URL.
 * Throws AppError(unsupported) for other kinds, not_found for an unknown profile.
 */
export async function startAuthorization(actor: Actor, profileId: string): Promise<{ url: string }> {
  const profile = await getProfile(actor, profileId);
  const settings = authCodeSettings(profile.settings);
  const state = createState();
  const pkce = createPkcePair();
  const redirectUri = getOAuthRedirectUri();
  const db = getDb();
  // Expired states are useless; sweeping them here keeps the table small without a job.
  await db.oAuthState.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  await db.oAuthState.create({
    data: { state, profileId, adminId: actor.id, codeVerifier: await sealSecret(pkce.verifier, state), redirectUri, expiresAt: new Date(Date.now() + STATE_TTL_MS) },
  });
  const url = await buildAuthorizeUrl({ tokenUrl: settings.tokenUrl, tenantId: settings.tenantId, clientId: settings.clientId, scope: tokenScopeFor(settings, "default"), redirectUri, state, codeChallenge: pkce.challenge, loginHint: settings.mailbox });
  await recordActivity(actor, { action: "oauth.authorize", outcome: "info", profileId, profileName: profile.name, summary: `Authorization started for "${profile.name}" (redirect URI ${redirectUri})` });
  return { url };
}

/**
 * Stores what an authorization returned, the same for the browser and the device code: the
 * access and refresh token encrypted in the cache, status ok, and the success entry. Throws
 * AppError when Entra sent no refresh token (offline_access missing). Returns the claims summary.
 */
async function storeAuthorizedToken(actor: Actor, profile: { id: string; name: string }, scope: string, token: AcquiredToken, how: { started: number; source: "authorization_code" | "device_code" }): Promise<string> {
  if (!token.refreshToken) {
    throw new AppError("remote_error", "Entra ID returned no refresh token.", { hint: "Add offline_access to the profile's scope and authorize again." });
  }
  const acquiredAt = new Date();
  await writeCacheEntry({ profileId: profile.id, scope, accessToken: token.accessToken, refreshToken: token.refreshToken, claims: token.claims, acquiredAt, expiresAt: token.expiresAt, source: how.source });
  await setProfileHealth(actor, profile.id, { state: "ok", check: "authorization", detail: how.source === "device_code" ? "Authorized with a device code" : "Authorized" });
  const claims = describeClaims(token.claims);
  await recordActivity(actor, {
    action: "oauth.authorize",
    outcome: "success",
    profileId: profile.id,
    profileName: profile.name,
    durationMs: Date.now() - how.started,
    summary: `Authorized "${profile.name}"${how.source === "device_code" ? " with a device code" : ""}: ${claims}; refresh token stored encrypted`,
    // Scrubbed with the tokens just received (and anything secret-shaped) like every token-path text.
    detail: redactor([token.accessToken, token.refreshToken])(token.transcript?.join("\n")),
  });
  return claims;
}

export type CompleteAuthorizationInput = { state: string; code?: string | null; error?: string | null; errorDescription?: string | null };

/**
 * Finishes the flow from the callback: the state is consumed (one use), must be unexpired and
 * started by the same admin; the code is exchanged with the PKCE verifier and the access and
 * refresh tokens are stored encrypted. Throws AppError; when the profile is known,
 * `error.profileId` says where to send the admin back to.
 */
export async function completeAuthorization(actor: Actor, input: CompleteAuthorizationInput): Promise<{ profileId: string }> {
  const db = getDb();
  const row = input.state ? await db.oAuthState.findUnique({ where: { state: input.state } }) : null;
  // deleteMany is the atomic "consume": of two concurrent callbacks only one sees count 1.
  const consumed = row ? (await db.oAuthState.deleteMany({ where: { state: row.state } })).count === 1 : false;
  if (!row || !consumed) {
    throw new AppError("invalid_input", "This authorization link is unknown or was already used.", { hint: "Start again with Authorize on the profile page." });
  }
  const profileId = row.profileId;
  // Every text of a failure goes through the one redactor with all secrets of this flow: the
  // code, the profile's secrets, the PKCE verifier (an IdP may echo them in error_description).
  const known: (string | undefined | null)[] = [input.code, input.state];
  const scrub = (text: string | undefined): string | undefined => (text === undefined ? undefined : redactor(known)(text));
  const fail = async (error: AppError): Promise<never> => {
    const flags: Partial<TokenFailureDetail> = tokenFailureOf(error) ?? {};
    const message = scrub(error.userMessage)!;
    const hint = scrub(error.hint);
    await recordActivity(actor, {
      action: "oauth.authorize",
      outcome: "failure",
      profileId,
      summary: `Authorization failed: ${message}`,
      errorCode: error.remoteCode ?? error.code,
      hint,
      remoteReply: scrub(flags.remoteReply),
      detail: scrub(flags.transcript?.join("\n")),
    });
    const detail = error.detail?.kind === "token" ? { ...error.detail, remoteReply: scrub(error.detail.remoteReply), transcript: error.detail.transcript?.map((l) => scrub(l)!) } : error.detail;
    throw new AppError(error.code, message, { hint, field: error.field, remoteCode: error.remoteCode, detail, profileId });
  };
  if (row.adminId !== actor.id) return fail(new AppError("forbidden", "This authorization was started by another admin.", { hint: "Click Authorize yourself, signed in as the admin who completes it." }));
  if (row.expiresAt.getTime() < Date.now()) return fail(new AppError("invalid_input", "This authorization link expired (10 minutes).", { hint: "Click Authorize again and finish signing in within 10 minutes." }));
  const loaded = await loadProfileWithSecrets(actor, profileId).catch(() => null);
  known.push(...Object.values(loaded?.secrets ?? {}).filter((v): v is string => typeof v === "string"));
  if (input.error) {
    const decoded = decodeIdpError({ error: input.error, description: input.errorDescription ?? undefined }, { provider: "microsoft", redirectUri: row.redirectUri });
    return fail(toTokenAppError({ ...decoded, description: input.errorDescription ?? undefined }, { provider: "microsoft", redirectUri: row.redirectUri }));
  }
  if (!input.code) return fail(new AppError("invalid_input", "The provider returned neither a code nor an error.", { hint: "Click Authorize again." }));

  const started = Date.now();
  const { profile, secrets } = loaded ?? (await loadProfileWithSecrets(actor, profileId));
  const codeVerifier = await openSecret(row.codeVerifier, row.state);
  known.push(codeVerifier);
  const settings = authCodeSettings(profile.settings);
  const scope = tokenScopeFor(settings, "default");
  const timeoutMs = (await getConsoleSettings()).httpTimeoutSeconds * 1000;
  try {
    const token = await exchangeAuthorizationCode({
      tokenUrl: settings.tokenUrl,
      tenantId: settings.tenantId,
      clientId: settings.clientId,
      clientSecret: secrets.clientSecret,
      scope,
      code: input.code,
      codeVerifier,
      redirectUri: row.redirectUri,
      timeoutMs,
    });
    await storeAuthorizedToken(actor, profile, scope, token, { started, source: "authorization_code" });
    return { profileId };
  } catch (error) {
    if (isAppError(error)) return fail(error);
    throw error;
  }
}

export type DeviceCodeOptions = {
  /** Shows the user code and URL (the CLI prints them). Never receives the device code. */
  onPrompt: (prompt: DeviceCodePrompt) => void;
} & PollOptions;

/**
 * The CLI twin of "Authorize" for headless servers: the device code flow. Entra gives a user
 * code and a URL, `onPrompt` shows them, the token endpoint is polled at Entra's interval, and the
 * access and refresh tokens are stored encrypted exactly as the browser flow stores them (same
 * cache entry, status and activity entry "oauth.authorize"). Throws AppError (declined, expired,
 * Entra's decoded refusal), logged as a failure.
 */
export async function authorizeWithDeviceCode(actor: Actor, profileId: string, options: DeviceCodeOptions): Promise<{ profileId: string; claims: string; expiresAt: Date }> {
  const { profile, secrets } = await loadProfileWithSecrets(actor, profileId);
  const settings = authCodeSettings(profile.settings);
  const scope = tokenScopeFor(settings, "default");
  const timeoutMs = (await getConsoleSettings()).httpTimeoutSeconds * 1000;
  const client = { tokenUrl: settings.tokenUrl, tenantId: settings.tenantId, clientId: settings.clientId, clientSecret: secrets.clientSecret, scope, timeoutMs };
  const started = Date.now();
  try {
    const { session } = await startDeviceCode(client);
    const { deviceCode: _secret, ...prompt } = session;
    void _secret;
    options.onPrompt(prompt);
    await recordActivity(actor, { action: "oauth.authorize", outcome: "info", profileId, profileName: profile.name, summary: `Device code sign-in started for "${profile.name}" (code ${session.userCode} at ${session.verificationUri}, expires ${session.expiresAt.toISOString()})` });
    const token = await pollDeviceCode(client, session, options);
    const claims = await storeAuthorizedToken(actor, profile, scope, token, { started, source: "device_code" });
    return { profileId, claims, expiresAt: token.expiresAt };
  } catch (error) {
    if (!isAppError(error)) throw error;
    const flags: Partial<TokenFailureDetail> = tokenFailureOf(error) ?? {};
    await recordActivity(actor, {
      action: "oauth.authorize",
      outcome: "failure",
      profileId,
      profileName: profile.name,
      durationMs: Date.now() - started,
      summary: `Device code authorization failed: ${error.userMessage}`,
      errorCode: error.remoteCode ?? error.code,
      hint: error.hint,
      remoteReply: flags.remoteReply,
      detail: flags.transcript?.join("\n"),
    });
    throw error;
  }
}
