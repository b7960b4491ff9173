"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { fromAppError, type ActionResult } from "@/lib/action-result";
import { requireAdmin } from "@/lib/auth/session";
import { createDevice, deleteDevice, rotateDevicePassword, setDeviceEnabled } from "@/lib/relay/devices";
import { deleteQueueMessage, retryFailedMessages, retryQueueMessage } from "@/lib/relay/queue";
import { getRelaySettings, updateRelaySettings, uploadRelayTls } from "@/lib/relay/settings";

/**
 * The Relay page's actions, each the twin of a `relay …` CLI command (same lib functions).
 * Only createDeviceAction and rotateDevicePasswordAction return the device password: once, to
 * the admin who asked, never stored and never shown again.
 */

export type DevicePasswordResult = ActionResult<{ name: string; password: string }>;

const nameSchema = z.object({ name: z.string().trim().min(1, { message: "Device name is required" }) });
const idSchema = z.object({ id: z.string().trim().min(1, { message: "Message id is required" }) });

function done(message: string): ActionResult {
  revalidatePath("/relay");
  return { status: "success", message };
}

/** Twin of `relay device add`. */
export async function createDeviceAction(_prev: DevicePasswordResult, form: FormData): Promise<DevicePasswordResult> {
  const admin = await requireAdmin();
  try {
    const d = await createDevice(admin, {
      name: String(form.get("name") ?? ""),
      profile: String(form.get("profile") ?? ""),
      allowFrom: String(form.get("allowFrom") ?? ""),
      allowIp: String(form.get("allowIp") ?? ""),
      rate: String(form.get("rate") ?? ""),
      quota: String(form.get("quota") ?? ""),
      allowPlainAuth: form.get("allowPlainAuth") ?? undefined,
      noAuth: form.get("noAuth") ?? undefined,
    });
    revalidatePath("/relay");
    return { status: "success", message: `Device "${d.name}" created. Type this password into the device now: it is shown only once.`, data: { name: d.name, password: d.password } };
  } catch (error) {
    return fromAppError(error);
  }
}

/** Twin of `relay device rotate-password`. */
export async function rotateDevicePasswordAction(_prev: DevicePasswordResult, form: FormData): Promise<DevicePasswordResult> {
  const admin = await requireAdmin();
  const input = nameSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return { status: "error", message: "Device name is required" };
  try {
    const d = await rotateDevicePassword(admin, input.data.name);
    revalidatePath("/relay");
    return { status: "success", message: `New password for "${d.name}" (the old one no longer works). It is shown only once.`, data: { name: d.name, password: d.password } };
  } catch (error) {
    return fromAppError(error);
  }
}

/** Twins of `relay device disable|enable|delete`. */
export async function setDeviceEnabledAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = nameSchema.extend({ enabled: z.enum(["true", "false"]) }).safeParse(Object.fromEntries(form));
  if (!input.success) return { status: "error", message: "Device name is required" };
  try {
    const d = await setDeviceEnabled(admin, input.data.name, input.data.enabled === "true");
    return done(`Device "${d.name}" ${d.enabled ? "enabled" : "disabled"}.`);
  } catch (error) {
    return fromAppError(error);
  }
}

export async function deleteDeviceAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = nameSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return { status: "error", message: "Device name is required" };
  try {
    await deleteDevice(admin, input.data.name);
    return done(`Device "${input.data.name}" deleted; messages it already queued are still delivered.`);
  } catch (error) {
    return fromAppError(error);
  }
}

/** Twins of `relay queue retry ID|--failed` and `relay queue delete ID`. */
export async function retryMessageAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const lifetimeMs = (await getRelaySettings()).lifetimeHours * 3600_000;
  try {
    if (form.get("failed") === "true") return done(`${await retryFailedMessages(admin, lifetimeMs)} failed message(s) queued again.`);
    const input = idSchema.safeParse(Object.fromEntries(form));
    if (!input.success) return { status: "error", message: "Message id is required" };
    await retryQueueMessage(admin, input.data.id, lifetimeMs);
    revalidatePath(`/relay/messages/${input.data.id}`);
    return done("Queued for an immediate retry.");
  } catch (error) {
    return fromAppError(error);
  }
}

export async function deleteMessageAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const input = idSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return { status: "error", message: "Message id is required" };
  try {
    await deleteQueueMessage(admin, input.data.id);
    return done("Message deleted from the queue.");
  } catch (error) {
    return fromAppError(error);
  }
}

/** The Relay settings (RELAY_PORT / RELAY_HOST / RELAY_TLS_PORT in the environment win). */
export async function updateRelaySettingsAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  try {
    const current = await getRelaySettings();
    const raw = Object.fromEntries(form);
    await updateRelaySettings(admin, { ...current, ...raw, enabled: raw.enabled ?? false });
    return done("Relay settings saved. The listener picks up a new port or TLS port at its next start; limits apply within seconds.");
  } catch (error) {
    return fromAppError(error);
  }
}

/** Stores an uploaded certificate + key (sealed like every secret). */
export async function uploadRelayTlsAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const admin = await requireAdmin();
  const certPem = String(form.get("certPem") ?? "");
  const keyPem = String(form.get("keyPem") ?? "");
  if (!certPem.trim() || !keyPem.trim()) return { status: "error", message: "Both the certificate and its private key are required", fieldErrors: { ...(certPem.trim() ? {} : { certPem: ["Paste the certificate (PEM)"] }), ...(keyPem.trim() ? {} : { keyPem: ["Paste the private key (PEM, unencrypted)"] }) } };
  try {
    const info = await uploadRelayTls(admin, certPem, keyPem);
    return done(`Certificate stored: ${info.subject}, SHA-256 ${info.sha256}. Restart the relay to use it.`);
  } catch (error) {
    return fromAppError(error);
  }
}
