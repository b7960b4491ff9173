import "server-only";
import { getCurrentAdmin } from "@/lib/auth/session";
import { HTTP_STATUS, isAppError } from "@/lib/errors";
import { exportProfile } from "@/lib/export/service";

/**
 * Download of one export WITHOUT secrets (placeholders): GET is a link, and links end up in
 * history, proxies and caches, so secrets only ever go through the password-checked server action.
 * Never cached; logged as an "export" activity. Answers 401 in plain text rather than redirecting,
 * so a download or a script never follows a redirect into the login page.
 */

const NO_STORE = { "cache-control": "no-store", "x-content-type-options": "nosniff" };

function plain(status: number, text: string): Response {
  return new Response(`${text}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...NO_STORE } });
}

/** `attachment` with an ASCII fallback name and the RFC 5987 form for anything else. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export async function GET(_request: Request, { params }: { params: Promise<{ profileId: string; format: string }> }): Promise<Response> {
  const admin = await getCurrentAdmin();
  if (!admin) return plain(401, "Sign in to the console to download exports.");
  const { profileId, format } = await params;
  try {
    const result = await exportProfile(admin, profileId, format, { includeSecrets: false, logActivity: true });
    return new Response(result.content, {
      status: 200,
      headers: { "content-type": result.contentType, "content-disposition": contentDisposition(result.filename), ...NO_STORE },
    });
  } catch (error) {
    if (!isAppError(error)) throw error;
    return plain(HTTP_STATUS[error.code], error.userMessage);
  }
}
