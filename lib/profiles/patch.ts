import { AppError } from "../errors";
import { KIND_SCHEMAS, PROFILE_KINDS, SECRET_NAMES, type ProfileKind, type SecretName, type UpdateProfileInput } from "./schema";

/** The settings fields each kind has (from its schema). */
export const SETTING_FIELDS = Object.fromEntries(PROFILE_KINDS.map((k) => [k, Object.keys(KIND_SCHEMAS[k].shape)])) as unknown as Record<ProfileKind, readonly string[]>;

export type ProfilePatch = {
  /** field → value as typed (`--set field=value`); an empty value removes an optional field, as an empty form field does. */
  set: Record<string, string>;
  /** Secrets to replace (from standard input), by name. */
  secrets?: Partial<Record<SecretName, string>>;
};

/**
 * The update input a patch makes of a stored profile: its settings with the patch applied, the
 * version it was read at (so a concurrent edit is refused as on the console), blank secrets
 * (= keep) except those given. Validation is the console's: the caller passes the result to
 * updateProfile, which parses it with updateProfileSchema. Throws AppError(invalid_input) naming
 * an unknown field or secret, or the kind.
 */
export function patchProfileInput(current: { kind: ProfileKind; settings: Record<string, unknown>; version: number }, patch: ProfilePatch): UpdateProfileInput {
  const fields = SETTING_FIELDS[current.kind];
  const settings: Record<string, unknown> = { ...current.settings };
  for (const [rawKey, value] of Object.entries(patch.set)) {
    const key = rawKey.replace(/^settings\./, "");
    if (key === "kind") throw new AppError("invalid_input", "The kind of a profile cannot change: create a new profile (or duplicate this one) instead", { field: rawKey });
    if (key.startsWith("secrets.") || (SECRET_NAMES as readonly string[]).includes(key)) {
      throw new AppError("invalid_input", `${key.replace(/^secrets\./, "")} is a secret: pass it on standard input with --secret-stdin ${key.replace(/^secrets\./, "")}, never on the command line`, { field: rawKey });
    }
    if (!fields.includes(key)) throw new AppError("invalid_input", `${current.kind} profiles have no field "${key}" (fields: ${fields.filter((f) => f !== "kind").join(", ")})`, { field: rawKey });
    if (value.trim() === "") delete settings[key];
    else settings[key] = value;
  }
  const secrets: Partial<Record<SecretName, string>> = {};
  for (const [name, value] of Object.entries(patch.secrets ?? {})) {
    if (!(SECRET_NAMES as readonly string[]).includes(name)) throw new AppError("invalid_input", `Unknown secret "${name}" (secrets: ${SECRET_NAMES.join(", ")})`, { field: `secrets.${name}` });
    if (!value) throw new AppError("invalid_input", `The ${name} read from standard input is empty`, { field: `secrets.${name}` });
    secrets[name as SecretName] = value;
  }
  return { settings: settings as UpdateProfileInput["settings"], secrets, clearSecrets: [], version: current.version };
}
