"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { fromAppError, invalid, type ActionResult } from "@/lib/action-result";
import { requireAdmin } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { SET_PREFIX, applicableOverrides, checkImport, importCheckForWeb, importRefusalForWeb, type ImportCheckRequest } from "@/lib/export/import-check";
import type { ImportCheckData } from "@/lib/export/results";
import { importProfile } from "@/lib/export/service";
import { IMPORT_FORMAT_IDS } from "@/lib/export/types";

const importSchema = z.object({
  text: z.string().max(1_000_000, { message: "The file is larger than 1 MB; is it the right file?" }),
  format: z.union([z.literal(""), z.enum(IMPORT_FORMAT_IDS)], { message: "Unknown format" }).transform((v) => (v === "" ? undefined : v)),
  name: z
    .string()
    .trim()
    .max(100, { message: "At most 100 characters" })
    .transform((v) => v || undefined),
});

/** The page's form as an import request: the file, format, name, and the `set.<field>` values typed on the page. */
function readForm(form: FormData): { ok: true; data: ImportCheckRequest } | { ok: false; result: ActionResult<never> } {
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
  return { ok: true, data: { ...parsed.data, overrides, shown, dropInapplicableOverrides: true } };
}

/**
 * "Check": reads the file, applies the values typed on the page, and reports the detected format
 * and kind, the parser's warnings (with lines), the doctor's findings and whatever stops the
 * import — without saving anything. The CLI's twin is `profile import FILE --dry-run`.
 */
export async function checkImportAction(_prev: ActionResult<ImportCheckData>, form: FormData): Promise<ActionResult<ImportCheckData>> {
  const admin = await requireAdmin();
  const input = readForm(form);
  if (!input.ok) return input.result;
  const data = importCheckForWeb(await checkImport(admin, input.data));
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
  let id: string;
  try {
    id = (await importProfile(admin, { text: input.data.text, format: input.data.format, name: input.data.name, overrides: applicableOverrides(input.data) })).id;
  } catch (error) {
    if (isAppError(error) && (error.code === "invalid_input" || error.code === "conflict")) {
      const refusal = importRefusalForWeb(error, input.data);
      return { status: "error", code: error.code, message: "Nothing was imported.", hint: refusal.issues.map((i) => i.text).join(" "), fieldErrors: refusal.fieldErrors };
    }
    return fromAppError(error);
  }
  revalidatePath("/profiles");
  redirect(`/profiles/${id}?created=1`);
}
