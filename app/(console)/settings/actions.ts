"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { fromAppError, invalid, type ActionResult } from "@/lib/action-result";
import { changePassword, createAdmin, unlockSignIn } from "@/lib/auth/admins";
import { changePasswordSchema, newPasswordSchema, unlockSignInSchema, usernameSchema } from "@/lib/auth/schema";
import { clearSessionCookie, requireAdmin } from "@/lib/auth/session";
import { updateConsoleSettings } from "@/lib/settings/dal";
import { consoleSettingsSchema } from "@/lib/settings/schema";
import { z } from "zod";

export async function updateSettingsAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = consoleSettingsSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  try {
    await updateConsoleSettings(admin, input.data);
  } catch (error) {
    return fromAppError(error);
  }
  revalidatePath("/settings");
  return { status: "success", message: "Settings saved." };
}

export async function changePasswordAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = changePasswordSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  try {
    await changePassword(admin, input.data.current, input.data.password);
  } catch (error) {
    return fromAppError(error);
  }
  // Every session of this admin ended with the change, this one included.
  await clearSessionCookie();
  redirect("/login");
}

const addAdminSchema = z.object({ username: usernameSchema, password: newPasswordSchema });

export async function addAdminAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = addAdminSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  try {
    await createAdmin(admin, input.data.username, input.data.password);
  } catch (error) {
    return fromAppError(error);
  }
  revalidatePath("/settings", "layout");
  return { status: "success", message: `Admin "${input.data.username}" created.` };
}

/** Twin of `admin unlock --username U | --ip ADDR`. */
export async function unlockSignInAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = unlockSignInSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  const target = input.data.username ? { username: input.data.username } : { ip: input.data.ip! };
  try {
    const count = await unlockSignIn(admin, target);
    revalidatePath("/settings", "layout");
    const label = "username" in target ? `"${target.username}"` : `address ${target.ip}`;
    return { status: "success", message: count ? `Unlocked sign-in for ${label}.` : `${label} was not locked.` };
  } catch (error) {
    return fromAppError(error);
  }
}
