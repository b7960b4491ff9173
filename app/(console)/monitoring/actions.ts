"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { fromAppError, invalid, type ActionResult } from "@/lib/action-result";
import { requireAdmin } from "@/lib/auth/session";
import { createChannel, deleteChannel } from "@/lib/monitor/alerts";
import { channelInputSchema, monitorConfigSchema } from "@/lib/monitor/schema";
import { configureProfileMonitoring, runChecksNow, sendTestAlert } from "@/lib/monitor/service";

/** Twin of `check run [NAME[:type]]`. */
const runSchema = z.object({ selector: z.string().trim().max(200).optional().transform((v) => v || undefined) });

export async function runChecksAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = runSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  try {
    const reports = await runChecksNow(admin, input.data.selector);
    revalidatePath("/monitoring");
    revalidatePath("/");
    const failing = reports.filter((r) => r.status === "failing").length;
    const unknown = reports.filter((r) => r.status === "unknown").length;
    const alerts = reports.reduce((n, r) => n + r.alerts.length, 0);
    const one = reports.length === 1 ? reports[0] : null;
    return {
      status: failing ? "error" : "success",
      message: one
        ? `${one.profileName ?? ""} ${one.type}: ${one.status.toUpperCase()} — ${one.message}`
        : `Ran ${reports.length} check${reports.length === 1 ? "" : "s"}: ${reports.length - failing - unknown} passed, ${failing} failing, ${unknown} undecided${alerts ? `; ${alerts} alert${alerts === 1 ? "" : "s"} raised` : ""}.`,
      ...(one?.hint && one.status !== "ok" ? { hint: one.hint } : {}),
    };
  } catch (error) {
    return fromAppError(error);
  }
}

/** Twin of `alert channel add`. */
export async function addChannelAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const raw = Object.fromEntries(form);
  const input = channelInputSchema.safeParse(raw.type === "email" ? { type: "email", name: raw.name, to: raw.to, profileId: raw.profileId } : { type: "webhook", name: raw.name, url: raw.url, format: raw.format, signingSecret: raw.signingSecret || undefined });
  if (!input.success) return invalid(input.error);
  try {
    const c = await createChannel(admin, input.data);
    revalidatePath("/monitoring");
    return { status: "success", message: `Alert channel "${c.name}" added. Send a test alert to check it.` };
  } catch (error) {
    return fromAppError(error);
  }
}

const channelIdSchema = z.object({ channelId: z.string().trim().min(1, { message: "Channel is missing; reload the page" }) });

/** Twin of `alert channel test NAME`. */
export async function testChannelAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = channelIdSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  try {
    const res = await sendTestAlert(admin, input.data.channelId);
    revalidatePath("/monitoring");
    return res.ok ? { status: "success", message: res.message } : { status: "error", message: res.message };
  } catch (error) {
    return fromAppError(error);
  }
}

/** Twin of `alert channel delete NAME`. */
export async function deleteChannelAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = channelIdSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return invalid(input.error);
  try {
    const { name } = await deleteChannel(admin, input.data.channelId);
    revalidatePath("/monitoring");
    return { status: "success", message: `Alert channel "${name}" deleted.` };
  } catch (error) {
    return fromAppError(error);
  }
}

/** Twin of `check config NAME …`: the profile page's monitoring section. */
export async function configureMonitoringAction(profileId: string, _prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const raw = Object.fromEntries(form);
  const input = monitorConfigSchema.safeParse({ ...raw, tokenIntervalHours: raw.tokenIntervalHours || undefined });
  if (!input.success) return invalid(input.error);
  try {
    await configureProfileMonitoring(admin, profileId, input.data);
    revalidatePath(`/profiles/${profileId}`);
    revalidatePath("/monitoring");
    return { status: "success", message: "Monitoring settings saved." };
  } catch (error) {
    return fromAppError(error);
  }
}
