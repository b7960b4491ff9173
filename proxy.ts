import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_PATH_HEADER, SESSION_COOKIE } from "@/lib/constants";

/**
 * Optimistic checks only (the real ones are requireAdmin() in every page and action):
 * requests without a session cookie go to /login; every response gets a per-request CSP nonce
 * so Next.js scripts run without 'unsafe-inline' or 'unsafe-eval'.
 */
const PUBLIC_PATHS = ["/login", "/setup"];

function contentSecurityPolicy(nonce: string): string {
  const dev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws:" : ""}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const isPublic = PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
  // The page's own query, without the router's cache-busting parameter.
  const query = new URLSearchParams(search);
  query.delete("_rsc");
  const page = pathname + (query.size ? `?${query}` : "");
  if (!isPublic && !request.cookies.get(SESSION_COOKIE) && request.method === "GET") {
    const url = request.nextUrl.clone();
    url.pathname = "/login";
    url.search = pathname === "/" ? "" : `?next=${encodeURIComponent(page)}`;
    return NextResponse.redirect(url);
  }
  const nonce = btoa(crypto.randomUUID());
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set(REQUEST_PATH_HEADER, page);
  headers.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  // /api/profiles/… are JSON routes that check the session themselves (lib/http/api-route.ts):
  // leaving them out keeps Next from buffering their bodies (attachments) for the proxy.
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico|icon.svg|api/profiles/).*)" }],
};
