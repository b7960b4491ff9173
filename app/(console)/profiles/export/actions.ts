"use server";
import { fromAppError, invalid, type ActionResult } from "@/lib/action-result";
import { requireAdmin } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { bulkExportRequestSchema, bulkExportSelection, exportProfilesZip } from "@/lib/export/bulk";
import type { BulkExportData } from "@/lib/export/results";

/**
 * "Export all" (and the list's bulk "Export" of ticked profiles): every profile of the selection whose kind has the format, as one ZIP. With
 * secrets, lib/export/service re-checks the password once (and logs a refusal); this is then one
 * of the two actions allowed to return secrets, because the admin asked and proved who they are.
 */
export async function exportAllAction(_prev: ActionResult<BulkExportData>, form: FormData): Promise<ActionResult<BulkExportData>> {
  const admin = await requireAdmin();
  const input = bulkExportRequestSchema.safeParse({
    format: form.get("format"),
    q: form.get("q") || undefined,
    kind: form.get("kind") || undefined,
    status: form.get("status") || undefined,
    ids: form.get("ids") || undefined,
    includeSecrets: form.get("includeSecrets") ?? false,
    password: form.get("password") || undefined,
  });
  if (!input.success) return invalid(input.error);
  const { format, includeSecrets, password } = input.data;
  try {
    const result = await exportProfilesZip(admin, format, bulkExportSelection(input.data), { includeSecrets, password });
    const failed = result.failed.length ? `; ${result.failed.length} failed` : "";
    return {
      status: "success",
      message: `Exported ${result.written} of ${result.plan.matching} profile(s) as ${result.plan.label}${includeSecrets ? " with secrets" : ""}${failed}.`,
      data: { filename: result.filename, zipBase64: Buffer.from(result.zip).toString("base64"), written: result.written, otherKinds: result.plan.otherKinds, failed: result.failed },
    };
  } catch (error) {
    if (isAppError(error) && error.code === "unauthorized") {
      return { status: "error", code: "unauthorized", message: "Refused: nothing was exported.", fieldErrors: { password: ["That is not your password. Nothing was exported."] } };
    }
    return fromAppError(error);
  }
}
