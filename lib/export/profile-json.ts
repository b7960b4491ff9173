import { AppError } from "../errors";
import { PROFILE_KINDS, SECRET_NAMES, type ProfileKind, type ProfileSecrets } from "../profiles/schema";
import { parseJsonText } from "./ibmi-json";
import { slugify } from "./text";
import type { ExportInput, ExportResult, ImportOptions, ImportWarning, LooseSettings, ReadImport } from "./types";

/**
 * The console's own profile JSON, for backup and migration between consoles. Secrets are present
 * only when the export included them.
 */

export const PROFILE_JSON_FORMAT = "oauth-mail-console/profile";
export const PROFILE_JSON_VERSION = 1;

/** Renders the full profile (settings, and secrets only when included). Never fails. */
export function renderProfileJson(input: ExportInput): ExportResult {
  const secrets = input.secrets ? Object.fromEntries(SECRET_NAMES.filter((n) => input.secrets?.[n] !== undefined).map((n) => [n, input.secrets![n]])) : undefined;
  const body = {
    format: PROFILE_JSON_FORMAT,
    version: PROFILE_JSON_VERSION,
    exportedAt: input.now.toISOString(),
    settings: input.settings,
    ...(secrets ? { secrets } : {}),
  };
  return {
    filename: `${slugify(input.settings.name)}.profile.json`,
    contentType: "application/json; charset=utf-8",
    content: JSON.stringify(body, null, 2) + "\n",
    warnings: input.secrets ? [{ message: "This file contains secrets in clear text. Store it encrypted and delete it after the import." }] : [],
  };
}

/**
 * First stage of the profile-JSON import. Accepts this console's export, `{ settings, secrets }`
 * (the CLI's create file) and a bare settings object. Throws AppError(invalid_input) for invalid
 * JSON, an unknown format version or a missing/unknown kind.
 */
export function readProfileJson(text: string, options: ImportOptions = {}): ReadImport {
  const data = parseJsonText(text, "The profile file");
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new AppError("invalid_input", "The profile file must be a JSON object", { field: "settings" });
  const obj = data as Record<string, unknown>;
  const warnings: ImportWarning[] = [];
  if (obj.format !== undefined && obj.format !== PROFILE_JSON_FORMAT) {
    throw new AppError("invalid_input", `"format" must be "${PROFILE_JSON_FORMAT}", found ${JSON.stringify(obj.format)}`, { field: "format" });
  }
  if (obj.version !== undefined && obj.version !== PROFILE_JSON_VERSION) {
    throw new AppError("invalid_input", `"version" ${JSON.stringify(obj.version)} is not supported (expected ${PROFILE_JSON_VERSION})`, { field: "version" });
  }
  const rawSettings = "settings" in obj ? obj.settings : obj;
  if (!rawSettings || typeof rawSettings !== "object" || Array.isArray(rawSettings)) throw new AppError("invalid_input", '"settings" must be an object', { field: "settings" });
  const settings = { ...(rawSettings as Record<string, unknown>) } as LooseSettings;
  delete settings.format;
  delete settings.version;
  delete settings.exportedAt;
  if (!PROFILE_KINDS.includes(settings.kind as ProfileKind)) {
    throw new AppError("invalid_input", `settings.kind must be one of ${PROFILE_KINDS.join(", ")}${settings.kind ? `, found ${JSON.stringify(settings.kind)}` : " but is missing"}`, { field: "settings.kind" });
  }
  const secrets: ProfileSecrets = {};
  if (obj.secrets !== undefined) {
    if (!obj.secrets || typeof obj.secrets !== "object") throw new AppError("invalid_input", '"secrets" must be an object', { field: "secrets" });
    for (const [k, v] of Object.entries(obj.secrets as Record<string, unknown>)) {
      if (!(SECRET_NAMES as readonly string[]).includes(k)) warnings.push({ message: `Unknown secret "${k}" is ignored` });
      else if (typeof v !== "string") throw new AppError("invalid_input", `secrets.${k} must be a string`, { field: `secrets.${k}` });
      else secrets[k as keyof ProfileSecrets] = v;
    }
  } else if ("settings" in obj) {
    warnings.push({ message: "The file has no secrets (exported without them); supply them before saving, e.g. --set secrets.clientSecret=…" });
  }
  if (options.name) settings.name = options.name;
  const sources = Object.fromEntries(Object.keys(settings).map((k) => [k, { key: `settings.${k}` }]));
  for (const k of Object.keys(secrets)) sources[`secrets.${k}`] = { key: `secrets.${k}` };
  const raw = Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  return { format: "profile-json", kind: settings.kind as ProfileKind, settings, secrets, warnings, sources, raw };
}
