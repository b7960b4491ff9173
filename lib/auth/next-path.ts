import { getEnv } from "../env";

/**
 * Where a sign-in returns to: `next` resolved against PUBLIC_URL and kept only when it stays on
 * the same origin as a plain path, and never /login itself. Control characters (a tab or line
 * break that browsers strip, turning "/\t/evil.example" into "//evil.example"), backslashes and
 * anything that resolves to a protocol-relative or foreign URL ("/..//evil.example/") give "/".
 */
export function safeNextPath(value: unknown, publicUrl: string = getEnv().publicUrl): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return "/";
  if (/[\u0000-\u001f\u007f\\]/.test(value) || !value.startsWith("/") || value.startsWith("//")) return "/";
  let base: URL;
  let resolved: URL;
  try {
    base = new URL(publicUrl);
    resolved = new URL(value, base);
  } catch {
    return "/";
  }
  if (resolved.origin !== base.origin) return "/";
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  // "/..//evil.example/" resolves to the path "//evil.example/", which a browser reads as a host.
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return "/";
  if (resolved.pathname === "/login" || resolved.pathname.startsWith("/login/")) return "/";
  return path;
}

/** /login with the reason ("expired" when a session cookie was there but the session is gone) and the way back. */
export function loginPath(opts: { expired: boolean; next?: string | null }): string {
  const q = new URLSearchParams();
  if (opts.expired) q.set("reason", "expired");
  const next = opts.next ? safeNextPath(opts.next) : "/";
  if (next !== "/") q.set("next", next);
  const s = q.toString();
  return s ? `/login?${s}` : "/login";
}
