import "server-only";
import type { FieldErrors } from "../action-result";
import type { Actor } from "../auth/actor";
import { isAppError } from "../errors";
import { getProfileByName } from "../profiles/dal";
import { PROFILE_FORM, type FieldSpec } from "../profiles/fields";
import { KIND_LABELS, type ProfileKind, type ProfileSettings, type SecretName } from "../profiles/schema";
import { missingConsoleFields } from "../profiles/completeness";
import { getSetupGuide } from "../setup-guide/guide";
import { IMPORT_FORMATS, diagnoseImport, readImport } from "./import";
import { describeImportIssue, importIssuesOf, type ImportIssue } from "./import-issues";
import type { ImportCheckData, ImportValueField } from "./results";
import type { ImportRequest } from "./service";
import { isPlaceholder } from "./text";
import type { ReadImport } from "./types";

/**
 * The import "Check" both entry points run before saving (the console's Check button, the CLI's
 * `profile import --dry-run`): format and kind, the parser's warnings, the doctor's findings, and
 * every issue that stops the import — including a name another profile already has — each with a
 * structured remedy. Nothing is saved.
 */

export type ImportCheckRequest = ImportRequest & {
  /** Value inputs the page already shows (they stay, even when filled). */
  shown?: string[];
  /**
   * The page keeps value inputs from a previous check; when the file changes kind they no longer
   * apply and are dropped. The CLI leaves this off: a `--set` the kind lacks is an error.
   */
  dropInapplicableOverrides?: boolean;
};

export type ImportCheck = Omit<ImportCheckData, "issues" | "fieldErrors"> & { issues: ImportIssue[] };

function specsOf(kind: ProfileKind | null): FieldSpec[] {
  return kind ? PROFILE_FORM[kind].flatMap((s) => s.fields) : [];
}

/** The override key of a form field: settings name, or secrets.<name>. */
function keyOf(spec: FieldSpec): string {
  return spec.secret ? `secrets.${spec.secret}` : spec.name;
}

function toValueField(spec: FieldSpec): ImportValueField {
  const type = spec.secret ? (spec.type === "secret-text" ? "textarea" : "password") : spec.type === "email" || spec.type === "url" ? spec.type : spec.type === "textarea" || spec.type === "pem" ? "textarea" : "text";
  return { key: keyOf(spec), label: spec.label, type, help: spec.help, placeholder: spec.placeholder, mono: spec.mono || type === "textarea" };
}

function blank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && (value.trim() === "" || isPlaceholder(value)));
}

function safeRead(req: ImportRequest): ReadImport | null {
  try {
    return readImport(req.text, { format: req.format, name: req.name });
  } catch (error) {
    if (!isAppError(error)) throw error;
    return null;
  }
}

/**
 * Which values to ask for: the kind's required fields the file leaves empty or holds as a
 * documentation placeholder, secrets that are placeholders, every field an issue names without a
 * line (not from the file), and the ones already on the page.
 */
function valueFields(read: ReadImport | null, issues: ImportIssue[], shown: string[]): ImportValueField[] {
  const specs = specsOf(read?.kind ?? null).filter((s) => s.name !== "name" && s.type !== "checkbox" && s.type !== "select");
  if (!read || !specs.length) return [];
  const wanted = new Set<string>(shown);
  for (const s of specs) {
    const value = s.secret ? read.secrets[s.secret] : read.settings[s.name];
    if (s.required && !s.showWhen && blank(value)) wanted.add(keyOf(s));
    if (value !== undefined && typeof value === "string" && isPlaceholder(value)) wanted.add(keyOf(s));
  }
  // A field only the console needs (iMail's From address, IBM i's mailbox) is offered, not required.
  for (const m of missingConsoleFields({ ...read.settings, kind: read.kind } as ProfileSettings)) wanted.add(m.field);
  for (const i of issues) if (i.field && (i.line === undefined || blank(i.field.startsWith("secrets.") ? read.secrets[i.field.slice(8) as SecretName] : read.settings[i.field]))) wanted.add(i.field);
  const seen = new Set<string>();
  return specs.filter((s) => wanted.has(keyOf(s)) && !seen.has(keyOf(s)) && seen.add(keyOf(s))).map(toValueField);
}

