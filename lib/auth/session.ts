import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { SESSION_COOKIE } from "../constants";
import { getEnv } from "../env";
import type { Actor } from "./actor";
import { resolveSession } from "./admins";
import { CLIENT_IP_HEADER } from "../http/gate-constants";
import { REQUEST_PATH_HEADER } from "../constants";
import { loginPath } from "./next-path";
import { normalizeIp } from "../http/client-ip";

export { SESSION_COOKIE } from "../constants";

export async function setSessionCookie(token: string, expiresAt: Date): Promise<void> {
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: getEnv().cookieSecure,
    path: "/",
    expires: expiresAt,
  });
}

export async function clearSessionCookie(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
}

export async function readSessionToken(): Promise<string | undefined> {
  return (await cookies()).get(SESSION_COOKIE)?.value;
}

/** The signed-in admin for this request, or null. Cached per request. */
export const getCurrentAdmin = cache(async (): Promise<Actor | null> => resolveSession(await readSessionToken()));

/**
 * The gate of every page and server action: the signed-in admin, or a redirect to /login.
 * Server actions are public POST endpoints, so each one calls this itself.
 */
export async function requireAdmin(): Promise<Actor> {
  const admin = await getCurrentAdmin();
  if (!admin) redirect(loginPath({ expired: Boolean(await readSessionToken()), next: (await headers()).get(REQUEST_PATH_HEADER) }));
  return admin;
}

/**
 * The client address: set by the request gate from the socket (and X-Forwarded-For only as far
 * as TRUST_PROXY allows); a client-sent value of that header is removed before it gets here.
 */
export async function clientMeta(): Promise<{ ip: string; userAgent?: string }> {
  const h = await headers();
  return { ip: normalizeIp(h.get(CLIENT_IP_HEADER)) ?? "unknown", userAgent: h.get("user-agent") ?? undefined };
}
