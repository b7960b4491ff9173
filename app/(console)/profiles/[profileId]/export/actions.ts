"use server";
import { z } from "zod";
import { fromAppError, invalid, type ActionResult } from "@/lib/action-result";
import type { Actor } from "@/lib/auth/actor";
import { confirmPassword } from "@/lib/auth/admins";
import { requireAdmin } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { exportProfile } from "@/lib/export/service";
import { EXPORT_FORMAT_IDS, type ExportCachedToken, type ExportFormatId } from "@/lib/export/types";
import { getProfile } from "@/lib/profiles/dal";
import { getTokenCacheForProfile, revealAccessToken, tokenScopeFor } from "@/lib/tokens";
import type { SecretExportData } from "@/components/exports/secret-export-form";

const idSchema = z.uuid({ message: "Unknown profile" });
const secretExportSchema = z.object({
  format: z.enum(EXPORT_FORMAT_IDS, { message: "Choose an export format" }),
  password: z.string().min(1, { message: "Enter your password to include secrets." }),
  intent: z.enum(["show", "download"]).default("show"),
});

/** Formats whose renderer writes iMail's token cache keys (DELEGATED_TOKEN / TOKEN, imail.oauth.token). */
const TOKEN_FORMATS: ReadonlySet<ExportFormatId> = new Set(["imail-config", "system-properties", "java-properties-list"]);

type TokenOutcome = { cachedToken: ExportCachedToken | null; info: SecretExportData["token"] };

/**
 * The cached token for iMail's cache keys, only when one is cached and still comfortably valid:
 * exporting must never make the console ask the identity provider for a new token. The reveal
 * re-checks the password itself and is logged as token.reveal.
 */
async function cachedTokenFor(admin: Actor, profileId: string, password: string): Promise<TokenOutcome> {
  const profile = await getProfile(admin, profileId);
  const scope = tokenScopeFor(profile.settings, "default");
  const entry = (await getTokenCacheForProfile(admin, profileId)).find((e) => e.scope === scope);
  if (!entry || entry.state !== "valid") {
    const note = !entry || entry.state === "refresh-only" ? "no access token is cached for this profile (use Get token now first)." : "the cached token is about to expire or has expired (get a new one first).";
    return { cachedToken: null, info: { included: false, note } };
  }
  try {
    const token = await revealAccessToken(admin, profileId, password);
    return { cachedToken: { accessToken: token.accessToken, expiresAt: token.expiresAt }, info: { included: true, expiresAt: token.expiresAt.toISOString() } };
  } catch (error) {
    if (!isAppError(error) || error.code === "unauthorized") throw error;
    return { cachedToken: null, info: { included: false, note: error.userMessage } };
  }
}

/**
 * "Include secrets": re-checks the admin's password (lib/export/service does, and logs the
 * export or the refusal), then returns the rendered content with real values. This is the one
 * action allowed to return secrets, because the admin asked for them and proved who they are.
 */
export async function exportWithSecretsAction(profileId: string, _prev: ActionResult<SecretExportData>, form: FormData): Promise<ActionResult<SecretExportData>> {
  const admin = await requireAdmin();
  const pid = idSchema.safeParse(profileId);
  if (!pid.success) return { status: "error", message: "Unknown profile." };
  const input = secretExportSchema.safeParse({ format: form.get("format"), password: form.get("password") ?? "", intent: form.get("intent") ?? undefined });
  if (!input.success) return invalid(input.error, "Enter your password to include secrets.");
  const { format, password, intent } = input.data;
  try {
    let token: TokenOutcome = { cachedToken: null, info: null };
    // A wrong password must be refused (and logged) by the export itself, before any token is touched.
    if (TOKEN_FORMATS.has(format) && (await confirmPassword(admin, password))) token = await cachedTokenFor(admin, pid.data, password);
    const result = await exportProfile(admin, pid.data, format, { includeSecrets: true, password, cachedToken: token.cachedToken });
    return {
      status: "success",
      message: `Exported ${result.filename} with secrets.`,
      data: {
        intent,
        filename: result.filename,
        contentType: result.contentType,
        content: result.content,
        warnings: result.warnings.map((w) => w.message),
        token: TOKEN_FORMATS.has(format) ? (token.info ?? { included: false }) : null,
      },
    };
  } catch (error) {
    if (isAppError(error) && error.code === "unauthorized") {
      return { status: "error", code: "unauthorized", message: "Refused: secrets were not exported.", fieldErrors: { password: ["That is not your password. Secrets were not exported."] } };
    }
    return fromAppError(error);
  }
}
