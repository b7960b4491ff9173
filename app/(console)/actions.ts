"use server";
import { redirect } from "next/navigation";
import { cookies } from "next/headers";
import { THEME_COOKIE, parseTheme } from "@/components/layout/theme";
import { signOut } from "@/lib/auth/admins";
import { clearSessionCookie, readSessionToken, requireAdmin } from "@/lib/auth/session";

export async function signOutAction(): Promise<void> {
  const admin = await requireAdmin();
  await signOut(admin, await readSessionToken());
  await clearSessionCookie();
  redirect("/login?reason=signed-out");
}

/** "Stay signed in" of the idle warning: any authenticated request renews the session's last-seen time. */
export async function keepAliveAction(): Promise<void> {
  await requireAdmin();
}

/** The theme toggle: stores the choice in a cookie that the root layout reads. */
export async function setThemeAction(form: FormData): Promise<void> {
  await requireAdmin();
  const theme = parseTheme(String(form.get("theme") ?? ""));
  (await cookies()).set(THEME_COOKIE, theme, { path: "/", maxAge: 365 * 86_400, sameSite: "lax", httpOnly: false });
}
