"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { fromAppError, invalid, type ActionResult } from "@/lib/action-result";
import { requireAdmin } from "@/lib/auth/session";
import { acknowledgeFindings, unacknowledgeFindings } from "@/lib/doctor/acknowledgements";
import { acknowledgeFindingSchema } from "@/lib/doctor/schema";
import { diagnoseProfile } from "@/lib/doctor/service";
import { setupStepCheckSchema } from "@/lib/setup-guide/checks";
import { checkSetupStep } from "@/lib/setup-guide/service";

const idSchema = z.uuid({ message: "Unknown profile" });
const ruleSchema = acknowledgeFindingSchema.pick({ ruleId: true });

/** Acknowledges a doctor finding (stored, logged); it reappears when its facts change. */
export async function acknowledgeFindingAction(profileId: string, _prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const pid = idSchema.safeParse(profileId);
  if (!pid.success) return { status: "error", message: "Unknown profile." };
  const input = acknowledgeFindingSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  try {
    const { findings } = await diagnoseProfile(admin, pid.data);
    await acknowledgeFindings(admin, pid.data, findings, input.data);
  } catch (error) {
    return fromAppError(error);
  }
  revalidatePath(`/profiles/${pid.data}`);
  return { status: "success", message: "Finding acknowledged." };
}

/** Withdraws the acknowledgement of a rule's findings (logged). */
export async function unacknowledgeFindingAction(profileId: string, _prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const pid = idSchema.safeParse(profileId);
  if (!pid.success) return { status: "error", message: "Unknown profile." };
  const input = ruleSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  try {
    await unacknowledgeFindings(admin, pid.data, input.data.ruleId);
  } catch (error) {
    return fromAppError(error);
  }
  revalidatePath(`/profiles/${pid.data}`);
  return { status: "success", message: "Acknowledgement withdrawn." };
}

/** Ticks a manual setup step off, or reopens it (stored, logged). */
export async function checkSetupStepAction(profileId: string, _prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const pid = idSchema.safeParse(profileId);
  if (!pid.success) return { status: "error", message: "Unknown profile." };
  const input = setupStepCheckSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  try {
    await checkSetupStep(admin, pid.data, input.data);
  } catch (error) {
    return fromAppError(error);
  }
  revalidatePath(`/profiles/${pid.data}`);
  return { status: "success", message: input.data.checked ? "Step ticked off." : "Step reopened." };
}
