"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { fromAppError, invalid, type ActionResult } from "@/lib/action-result";
import { requireAdmin } from "@/lib/auth/session";
import { clearTokenCache, getAccessToken, revealAccessToken, startAuthorization } from "@/lib/tokens";
import type { AcquireResultData, RevealResultData } from "@/lib/tokens/results";

/**
 * Token actions of the Token cache page and the profile token panel. Every action checks the
 * session itself (server actions are public POST endpoints) and never returns a token value —
 * except revealTokenAction, after the admin's password was checked again (logged token.reveal).
 */


const profileIdSchema = z.uuid({ message: "Unknown profile." });
const acquireSchema = z.object({ profileId: profileIdSchema, force: z.enum(["1"]).optional() });
const profileOnlySchema = z.object({ profileId: profileIdSchema });
const revealSchema = z.object({ profileId: profileIdSchema, password: z.string().min(1, { message: "Enter your admin password." }).max(1024) });

/** The form's fields as plain strings (a File or a missing field is simply absent). */
function fieldsOf(form: FormData, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = form.get(name);
    if (typeof value === "string" && value !== "") out[name] = value;
  }
  return out;
}

function revalidate(profileId: string): void {
  revalidatePath("/tokens");
  revalidatePath(`/profiles/${profileId}`);
}

/** "Get token now": from the cache while valid, or new from the IdP; `force=1` always asks the IdP. */
export async function acquireTokenAction(_prev: ActionResult<AcquireResultData>, form: FormData): Promise<ActionResult<AcquireResultData>> {
  const admin = await requireAdmin();
  const input = acquireSchema.safeParse(fieldsOf(form, ["profileId", "force"]));
  if (!input.success) return invalid(input.error, "The request was incomplete; reload the page and try again.");
  let result: ActionResult<AcquireResultData>;
  try {
    const token = await getAccessToken(admin, input.data.profileId, { forceRefresh: input.data.force === "1" });
    const data: AcquireResultData = { source: token.source, scope: token.scope, acquiredAt: token.acquiredAt.toISOString(), expiresAt: token.expiresAt.toISOString(), claims: token.claims };
    const minutes = Math.max(0, Math.round((token.expiresAt.getTime() - Date.now()) / 60_000));
    result = {
      status: "success",
      message: token.source === "cache" ? `Served from the cache: the token is still valid for ${minutes} min.` : `New token from the identity provider, valid for ${minutes} min.`,
      data,
    };
  } catch (error) {
    result = fromAppError(error);
  }
  // Failures change state too (profile status, refresh token dropped on invalid_grant, activity).
  revalidate(input.data.profileId);
  return result;
}

/** "Clear": deletes the profile's cached tokens, refresh token included. */
export async function clearTokenAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = profileOnlySchema.safeParse(fieldsOf(form, ["profileId"]));
  if (!input.success) return invalid(input.error, "The request was incomplete; reload the page and try again.");
  let result: ActionResult;
  try {
    const { cleared } = await clearTokenCache(admin, input.data.profileId);
    result = { status: "success", message: cleared ? `Cleared ${cleared} cached token ${cleared === 1 ? "entry" : "entries"}.` : "Nothing was cached." };
  } catch (error) {
    return fromAppError(error);
  }
  revalidate(input.data.profileId);
  return result;
}

/** "Reveal token": the raw access token, only after the admin's password is checked again. */
export async function revealTokenAction(_prev: ActionResult<RevealResultData>, form: FormData): Promise<ActionResult<RevealResultData>> {
  const admin = await requireAdmin();
  const input = revealSchema.safeParse({ profileId: form.get("profileId") ?? "", password: form.get("password") ?? "" });
  if (!input.success) return invalid(input.error, "Enter your admin password.");
  let result: ActionResult<RevealResultData>;
  try {
    const token = await revealAccessToken(admin, input.data.profileId, input.data.password);
    result = {
      status: "success",
      message: "Token revealed. This was logged (token.reveal). Treat it like a password.",
      data: { accessToken: token.accessToken, expiresAt: token.expiresAt.toISOString(), scope: token.scope },
    };
  } catch (error) {
    result = fromAppError(error);
  }
  // The reveal (or refusal) is in the profile's activity list.
  revalidate(input.data.profileId);
  return result;
}

/** "Authorize": starts the authorization-code flow and sends the browser to the provider. */
export async function authorizeAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = profileOnlySchema.safeParse(fieldsOf(form, ["profileId"]));
  if (!input.success) return invalid(input.error, "The request was incomplete; reload the page and try again.");
  let url: string;
  try {
    ({ url } = await startAuthorization(admin, input.data.profileId));
  } catch (error) {
    return fromAppError(error);
  }
  // Outside the try: redirect() works by throwing.
  redirect(url);
}
