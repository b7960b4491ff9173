import "server-only";
import { strToU8, zipSync } from "fflate";
import { z } from "zod";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { getProfile, loadProfileWithSecrets } from "../profiles/dal";
import type { ProfileSecrets } from "../profiles/schema";
import { TOKEN_CACHE_FORMATS } from "./cached-token";
import { listExportFormats } from "./formats";
import { cachedTokenFor, type CachedTokenNote } from "./secret-export";
import { confirmSecretsExport } from "./service";
import { slugify } from "./text";
import type { ExportCachedToken, ExportFormatId } from "./types";

/**
 * "Download all formats" for one profile: every export its kind has, in one ZIP, each entry the
 * very bytes the single-format download gives (without secrets: the placeholder download; with
 * secrets: "Download with secrets", cached token included where the format has iMail's cache keys).
 * The console's button and `cli export NAME --all-formats --out FILE.zip` share it.
 */

export type ProfileZipEntry = { format: ExportFormatId; path: string; warnings: string[] };
export type ProfileZip = {
  filename: string;
  zip: Uint8Array;
  entries: ProfileZipEntry[];
  includedSecrets: boolean;
  profileName: string;
  /** With secrets, for the iMail formats: whether the cached access token went in. */
  token: CachedTokenNote | null;
};

/**
 * Renders every format of the profile's kind into one deflated ZIP (a flat folder: the target
 * systems' own file names; a name two formats share gets the format id as folder). With
 * `includeSecrets` the web admin's password is checked once before anything is decrypted (the CLI
 * operator needs none); logged as one "export" activity. Throws AppError: unauthorized (wrong
 * password, field "password"), not_found.
 */
export async function exportAllFormatsZip(actor: Actor, profileId: string, options: { includeSecrets: boolean; password?: string; now?: Date }): Promise<ProfileZip> {
  const now = options.now ?? new Date();
  const profile = await getProfile(actor, profileId);
  const formats = listExportFormats(profile.kind);
  let secrets: ProfileSecrets | undefined;
  let cachedToken: ExportCachedToken | undefined;
  let token: CachedTokenNote | null = null;
  if (options.includeSecrets) {
    await confirmSecretsExport(actor, options, async () => ({ profileId: profile.id, profileName: profile.name, what: `"${profile.name}" in all ${formats.length} formats (ZIP)` }));
    ({ secrets } = await loadProfileWithSecrets(actor, profile.id));
    const tokenFormat = formats.find((f) => TOKEN_CACHE_FORMATS.has(f.id));
    if (tokenFormat) {
      const cached = await cachedTokenFor(actor, profile, tokenFormat, options.password);
      token = cached.note;
      if (cached.token) cachedToken = { accessToken: cached.token.accessToken, expiresAt: cached.token.expiresAt };
    }
  }
  const files: Record<string, Uint8Array> = {};
  const entries: ProfileZipEntry[] = [];
  const taken = new Set<string>();
  for (const f of formats) {
    // Exactly what exportProfile renders for the single download (same settings, secrets, token, clock).
    const result = f.render({ settings: profile.settings, secrets, cachedToken: TOKEN_CACHE_FORMATS.has(f.id) ? cachedToken : undefined, now });
    const path = taken.has(result.filename.toLowerCase()) ? `${f.id}/${result.filename}` : result.filename;
    taken.add(path.toLowerCase());
    files[path] = strToU8(result.content);
    entries.push({ format: f.id, path, warnings: result.warnings.map((w) => w.message) });
  }
  const zip = zipSync(files, { level: 6, mtime: now });
  const filename = `${slugify(profile.name)}-all-formats-${now.toISOString().slice(0, 10)}${options.includeSecrets ? "-with-secrets" : ""}.zip`;
  await recordActivity(actor, {
    action: "export",
    outcome: "success",
    profileId: profile.id,
    profileName: profile.name,
    summary: `Exported "${profile.name}" in all ${entries.length} formats as one ZIP (${filename}) ${options.includeSecrets ? "WITH secrets" : "without secrets (placeholders)"}`,
    detail: entries.map((e) => `${e.format}  ${e.path}`).join("\n"),
  });
  return { filename, zip, entries, includedSecrets: options.includeSecrets, profileName: profile.name, token };
}

/** The console's "Download all formats" request (the action validates the form with it). */
export const allFormatsRequestSchema = z
  .object({
    includeSecrets: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()),
    password: z.string().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.includeSecrets && !v.password) ctx.addIssue({ code: "custom", path: ["password"], message: "Enter your password to include secrets." });
  });
