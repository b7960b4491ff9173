import "server-only";
import { recordActivity } from "../activity/dal";
import { confirmPassword } from "../auth/admins";
import type { Actor } from "../auth/actor";
import { AppError, isAppError } from "../errors";
import { createProfile, getProfile, loadProfileWithSecrets, type ProfileDto } from "../profiles/dal";
import { KIND_LABELS, type ProfileSecrets } from "../profiles/schema";
import { getExportFormat } from "./formats";
import { parseImport } from "./import";
import type { ExportCachedToken, ExportFormatId, ExportResult, ImportFormatId, ImportWarning } from "./types";

export type ExportOptions = {
  /** Real secret values instead of placeholders; needs the admin password again (web). */
  includeSecrets: boolean;
  /** The acting admin's password, re-checked when secrets are included (not asked of the CLI). */
  password?: string;
  /**
   * The cached token to write into iMail's cache keys (only with includeSecrets). The token cache
   * (lib/tokens) belongs to another module: the caller passes its entry here.
   */
  cachedToken?: ExportCachedToken | null;
  /** Log the export even without secrets (downloads); previews are not logged. */
  logActivity?: boolean;
  now?: Date;
};

export type ProfileExport = ExportResult & { format: ExportFormatId; includedSecrets: boolean; profileName: string };

/**
 * Renders one export of a stored profile. With `includeSecrets`, re-checks the admin's password
 * (except for the CLI, whose operator already holds the master key) and writes an "export"
 * activity entry saying secrets were included. Throws AppError: invalid_input (unknown format),
 * unsupported (format not available for the kind), unauthorized (wrong password), not_found.
 */
export async function exportProfile(actor: Actor, profileId: string, format: string, options: ExportOptions): Promise<ProfileExport> {
  const f = getExportFormat(format);
  let profile: ProfileDto;
  let secrets: ProfileSecrets | undefined;
  if (options.includeSecrets) {
    if (actor.via !== "cli") {
      const ok = options.password ? await confirmPassword(actor, options.password) : false;
      if (!ok) {
        const p = await getProfile(actor, profileId);
        await recordActivity(actor, { action: "export", outcome: "failure", profileId, profileName: p.name, summary: `Refused to export "${p.name}" as ${f.label} with secrets: password not confirmed` });
        throw new AppError("unauthorized", "Enter your password again to export secrets.", { field: "password" });
      }
    }
    ({ profile, secrets } = await loadProfileWithSecrets(actor, profileId));
  } else {
    profile = await getProfile(actor, profileId);
  }
  if (!f.kinds.includes(profile.kind)) {
    throw new AppError("unsupported", `${f.label} is not available for ${KIND_LABELS[profile.kind]} profiles.`, { field: "format" });
  }
  const result = f.render({
    settings: profile.settings,
    secrets,
    cachedToken: options.includeSecrets && options.cachedToken ? options.cachedToken : undefined,
    now: options.now ?? new Date(),
  });
  if (options.includeSecrets || options.logActivity) {
    await recordActivity(actor, {
      action: "export",
      outcome: "success",
      profileId: profile.id,
      profileName: profile.name,
      summary: `Exported "${profile.name}" as ${f.label} (${result.filename}) ${options.includeSecrets ? "WITH secrets" : "without secrets (placeholders)"}`,
    });
  }
  return { ...result, format: f.id, includedSecrets: options.includeSecrets, profileName: profile.name };
}

export type ImportRequest = {
  text: string;
  /** Detected from the content when absent. */
  format?: ImportFormatId;
  name?: string;
  /** `--set field=value` / form overrides; `secrets.<name>` sets a secret. */
  overrides?: Record<string, string>;
};

export type ImportedProfile = ProfileDto & { importFormat: ImportFormatId; importWarnings: ImportWarning[] };

/**
 * Imports a file as a new profile. Everything is validated before createProfile, so a failure
 * leaves nothing behind. Records an "import" activity either way. Throws AppError(invalid_input)
 * naming the line/field, or AppError(conflict) when the name is taken.
 */
export async function importProfile(actor: Actor, request: ImportRequest): Promise<ImportedProfile> {
  let parsed;
  try {
    parsed = parseImport(request.text, { format: request.format, name: request.name, overrides: request.overrides });
  } catch (error) {
    if (isAppError(error)) {
      await recordActivity(actor, { action: "import", outcome: "failure", summary: `Import${request.format ? ` (${request.format})` : ""} refused: ${error.userMessage}`, errorCode: error.code });
    }
    throw error;
  }
  let created: ProfileDto;
  try {
    created = await createProfile(actor, parsed.input);
  } catch (error) {
    if (isAppError(error)) {
      await recordActivity(actor, { action: "import", outcome: "failure", summary: `Import from ${parsed.format} refused: ${error.userMessage}`, errorCode: error.code });
    }
    throw error;
  }
  const secretNames = Object.keys(parsed.input.secrets ?? {});
  await recordActivity(actor, {
    action: "import",
    outcome: "success",
    profileId: created.id,
    profileName: created.name,
    summary: `Imported "${created.name}" (${created.kind}) from ${parsed.format}${secretNames.length ? ` with ${secretNames.join(", ")}` : " without secrets"}${parsed.warnings.length ? `; ${parsed.warnings.length} warning(s)` : ""}`,
  });
  return { ...created, importFormat: parsed.format, importWarnings: parsed.warnings };
}
