import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { getCurrentAdmin } from "@/lib/auth/session";
import { getEnv } from "@/lib/env";
import { HTTP_STATUS, isAppError } from "@/lib/errors";
import { completeAuthorization } from "@/lib/tokens";

/**
 * The authorization-code redirect target (register it in Azure as a Web redirect URI). Only a
 * signed-in admin may finish a flow, and only the one who started it (checked in the DAL). The
 * admin is sent back to the profile page with the outcome; an unknown state gets a plain page,
 * because there is no profile to go back to.
 */
export async function GET(request: NextRequest): Promise<Response> {
  const base = getEnv().publicUrl;
  const admin = await getCurrentAdmin();
  if (!admin) return NextResponse.redirect(new URL("/login", base), 303);

  const q = request.nextUrl.searchParams;
  try {
    const { profileId } = await completeAuthorization(admin, { state: q.get("state") ?? "", code: q.get("code"), error: q.get("error"), errorDescription: q.get("error_description") });
    return NextResponse.redirect(new URL(`/profiles/${encodeURIComponent(profileId)}?authorized=1`, base), 303);
  } catch (error) {
    if (!isAppError(error)) throw error;
    const profileId = error.profileId;
    if (profileId) {
      // userMessage is safe by contract (decoded IdP text, never a code or token).
      const target = new URL(`/profiles/${encodeURIComponent(profileId)}`, base);
      target.searchParams.set("authError", error.hint ? `${error.userMessage} ${error.hint}` : error.userMessage);
      return NextResponse.redirect(target, 303);
    }
    return new Response(renderErrorPage(error.userMessage, error.hint), { status: HTTP_STATUS[error.code], headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function renderErrorPage(message: string, hint?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorization failed</title></head><body><main><h1>Authorization failed</h1><p role="alert">${escapeHtml(message)}</p>${hint ? `<p>${escapeHtml(hint)}</p>` : ""}<p><a href="/profiles">Back to profiles</a></p></main></body></html>`;
}
