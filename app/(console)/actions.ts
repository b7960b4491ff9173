"use server";
import { redirect } from "next/navigation";
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
