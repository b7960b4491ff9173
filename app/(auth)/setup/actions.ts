"use server";
import { redirect } from "next/navigation";
import { fieldErrorsOf, type ActionResult } from "@/lib/action-result";
import { setupFirstAdmin, signIn } from "@/lib/auth/admins";
import { setupSchema } from "@/lib/auth/schema";
import { clientMeta, setSessionCookie } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";

// First run only: setupFirstAdmin requires the one-time code from the server log and refuses once
// any admin exists, so this public action cannot add an admin to a console that is set up.
export async function setupAdminAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const input = setupSchema.safeParse({ setupCode: form.get("setupCode"), username: form.get("username"), password: form.get("password"), confirm: form.get("confirm") });
  if (!input.success) return { status: "error", message: "Please correct the highlighted fields.", fieldErrors: fieldErrorsOf(input.error) };
  try {
    await setupFirstAdmin(input.data.username, input.data.password, input.data.setupCode);
    const session = await signIn(input.data.username, input.data.password, await clientMeta());
    await setSessionCookie(session.sessionToken, session.expiresAt);
  } catch (error) {
    if (isAppError(error)) return { status: "error", code: error.code, message: error.userMessage };
    throw error;
  }
  redirect("/");
}