/** Overrides the detected kind has no field for are dropped (the values shown for another kind). */
export function applicableOverrides(req: ImportRequest): Record<string, string> {
  const keys = new Set(specsOf(safeRead(req)?.kind ?? null).map(keyOf));
  return Object.fromEntries(Object.entries(req.overrides ?? {}).filter(([k]) => keys.has(k)));
}

/** Titles of the setup steps the findings point at (the file's values may be too incomplete for a guide: then none). */
function stepTitlesOf(read: ReadImport | null): Record<string, string> {
  if (!read?.kind) return {};
  try {
    const guide = getSetupGuide({ ...read.settings, kind: read.kind } as ProfileSettings, { tokenAcquired: false, sendSucceeded: false, imapSucceeded: false });
    return Object.fromEntries(guide.steps.map((step) => [step.id, step.title]));
  } catch {
    return {};
  }
}

/** Checks an import without saving anything (see the module comment). */
export async function checkImport(actor: Actor, req: ImportCheckRequest): Promise<ImportCheck> {
  const read = safeRead(req);
  const overrides = req.dropInapplicableOverrides ? applicableOverrides(req) : (req.overrides ?? {});
  const diagnosis = diagnoseImport(req.text, { format: req.format, name: req.name, overrides });
  const issues = [...diagnosis.issues];
  const name = typeof read?.settings.name === "string" ? read.settings.name : null;
  if (name && !issues.some((i) => i.field === "name")) {
    try {
      const other = await getProfileByName(actor, name);
      issues.push({ field: "name", message: `A profile named "${other.name}" already exists`, remedy: { kind: "rename" } });
    } catch (error) {
      if (!isAppError(error) || error.code !== "not_found") throw error;
    }
  }
  // Each placeholder is flagged once: as the issue that asks for the real value. The parser's
  // warning about the same line and the doctor's placeholder finding would repeat it.
  const placeholders = issues.filter((i) => i.remedy?.kind === "placeholder");
  const placeholderLines = new Set(placeholders.map((i) => i.line).filter((l) => l !== undefined));
  const warnings = diagnosis.warnings.filter((w) => !(w.line !== undefined && placeholderLines.has(w.line) && /placeholder/i.test(w.message)));
  // A missing console-only field is said once too: by the import's "Incomplete:" warning.
  const findings = diagnosis.findings.filter((f) => !(placeholders.length && f.ruleId === "placeholder-values") && f.ruleId !== "console-field-missing");
  const format = diagnosis.format;
  return {
    format,
    formatLabel: format ? (IMPORT_FORMATS.find((f) => f.id === format)?.label ?? format) : null,
    kind: diagnosis.kind,
    kindLabel: diagnosis.kind ? KIND_LABELS[diagnosis.kind] : null,
    name,
    warnings,
    findings,
    importable: issues.length === 0,
    issues,
    fields: valueFields(read, issues, req.shown ?? []),
    stepTitles: stepTitlesOf(read),
  };
}

/** Extra values arrive on the page as `set.<field>` (settings) or `set.secrets.<name>`, like the CLI's --set. */
export const SET_PREFIX = "set.";

/** Puts every problem next to the control that can fix it: a value input, the name, the format, or the file. */
function fieldErrorsFor(issues: (ImportIssue & { text: string })[], fields: ImportValueField[]): FieldErrors {
  const out: FieldErrors = {};
  const keys = new Set(fields.map((f) => f.key));
  for (const i of issues) {
    const target = i.field && keys.has(i.field) ? `${SET_PREFIX}${i.field}` : i.field === "name" ? "name" : i.field === "format" ? "format" : "text";
    (out[target] ??= []).push(i.text);
  }
  return out;
}

/** The check in the console's words ("enter it below"), with each issue placed on its input. */
export function importCheckForWeb(check: ImportCheck): ImportCheckData {
  const issues = check.issues.map((i) => ({ ...i, text: describeImportIssue(i, "web") }));
  return { ...check, issues, fieldErrors: fieldErrorsFor(issues, check.fields) };
}

/** Why an import was refused, in the console's words and placed on the page's inputs (the refusal of importProfile). */
export function importRefusalForWeb(error: unknown, req: ImportCheckRequest): { issues: (ImportIssue & { text: string })[]; fieldErrors: FieldErrors } {
  const issues = importIssuesOf(error).map((i) => ({ ...i, text: describeImportIssue(i, "web") }));
  return { issues, fieldErrors: fieldErrorsFor(issues, valueFields(safeRead(req), issues, req.shown ?? [])) };
}
