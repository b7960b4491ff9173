"use server";
import { redirect } from "next/navigation";
import { fieldErrorsOf, type ActionResult } from "@/lib/action-result";
import { signIn } from "@/lib/auth/admins";
import { signInSchema } from "@/lib/auth/schema";
import { clientMeta, setSessionCookie } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { safeNextPath } from "@/lib/auth/next-path";


// The one action without requireAdmin(): it is how an admin becomes authenticated.
export async function signInAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const input = signInSchema.safeParse({ username: form.get("username"), password: form.get("password") });
  if (!input.success) return { status: "error", message: "Enter your username and password.", fieldErrors: fieldErrorsOf(input.error) };
  try {
    const result = await signIn(input.data.username, input.data.password, await clientMeta());
    await setSessionCookie(result.sessionToken, result.expiresAt);
  } catch (error) {
    if (isAppError(error)) return { status: "error", code: error.code, message: error.userMessage };
    throw error;
  }
  redirect(safeNextPath(form.get("next")));
}
