"use server";
import { z } from "zod";
import { fromAppError, invalid, type ActionResult } from "@/lib/action-result";
import { requireAdmin } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { allFormatsRequestSchema, exportAllFormatsZip } from "@/lib/export/profile-zip";
import { compareRequestSchema, compareWithExport, type ProfileComparison } from "@/lib/export/compare-service";
import type { AllFormatsData, SecretExportData } from "@/lib/export/results";
import { exportProfileWithSecrets } from "@/lib/export/secret-export";
import { EXPORT_FORMAT_IDS } from "@/lib/export/types";

const idSchema = z.uuid({ message: "Unknown profile" });
const secretExportSchema = z.object({
  format: z.enum(EXPORT_FORMAT_IDS, { message: "Choose an export format" }),
  password: z.string().min(1, { message: "Enter your password to include secrets." }),
  intent: z.enum(["show", "download"]).default("show"),
});

const REFUSED: ActionResult<never> = {
  status: "error",
  code: "unauthorized",
  message: "Refused: secrets were not exported.",
  fieldErrors: { password: ["That is not your password. Secrets were not exported."] },
};

/**
 * "Include secrets": the password is re-checked (by lib/export, which logs the export or the
 * refusal), then the rendered content with real values is returned — the same bytes as
 * `cli export NAME --format F --include-secrets`. This is the one action allowed to return
 * secrets: the admin asked for them and proved who they are.
 */
export async function exportWithSecretsAction(profileId: string, _prev: ActionResult<SecretExportData>, form: FormData): Promise<ActionResult<SecretExportData>> {
  const admin = await requireAdmin();
  const pid = idSchema.safeParse(profileId);
  if (!pid.success) return { status: "error", message: "Unknown profile." };
  const input = secretExportSchema.safeParse({ format: form.get("format"), password: form.get("password") ?? "", intent: form.get("intent") ?? undefined });
  if (!input.success) return invalid(input.error, "Enter your password to include secrets.");
  const { format, password, intent } = input.data;
  try {
    const result = await exportProfileWithSecrets(admin, pid.data, format, { password });
    return {
      status: "success",
      message: `Exported ${result.filename} with secrets.`,
      data: {
        intent,
        filename: result.filename,
        contentType: result.contentType,
        content: result.content,
        warnings: result.warnings.map((w) => w.message),
        token: result.token,
      },
    };
  } catch (error) {
    if (isAppError(error) && error.code === "unauthorized") return REFUSED;
    return fromAppError(error);
  }
}

/**
 * "Download all formats": every export of the profile's kind as one ZIP, each entry the bytes
 * of its single download. Secrets only with the password re-checked (by lib/export, which logs
 * the export or the refusal) — the same path as "Include secrets".
 */
export async function exportAllFormatsAction(profileId: string, _prev: ActionResult<AllFormatsData>, form: FormData): Promise<ActionResult<AllFormatsData>> {
  const admin = await requireAdmin();
  const pid = idSchema.safeParse(profileId);
  if (!pid.success) return { status: "error", message: "Unknown profile." };
  const input = allFormatsRequestSchema.safeParse({ includeSecrets: form.get("includeSecrets") ?? false, password: form.get("password") ?? undefined });
  if (!input.success) return invalid(input.error, "Enter your password to include secrets.");
  try {
    const result = await exportAllFormatsZip(admin, pid.data, input.data);
    return {
      status: "success",
      message: `Saved ${result.filename}: ${result.entries.length} files${result.includedSecrets ? " with secrets" : ", secrets as placeholders"}.`,
      data: { filename: result.filename, zipBase64: Buffer.from(result.zip).toString("base64"), includedSecrets: result.includedSecrets, entries: result.entries, token: result.token },
    };
  } catch (error) {
    if (isAppError(error) && error.code === "unauthorized") return REFUSED;
    return fromAppError(error);
  }
}

/**
 * "Compare with the file on the target": the pasted file against this profile's export, key by
 * key (or line by line for scripts). The result names each difference; secret fields say only
 * "same" or "differs" — no secret, stored or pasted, is in the result or the log.
 */
export async function compareWithExportAction(profileId: string, _prev: ActionResult<ProfileComparison>, form: FormData): Promise<ActionResult<ProfileComparison>> {
  const admin = await requireAdmin();
  const pid = idSchema.safeParse(profileId);
  if (!pid.success) return { status: "error", message: "Unknown profile." };
  const input = compareRequestSchema.safeParse({ format: form.get("format"), text: form.get("text") ?? "" });
  if (!input.success) return invalid(input.error);
  try {
    const result = await compareWithExport(admin, pid.data, input.data);
    const differences = result.counts.changed + result.counts.missing + result.counts.extra;
    return { status: "success", message: result.identical ? `Same: the file matches the export of ${result.formatLabel}.` : `${differences} difference${differences === 1 ? "" : "s"} from the export of ${result.formatLabel}.`, data: result };
  } catch (error) {
    return fromAppError(error);
  }
}
