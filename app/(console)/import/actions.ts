"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { fromAppError, invalid, type ActionResult, type FieldErrors } from "@/lib/action-result";
import type { Actor } from "@/lib/auth/actor";
import { requireAdmin } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { IMPORT_FORMATS, diagnoseImport, parseImport, readImport } from "@/lib/export/import";
import { importProfile } from "@/lib/export/service";
import { isPlaceholder } from "@/lib/export/text";
import { IMPORT_FORMAT_IDS, type ImportFormatId, type ReadImport } from "@/lib/export/types";
import { getProfileByName } from "@/lib/profiles/dal";
import { PROFILE_FORM, type FieldSpec } from "@/lib/profiles/fields";
import { KIND_LABELS, SECRET_LABELS, type ProfileKind, type ProfileSettings, type SecretName } from "@/lib/profiles/schema";
import { getSetupGuide } from "@/lib/setup-guide/guide";
import type { ImportCheckData, ImportIssue, ImportValueField } from "@/components/exports/import-form";

/** Extra values arrive as `set.<field>` (settings) or `set.secrets.<name>`, like the CLI's --set. */
const SET_PREFIX = "set.";

const importSchema = z.object({
  text: z.string().max(1_000_000, { message: "The file is larger than 1 MB; is it the right file?" }),
  format: z.union([z.literal(""), z.enum(IMPORT_FORMAT_IDS)], { message: "Unknown format" }).transform((v) => (v === "" ? undefined : v)),
  name: z
    .string()
    .trim()
    .max(100, { message: "At most 100 characters" })
    .transform((v) => v || undefined),
});

type ImportRequestInput = { text: string; format?: ImportFormatId; name?: string; overrides: Record<string, string>; shown: string[] };

function readForm(form: FormData): { ok: true; data: ImportRequestInput } | { ok: false; result: ActionResult<never> } {
  const parsed = importSchema.safeParse({ text: form.get("text") ?? "", format: form.get("format") ?? "", name: form.get("name") ?? "" });
  if (!parsed.success) return { ok: false, result: invalid(parsed.error) };
  const overrides: Record<string, string> = {};
  const shown: string[] = [];
  for (const [key, value] of form.entries()) {
    if (!key.startsWith(SET_PREFIX) || typeof value !== "string") continue;
    const field = key.slice(SET_PREFIX.length);
    shown.push(field);
    // Secrets are taken verbatim (a password may end in a space); settings are trimmed. Blank = keep the file's value.
    const v = field.startsWith("secrets.") ? value : value.trim();
    if (v !== "") overrides[field] = v;
  }
  return { ok: true, data: { ...parsed.data, overrides, shown } };
}

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

/** CLI wording ("--set field=…") becomes the page's ("enter it below"). */
function webMessage(message: string, label?: string, field?: string): string {
  let m = message
    .replace(/supply the real value \(--set [^)]*\)/g, "enter the real value or correct the file")
    .replace(/ ?\(--set [^)]*\)/g, "")
    .replace(/supply it with --set \S+/g, "enter it under Values the file does not contain")
    .replace(/^--set /, "");
  if (label && field && m.startsWith(`${field} is required`)) m = `${label}${m.slice(field.length)}`;
  return m;
}

/**
 * Which values to ask for: the kind's required fields the file leaves empty or holds as a
 * documentation placeholder, secrets that are placeholders, every field a validation issue
 * names without a line (not from the file), and the ones already on the page.
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
  for (const i of issues) if (i.field && (i.line === undefined || blank(i.field.startsWith("secrets.") ? read.secrets[i.field.slice(8) as SecretName] : read.settings[i.field]))) wanted.add(i.field);
  const seen = new Set<string>();
  return specs.filter((s) => wanted.has(keyOf(s)) && !seen.has(keyOf(s)) && seen.add(keyOf(s))).map(toValueField);
}

/** Puts every problem next to the control that can fix it: a value input, the name, the format, or the file. */
function fieldErrorsFor(issues: ImportIssue[], fields: ImportValueField[]): FieldErrors {
  const out: FieldErrors = {};
  const keys = new Set(fields.map((f) => f.key));
  for (const i of issues) {
    const target = i.field && keys.has(i.field) ? `${SET_PREFIX}${i.field}` : i.field === "name" || i.field === "settings.name" ? "name" : i.field === "format" ? "format" : "text";
    (out[target] ??= []).push(i.message);
  }
  return out;
}

