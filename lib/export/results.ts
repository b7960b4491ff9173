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
  failed: { profileName: string; message: string }[];
};
