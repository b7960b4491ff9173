import "server-only";
import { recordActivity } from "../activity/dal";
import { confirmPassword } from "../auth/admins";
import type { Actor } from "../auth/actor";
import { AppError, isAppError } from "../errors";
import { countSelectedProfiles, createProfile, getProfile, iterateProfiles, loadProfileWithSecrets, type ProfileDto, type ProfileSelection } from "../profiles/dal";
import { KIND_LABELS, type ProfileKind, type ProfileSecrets } from "../profiles/schema";
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
    await confirmSecretsExport(actor, options, async () => {
      const p = await getProfile(actor, profileId);
      return { profileId, profileName: p.name, what: `"${p.name}" as ${f.label}` };
    });
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

/**
 * Secrets leave only after the web admin re-entered the password (the CLI operator already holds
 * the master key). A refusal is logged and thrown as AppError(unauthorized) on the password field.
 */
export async function confirmSecretsExport(actor: Actor, options: Pick<ExportOptions, "password">, describe: () => Promise<{ profileId?: string; profileName?: string; what: string }>): Promise<void> {
  if (actor.via === "cli") return;
  if (options.password && (await confirmPassword(actor, options.password))) return;
  const d = await describe();
  await recordActivity(actor, { action: "export", outcome: "failure", profileId: d.profileId, profileName: d.profileName, summary: `Refused to export ${d.what} with secrets: password not confirmed` });
  throw new AppError("unauthorized", "Enter your password again to export secrets.", { field: "password" });
}

export type BulkExportOptions = Omit<ExportOptions, "cachedToken" | "logActivity"> & { batchSize?: number };

/** One profile of a bulk export: its rendered file, or why it has none. */
export type BulkExportItem =
  | ({ ok: true; profileId: string; kind: ProfileKind } & ProfileExport)
  | { ok: false; profileId: string; kind: ProfileKind; profileName: string; error: AppError };

export type BulkExportPlan = {
  format: ExportFormatId;
  label: string;
  /** Profiles the selection covers whose kind has this format. */
  matching: number;
  /** Profiles the selection covers whose kind does not have this format (not exported). */
  otherKinds: number;
};

/**
 * Exports every selected profile whose kind has the format, in batches: one query and one
 * "export" activity entry per batch (its detail names every profile in it), instead of one of
 * each per profile — 1,000 profiles with secrets take about a second instead of several. Yields
 * each batch's files so a caller can write them and let them go. With `includeSecrets` the web
 * admin's password is checked once, before anything is read. Cached tokens are not included
 * (the target system gets its own on first use).
 */
export async function exportProfiles(actor: Actor, format: string, selection: ProfileSelection, options: BulkExportOptions): Promise<{ plan: BulkExportPlan; batches: AsyncGenerator<BulkExportItem[]> }> {
  const f = getExportFormat(format);
  const kinds = (selection.kinds ?? f.kinds).filter((k) => f.kinds.includes(k));
  const [matching, all] = await Promise.all([countSelectedProfiles(actor, { ...selection, kinds }), countSelectedProfiles(actor, selection)]);
  const plan: BulkExportPlan = { format: f.id, label: f.label, matching, otherKinds: all - matching };
  if (options.includeSecrets) {
    await confirmSecretsExport(actor, options, async () => ({ what: `${matching} profile(s) as ${f.label}` }));
  }
  const now = options.now ?? new Date();
  async function* batches(): AsyncGenerator<BulkExportItem[]> {
    let batchNo = 0;
    for await (const rows of iterateProfiles(actor, { ...selection, kinds }, { withSecrets: options.includeSecrets, batchSize: options.batchSize })) {
      batchNo++;
      const started = performance.now();
      const items: BulkExportItem[] = rows.map(({ profile, secrets, error }) => {
        const base = { profileId: profile.id, kind: profile.kind, profileName: profile.name };
        if (error) return { ...base, ok: false, error };
        try {
          const result = f.render({ settings: profile.settings, secrets, now });
          return { ...base, ...result, ok: true, format: f.id, includedSecrets: options.includeSecrets };
        } catch (e) {
          if (!isAppError(e)) throw e;
          return { ...base, ok: false, error: e };
        }
      });
      const failed = items.filter((i) => !i.ok);
      const detail = items.map((i) => `${i.ok ? "exported" : `FAILED (${i.error.userMessage})`}  ${i.profileName}  [${i.profileId}]`).join("\n");
      await recordActivity(actor, {
        action: "export",
        outcome: failed.length ? "failure" : "success",
        summary: `Bulk export batch ${batchNo}: ${items.length - failed.length} of ${items.length} profile(s) ("${items[0].profileName}" … "${items[items.length - 1].profileName}") as ${f.label} ${options.includeSecrets ? "WITH secrets" : "without secrets (placeholders)"}${failed.length ? `; ${failed.length} failed` : ""}`,
        durationMs: performance.now() - started,
        errorCode: failed[0]?.ok === false ? failed[0].error.code : undefined,
        detail,
      });
      yield items;
    }
  }
  return { plan, batches: batches() };
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
