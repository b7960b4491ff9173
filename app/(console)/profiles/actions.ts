"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { fromAppError, invalid, type ActionResult } from "@/lib/action-result";
import { getCurrentAdmin, requireAdmin } from "@/lib/auth/session";
import { createProfile, deleteProfile, duplicateProfile, getProfile, updateProfile } from "@/lib/profiles/dal";
import { profileInputFromForm } from "@/lib/profiles/form";
import { PROFILE_KINDS, profileInputSchema, updateProfileSchema, type ProfileKind } from "@/lib/profiles/schema";
import { AppError } from "@/lib/errors";
import { diagnoseDraft, draftCheckSchema, type DraftCheckInput, type DraftHint } from "@/lib/doctor/draft";
import { z } from "zod";

const kindSchema = z.enum(PROFILE_KINDS);
const idSchema = z.uuid({ message: "Unknown profile" });

export async function createProfileAction(kind: ProfileKind, _prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const k = kindSchema.safeParse(kind);
  if (!k.success) return { status: "error", message: "Unknown profile kind." };
  const input = profileInputSchema.safeParse(profileInputFromForm(form, k.data));
  if (!input.success) return invalid(input.error);
  let id: string;
  try {
    id = (await createProfile(admin, input.data)).id;
  } catch (error) {
    return fromAppError(error);
  }
  revalidatePath("/profiles");
  redirect(`/profiles/${id}?created=1`);
}

export async function updateProfileAction(profileId: string, _prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const pid = idSchema.safeParse(profileId);
  if (!pid.success) return { status: "error", message: "Unknown profile." };
  try {
    const current = await getProfile(admin, pid.data);
    const input = updateProfileSchema.safeParse(profileInputFromForm(form, current.kind));
    if (!input.success) return invalid(input.error);
    await updateProfile(admin, pid.data, input.data);
  } catch (error) {
    return fromAppError(error);
  }
  revalidatePath("/profiles");
  revalidatePath(`/profiles/${pid.data}`);
  redirect(`/profiles/${pid.data}?saved=1`);
}

export async function duplicateProfileAction(profileId: string, _prev: ActionResult, _form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const pid = idSchema.safeParse(profileId);
  if (!pid.success) return { status: "error", message: "Unknown profile." };
  let id: string;
  try {
    id = (await duplicateProfile(admin, pid.data)).id;
  } catch (error) {
    return fromAppError(error);
  }
  revalidatePath("/profiles");
  redirect(`/profiles/${id}/edit?duplicated=1`);
}

export async function deleteProfileAction(profileId: string, _prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const pid = idSchema.safeParse(profileId);
  if (!pid.success) return { status: "error", message: "Unknown profile." };
  try {
    const current = await getProfile(admin, pid.data);
    // The confirmation dialog asks for the name: a stray click cannot delete credentials.
    if (String(form.get("confirmName") ?? "").trim() !== current.name) {
      throw new AppError("invalid_input", `Type the profile name "${current.name}" to confirm.`, { field: "confirmName" });
    }
    await deleteProfile(admin, pid.data);
  } catch (error) {
    return fromAppError(error);
  }
  revalidatePath("/profiles");
  redirect("/profiles?deleted=1");
}

/**
 * Live validation of the profile form: the doctor's rules on the typed values (no secret
 * values: only which secrets are filled and their shape). Returns the findings per field.
 */
export async function checkProfileDraftAction(input: DraftCheckInput): Promise<DraftHint[]> {
  // Authenticated like every action, but never a redirect: a check fired by typing must not
  // take the admin off the form (the submit says "session expired" and keeps the draft).
  if (!(await getCurrentAdmin())) return [];
  const parsed = draftCheckSchema.safeParse(input);
  if (!parsed.success) return [];
  return diagnoseDraft(parsed.data);
}
