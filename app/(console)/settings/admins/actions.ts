"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { fromAppError, invalid, type ActionResult } from "@/lib/action-result";
import { deleteAdmin, disableAdmin, enableAdmin, endSession, requireReauth, resetPassword, sessionRefOf, signOutEverywhere } from "@/lib/auth/admins";
import { adminTargetSchema, deleteAdminSchema, endSessionSchema, resetAdminPasswordSchema } from "@/lib/auth/schema";
import { clearSessionCookie, readSessionToken, requireAdmin } from "@/lib/auth/session";

/**
 * Settings → Admins. Each action: authenticate → the shared zod schema → lib/auth/admins →
 * typed result; the lib logs every change with the acting admin. Delete and reset password act on
 * another admin's account and first re-check the acting admin's password (the sign-in throttle).
 * CLI twins: `admin disable|enable|delete|reset-password|sign-out|end-session`.
 */

const PATH = "/settings/admins";

function done(message: string): ActionResult {
  revalidatePath(PATH);
  return { status: "success", message };
}

export async function disableAdminAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = adminTargetSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  try {
    await disableAdmin(admin, input.data.username);
  } catch (error) {
    return fromAppError(error);
  }
  return done(`Admin "${input.data.username}" disabled; their sessions ended.`);
}

export async function enableAdminAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = adminTargetSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  try {
    await enableAdmin(admin, input.data.username);
  } catch (error) {
    return fromAppError(error);
  }
  return done(`Admin "${input.data.username}" enabled.`);
}

export async function deleteAdminAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = deleteAdminSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  const { username, current } = input.data;
  try {
    await requireReauth(admin, current, { action: "admin.delete", summary: `Refused to delete admin "${username}"` });
    await deleteAdmin(admin, username);
  } catch (error) {
    return fromAppError(error);
  }
  return done(`Admin "${username}" deleted.`);
}

export async function resetAdminPasswordAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = resetAdminPasswordSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  const { username, current, password } = input.data;
  try {
    await requireReauth(admin, current, { action: "admin.password", summary: `Refused to reset the password of "${username}"` });
    await resetPassword(admin, username, password);
  } catch (error) {
    return fromAppError(error);
  }
  return done(`Password of "${username}" reset; their sessions ended. Give them the new password over a separate channel.`);
}

/** Sign out everywhere: every session of one admin. Your own included: then you sign in again. */
export async function signOutEverywhereAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = adminTargetSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  let count: number;
  try {
    count = await signOutEverywhere(admin, input.data.username);
  } catch (error) {
    return fromAppError(error);
  }
  if (input.data.username === admin.username) {
    await clearSessionCookie();
    redirect("/login?reason=signed-out");
  }
  return done(`Ended ${count} session${count === 1 ? "" : "s"} of "${input.data.username}".`);
}

export async function endSessionAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = endSessionSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  const own = sessionRefOf(await readSessionToken()) === input.data.ref;
  try {
    await endSession(admin, input.data.ref);
  } catch (error) {
    return fromAppError(error);
  }
  if (own) {
    await clearSessionCookie();
    redirect("/login?reason=signed-out");
  }
  return done(`Session ${input.data.ref} ended.`);
}