function issuesOf(error: unknown, read: ReadImport | null): ImportIssue[] {
  if (!isAppError(error)) throw error;
  const labels = new Map(specsOf(read?.kind ?? null).map((s) => [keyOf(s), s.label]));
  const raw = Array.isArray(error.details?.issues) ? (error.details.issues as ImportIssue[]) : [{ field: error.field, message: error.userMessage }];
  return raw.map((i) => {
    const field = i.field?.replace(/^settings\./, "");
    const label = field ? (labels.get(field) ?? (field.startsWith("secrets.") ? SECRET_LABELS[field.slice(8) as SecretName] : undefined)) : undefined;
    return { field, line: i.line, key: i.key, message: webMessage(i.message, label, field) };
  });
}

function safeRead(input: ImportRequestInput): ReadImport | null {
  try {
    return readImport(input.text, { format: input.format, name: input.name });
  } catch (error) {
    if (!isAppError(error)) throw error;
    return null;
  }
}

/** Overrides the detected kind has no field for are dropped (the values shown for another kind). */
function applicableOverrides(read: ReadImport | null, overrides: Record<string, string>): Record<string, string> {
  const keys = new Set(specsOf(read?.kind ?? null).map(keyOf));
  return Object.fromEntries(Object.entries(overrides).filter(([k]) => keys.has(k)));
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

async function check(admin: Actor, input: ImportRequestInput): Promise<ImportCheckData> {
  const read = safeRead(input);
  const overrides = applicableOverrides(read, input.overrides);
  const diagnosis = diagnoseImport(input.text, { format: input.format, name: input.name, overrides });
  let issues: ImportIssue[] = [];
  if (diagnosis.importError) {
    try {
      parseImport(input.text, { format: input.format, name: input.name, overrides });
    } catch (error) {
      issues = issuesOf(error, read);
    }
    if (!issues.length) issues = [{ message: diagnosis.importError }];
  }
  const name = typeof read?.settings.name === "string" ? read.settings.name : null;
  if (name && !issues.some((i) => i.field === "name")) {
    try {
      await getProfileByName(admin, name);
      issues.push({ field: "name", message: `A profile named "${name}" already exists. Choose another name.` });
    } catch (error) {
      if (!isAppError(error) || error.code !== "not_found") throw error;
    }
  }
  const fields = valueFields(read, issues, input.shown);
  const format = diagnosis.format;
  return {
    format,
    formatLabel: format ? (IMPORT_FORMATS.find((f) => f.id === format)?.label ?? format) : null,
    kind: diagnosis.kind,
    kindLabel: diagnosis.kind ? KIND_LABELS[diagnosis.kind] : null,
    name,
    warnings: diagnosis.warnings,
    findings: diagnosis.findings,
    importable: issues.length === 0,
    issues,
    fields,
    fieldErrors: fieldErrorsFor(issues, fields),
    stepTitles: stepTitlesOf(read),
  };
}

/**
 * "Check": reads the file, applies the values typed on the page, and reports the detected format
 * and kind, the parser's warnings (with lines), the doctor's findings and whatever stops the
 * import — without saving anything.
 */
export async function checkImportAction(_prev: ActionResult<ImportCheckData>, form: FormData): Promise<ActionResult<ImportCheckData>> {
  const admin = await requireAdmin();
  const input = readForm(form);
  if (!input.ok) return input.result;
  const data = await check(admin, input.data);
  const errors = data.findings.filter((f) => f.severity === "error").length;
  const message = data.importable
    ? `Ready to import as "${data.name}"${errors ? `; the doctor still reports ${errors} error${errors === 1 ? "" : "s"}` : ""}.`
    : `Cannot import yet: ${data.issues.length} problem${data.issues.length === 1 ? "" : "s"} to fix.`;
  return { status: "success", message, data };
}

/**
 * "Import": validates everything again and creates the profile in one step (nothing is
 * half-imported), then opens it. Failures name the line or field.
 */
export async function importProfileAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = readForm(form);
  if (!input.ok) return input.result;
  const read = safeRead(input.data);
  let id: string;
  try {
    id = (await importProfile(admin, { text: input.data.text, format: input.data.format, name: input.data.name, overrides: applicableOverrides(read, input.data.overrides) })).id;
  } catch (error) {
    if (isAppError(error) && (error.code === "invalid_input" || error.code === "conflict")) {
      const issues = issuesOf(error, read);
      const fields = valueFields(read, issues, input.data.shown);
      return { status: "error", code: error.code, message: "Nothing was imported.", hint: issues.map((i) => i.message).join(" "), fieldErrors: fieldErrorsFor(issues, fields) };
    }
    return fromAppError(error);
  }
  revalidatePath("/profiles");
  redirect(`/profiles/${id}?created=1`);
}
