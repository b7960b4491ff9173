import type { FieldErrors } from "../action-result";
import type { Finding } from "../doctor/types";
import type { ProfileKind } from "../profiles/schema";
import type { ImportIssue } from "./import-issues";
import type { ImportFormatId, ImportWarning } from "./types";

/**
 * What the export actions return to the browser (types only, so client components may import
 * them). The console's forms render them; lib/ builds them, so the CLI and the console share the
 * same facts.
 */

/** "Include secrets" on the export page: the rendered file with real values (the one result allowed to carry secrets). */
export type SecretExportData = {
  intent: "show" | "download";
  filename: string;
  contentType: string;
  content: string;
  warnings: string[];
  /** For iMail formats: whether the cached access token went in, and why not. */
  token: { included: boolean; expiresAt?: string; note?: string } | null;
};

/** "Export all" on the Profiles page: the selection as one ZIP. */
export type BulkExportData = {
  filename: string;
  zipBase64: string;
  written: number;
  otherKinds: number;
  failed: { profileId: string; profileName: string; message: string }[];
};

/** "Download all formats" on a profile's export page: one ZIP with every format of its kind. */
export type AllFormatsData = {
  filename: string;
  zipBase64: string;
  includedSecrets: boolean;
  entries: { format: string; path: string; warnings: string[] }[];
  token: { included: boolean; expiresAt?: string; note?: string } | null;
};

/** A value the file does not carry (or carries as a placeholder), asked for on the Import page. `key` is the --set name. */
export type ImportValueField = { key: string; label: string; type: "text" | "email" | "url" | "password" | "textarea"; help?: string; placeholder?: string; mono?: boolean };

/** The Import page's "Check": what lib/export/import-check found, worded for the page. */
export type ImportCheckData = {
  format: ImportFormatId | null;
  formatLabel: string | null;
  kind: ProfileKind | null;
  kindLabel: string | null;
  /** The name the profile will be saved under (typed, or derived from the file). */
  name: string | null;
  warnings: ImportWarning[];
  findings: Finding[];
  importable: boolean;
  /** Each problem with its remedy; `text` is the page's wording of it. */
  issues: (ImportIssue & { text: string })[];
  fields: ImportValueField[];
  fieldErrors: FieldErrors;
  /** Setup step id → title, to name the step each finding points at. */
  stepTitles: Record<string, string>;
};
