import "server-only";
import { backupRequestSchema } from "@/lib/auth/schema";
import { createBackupDownload } from "@/lib/backup/download";
import { apiError, apiErrorFrom, guardFormPost } from "@/lib/http/api-route";
import { fieldErrorsOf } from "@/lib/action-result";

/**
 * Settings → "Download backup": POST the admin's password (form-encoded), get the database
 * snapshot as an attachment. A POST with the password and never a GET link: the download needs
 * re-authentication and must not sit in history or caches. Twin of `cli backup --out FILE`.
 */
export async function POST(request: Request): Promise<Response> {
  const guard = await guardFormPost(request, { maxBodyBytes: 4096 });
  if (!guard.ok) return guard.response;
  const input = backupRequestSchema.safeParse(guard.fields);
  if (!input.success) return apiError(400, "invalid_input", "Enter your password to download a backup.", { fieldErrors: fieldErrorsOf(input.error) });
  try {
    const backup = await createBackupDownload(guard.admin, input.data.current);
    return new Response(backup.stream, {
      status: 200,
      headers: {
        "content-type": "application/vnd.sqlite3",
        "content-length": String(backup.bytes),
        "content-disposition": `attachment; filename="${backup.filename}"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (error) {
    return apiErrorFrom(error);
  }
}
