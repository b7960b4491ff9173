/**
 * Where a sign-in returns to. Only same-site paths: `next` must not send a signed-in admin to
 * another origin (`//host`, `/\host`, `https://…` are refused), and never back to /login.
 */
export function safeNextPath(value: unknown): string {
  const v = typeof value === "string" ? value : "";
  if (!v.startsWith("/") || v.startsWith("//") || v.startsWith("/\\") || /[\u0000-\u001f]/.test(v)) return "/";
  if (v === "/login" || v.startsWith("/login?") || v.startsWith("/login/")) return "/";
  return v;
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
