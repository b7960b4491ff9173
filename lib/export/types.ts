import type { ProfileInput, ProfileKind, ProfileSecrets, ProfileSettings } from "../profiles/schema";

/** Every export format the console renders; see EXPORT_FORMATS in ./formats for labels and kinds. */
export const EXPORT_FORMAT_IDS = [
  "imail-config",
  "imcfg1",
  "system-properties",
  "java-properties-list",
  "ibmi-json",
  "ibmi-cl",
  "ibmi-clle",
  "exchange-powershell",
  "profile-json",
] as const;
export type ExportFormatId = (typeof EXPORT_FORMAT_IDS)[number];

/** Formats an import can read. `google-key` is a downloaded service-account key without `domain`. */
export const IMPORT_FORMAT_IDS = ["imail-config", "system-properties", "ibmi-json", "google-key", "profile-json"] as const;
export type ImportFormatId = (typeof IMPORT_FORMAT_IDS)[number];

/** A cached access token, passed only when secrets are included. `accessToken` is a secret. */
export type ExportCachedToken = { accessToken: string; expiresAt: Date };

/**
 * What every renderer takes. `secrets` and `cachedToken` are present only when the admin asked
 * for "include secrets" (and re-entered the password); otherwise placeholders are written.
 */
export type ExportInput = {
  settings: ProfileSettings;
  secrets?: ProfileSecrets;
  cachedToken?: ExportCachedToken;
  now: Date;
};

export type ExportWarning = { message: string };

export type ExportResult = {
  filename: string;
  contentType: string;
  content: string;
  warnings: ExportWarning[];
};

/** A non-fatal remark about an imported file; `line` is 1-based when the source has lines. */
export type ImportWarning = { line?: number; message: string };

export type ImportOptions = {
  /** Profile name; a name is derived from the file when absent. */
  name?: string;
  /**
   * `--set field=value` pairs applied over what was read, before validation. A key
   * `secrets.<name>` sets a secret (e.g. secrets.clientSecret).
   */
  overrides?: Record<string, string>;
};

/** The result of a parser: input ready for createProfile, plus warnings to show. */
export type ParsedImport = { format: ImportFormatId; input: ProfileInput; warnings: ImportWarning[] };

/**
 * Settings as read from a file, before validation: values are kept verbatim (placeholders,
 * `$TENANT_ID` and all) so the doctor can diagnose them and a round trip can reproduce them.
 */
export type LooseSettings = { kind?: ProfileKind } & Record<string, unknown>;

/** The first stage of every parser: what the file says, where it says it, nothing validated. */
export type ReadImport = {
  format: ImportFormatId;
  kind: ProfileKind | null;
  settings: LooseSettings;
  secrets: ProfileSecrets;
  warnings: ImportWarning[];
  /** settings field (or `secrets.<name>`) → where it came from, to name the line in errors. */
  sources: Record<string, { line?: number; key: string }>;
  /** Raw key → value as read (for rules about the file itself, e.g. missing SCOPE). */
  raw: Record<string, string>;
  /** A mode-rule failure that makes the file unusable (message exactly as iMail prints it). */
  fatal?: { message: string; line?: number; key?: string };
};
