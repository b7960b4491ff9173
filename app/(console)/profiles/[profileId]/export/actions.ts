"use server";
import { z } from "zod";
import { fromAppError, invalid, type ActionResult } from "@/lib/action-result";
import { recordActivity } from "@/lib/activity/dal";
import type { Actor } from "@/lib/auth/actor";
import { confirmPassword } from "@/lib/auth/admins";
import { requireAdmin } from "@/lib/auth/session";
import { AppError, isAppError } from "@/lib/errors";
import { TOKEN_CACHE_FORMATS } from "@/lib/export/cached-token";
import { getExportFormat } from "@/lib/export/formats";
import { exportProfile } from "@/lib/export/service";
import { EXPORT_FORMAT_IDS, type ExportCachedToken, type ExportFormatId } from "@/lib/export/types";
import { getProfile, type ProfileDto } from "@/lib/profiles/dal";
import { getTokenCacheForProfile, revealAccessToken, tokenScopeFor, type TokenCacheEntryDto } from "@/lib/tokens";
import type { SecretExportData } from "@/lib/export/results";

const idSchema = z.uuid({ message: "Unknown profile" });
const secretExportSchema = z.object({
  format: z.enum(EXPORT_FORMAT_IDS, { message: "Choose an export format" }),
  password: z.string().min(1, { message: "Enter your password to include secrets." }),
  intent: z.enum(["show", "download"]).default("show"),
});

const REFUSED: ActionResult<never> = {
  status: "error",
  code: "unauthorized",
  message: "Refused: secrets were not exported.",
  fieldErrors: { password: ["That is not your password. Secrets were not exported."] },
};

/** The profile's cache entry for its default scope, when it holds a comfortably valid access token. */
async function usableCacheEntry(admin: Actor, profile: ProfileDto): Promise<{ entry: TokenCacheEntryDto | null; note?: string }> {
  const scope = tokenScopeFor(profile.settings, "default");
  const entry = (await getTokenCacheForProfile(admin, profile.id)).find((e) => e.scope === scope);
  if (entry?.state === "valid") return { entry };
  // Exporting must never make the console ask the identity provider for a new token.
  return { entry: null, note: !entry || entry.state === "refresh-only" ? "no access token is cached for this profile (get a token on the profile page first)." : "the cached token is about to expire or has expired (get a new one first)." };
}

/**
 * The export with the cached token, for the formats that carry iMail's token cache keys. The
 * password is confirmed once here before the token is revealed (revealAccessToken checks it too and
 * logs token.reveal), so a wrong password counts once against the sign-in throttle and is logged
 * as a refused export, exactly as lib/export/service logs it.
 */
async function withCachedToken(admin: Actor, profile: ProfileDto, format: ExportFormatId, password: string): Promise<{ cachedToken: ExportCachedToken | null; info: NonNullable<SecretExportData["token"]> }> {
  const { entry, note } = await usableCacheEntry(admin, profile);
  if (!entry) return { cachedToken: null, info: { included: false, note } };
  if (!(await confirmPassword(admin, password))) {
    const label = getExportFormat(format).label;
    await recordActivity(admin, { action: "export", outcome: "failure", profileId: profile.id, profileName: profile.name, summary: `Refused to export "${profile.name}" as ${label} with secrets: password not confirmed` });
    throw new AppError("unauthorized", "Enter your password again to export secrets.", { field: "password" });
  }
  try {
    const token = await revealAccessToken(admin, profile.id, password);
    return { cachedToken: { accessToken: token.accessToken, expiresAt: token.expiresAt }, info: { included: true, expiresAt: token.expiresAt.toISOString() } };
  } catch (error) {
    if (!isAppError(error) || error.code === "unauthorized" || error.code === "rate_limited") throw error;
    return { cachedToken: null, info: { included: false, note: error.userMessage } };
  }
}

/**
 * "Include secrets": the password is re-checked (by lib/export/service, which logs the export or
 * the refusal), then the rendered content with real values is returned. This is the one action
 * allowed to return secrets: the admin asked for them and proved who they are.
 */
export async function exportWithSecretsAction(profileId: string, _prev: ActionResult<SecretExportData>, form: FormData): Promise<ActionResult<SecretExportData>> {
  const admin = await requireAdmin();
  const pid = idSchema.safeParse(profileId);
  if (!pid.success) return { status: "error", message: "Unknown profile." };
  const input = secretExportSchema.safeParse({ format: form.get("format"), password: form.get("password") ?? "", intent: form.get("intent") ?? undefined });
  if (!input.success) return invalid(input.error, "Enter your password to include secrets.");
  const { format, password, intent } = input.data;
  try {
    const profile = await getProfile(admin, pid.data);
    const token = TOKEN_CACHE_FORMATS.has(format) ? await withCachedToken(admin, profile, format, password) : null;
    const result = await exportProfile(admin, profile.id, format, { includeSecrets: true, password, cachedToken: token?.cachedToken ?? null });
    return {
      status: "success",
      message: `Exported ${result.filename} with secrets.`,
      data: {
        intent,
        filename: result.filename,
        contentType: result.contentType,
        content: result.content,
        warnings: result.warnings.map((w) => w.message),
        token: token?.info ?? null,
      },
    };
  } catch (error) {
    if (isAppError(error) && error.code === "unauthorized") return REFUSED;
    return fromAppError(error);
  }
}
