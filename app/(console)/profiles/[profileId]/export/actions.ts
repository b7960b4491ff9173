"use server";
import { z } from "zod";
import { fromAppError, invalid, type ActionResult } from "@/lib/action-result";
import { requireAdmin } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import type { SecretExportData } from "@/lib/export/results";
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
