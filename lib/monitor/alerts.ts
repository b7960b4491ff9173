import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { getDb } from "../db/client";
import { openSecret, sealSecret } from "../crypto/keyring";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { AppError } from "../errors";
import { getEnv } from "../env";
import { channelInputSchema, type ChannelInput } from "./schema";
import { ALERT_EVENT_LABELS, type AlertEvent, type AlertMessage, type CheckState, type WebhookFormat } from "./types";
import { alertTitle } from "./payloads";

/**
 * Alert channels and alerts (AlertChannel, Alert, AlertDelivery): the only code that touches
 * them. A webhook's URL and signing secret are sealed together (AES-256-GCM, AAD = channel id):
 * Teams and Slack URLs carry the token that lets anyone post. Lists show only the host.
 */

export type ChannelDto = {
  id: string;
  name: string;
  type: "webhook" | "email";
  format: WebhookFormat | "";
  /** The webhook's host (never its path or query) or the email address. */
  target: string;
  profileId: string | null;
  profileName: string | null;
  status: "ok" | "failing" | "untested";
  statusDetail: string;
  lastDeliveredAt: string | null;
  createdAt: string;
  createdBy: string;
};

export type ChannelSecrets = { url?: string; signingSecret?: string };

const channelSecretsSchema = z.object({ url: z.string().optional(), signingSecret: z.string().optional() });

type ChannelRow = Awaited<ReturnType<typeof channelRows>>[number];

async function channelRows(where: { id?: string; name?: string } = {}) {
  const rows = await getDb().alertChannel.findMany({ where, orderBy: { name: "asc" } });
  const profileIds = [...new Set(rows.map((r) => r.profileId).filter((id): id is string => Boolean(id)))];
  const names = new Map((await getDb().profile.findMany({ where: { id: { in: profileIds } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]));
  return rows.map((r) => ({ ...r, profileName: r.profileId ? (names.get(r.profileId) ?? null) : null }));
}

function toChannelDto(r: ChannelRow): ChannelDto {
  return {
    id: r.id,
    name: r.name,
    type: r.type === "email" ? "email" : "webhook",
    format: (r.format as WebhookFormat | "") ?? "",
    target: r.target,
    profileId: r.profileId,
    profileName: r.profileName,
    status: r.status === "ok" || r.status === "failing" ? r.status : "untested",
    statusDetail: r.statusDetail,
    lastDeliveredAt: r.lastDeliveredAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy,
  };
}

export async function listChannels(_actor: Actor): Promise<ChannelDto[]> {
  return (await channelRows()).map(toChannelDto);
}

/** A channel by name (the CLI's handle) or id. Throws AppError(not_found). */
export async function getChannel(_actor: Actor, nameOrId: string): Promise<ChannelDto> {
  const rows = await channelRows({ name: nameOrId });
  const row = rows[0] ?? (await channelRows({ id: nameOrId }))[0];
  if (!row) throw new AppError("not_found", `No alert channel named "${nameOrId}". List them with: npm run cli -- alert channel list`);
  return toChannelDto(row);
}

/** The channel with its decrypted secrets, for delivery only. Server-only. */
export async function loadChannelWithSecrets(id: string): Promise<{ channel: ChannelDto; secrets: ChannelSecrets } | null> {
  const row = (await channelRows({ id }))[0];
  if (!row) return null;
  const secrets = row.secrets ? channelSecretsSchema.parse(JSON.parse(await openSecret(row.secrets, row.id))) : {};
  return { channel: toChannelDto(row), secrets };
}

/** A random signing secret for a generic webhook (64 hex characters). */
export function generateSigningSecret(): string {
  return randomBytes(32).toString("hex");
}

/**
 * Creates a channel. Throws AppError(invalid_input) naming the field, AppError(conflict) for a
 * taken name. Secrets are sealed before the row is written; the result carries none.
 */
export async function createChannel(actor: Actor, raw: ChannelInput): Promise<ChannelDto> {
  const parsed = channelInputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("invalid_input", issue?.message ?? "Invalid channel", { field: issue?.path.map(String).join(".") || undefined });
  }
  const input = parsed.data;
  const db = getDb();
  if (await db.alertChannel.findUnique({ where: { name: input.name }, select: { id: true } })) {
    throw new AppError("conflict", `An alert channel named "${input.name}" already exists. Choose another name.`, { field: "name" });
  }
  const id = randomUUID();
  if (input.type === "email") {
    const profile = await db.profile.findFirst({ where: { OR: [{ id: input.profileId }, { name: input.profileId }] }, select: { id: true, name: true, kind: true } });
    if (!profile) throw new AppError("invalid_input", `No profile "${input.profileId}" to send alert emails with.`, { field: "profileId" });
    if (profile.kind === "log-only") throw new AppError("invalid_input", `Profile "${profile.name}" is log-only: it cannot send alert emails.`, { field: "profileId" });
    await db.alertChannel.create({ data: { id, name: input.name, type: "email", format: "", target: input.to, profileId: profile.id, createdBy: actor.username } });
  } else {
    const secrets: ChannelSecrets = { url: input.url, ...(input.format === "generic" ? { signingSecret: input.signingSecret } : {}) };
    await db.alertChannel.create({
      data: { id, name: input.name, type: "webhook", format: input.format, target: new URL(input.url).host, secrets: await sealSecret(JSON.stringify(secrets), id), createdBy: actor.username },
    });
  }
  const channel = await getChannel(actor, id);
  await recordActivity(actor, { action: "alert-channel.create", outcome: "success", summary: `Alert channel "${channel.name}" added: ${describeChannel(channel)}` });
  return channel;
}

export function describeChannel(c: Pick<ChannelDto, "type" | "format" | "target" | "profileName">): string {
  if (c.type === "email") return `email to ${c.target} through profile ${c.profileName ?? "(deleted)"}`;
  return `${c.format === "teams" ? "Microsoft Teams" : c.format === "slack" ? "Slack" : "generic"} webhook at ${c.target}`;
}

export async function deleteChannel(actor: Actor, nameOrId: string): Promise<{ name: string }> {
  const channel = await getChannel(actor, nameOrId);
  await getDb().alertChannel.delete({ where: { id: channel.id } });
  await recordActivity(actor, { action: "alert-channel.delete", outcome: "success", summary: `Alert channel "${channel.name}" deleted (${describeChannel(channel)})` });
  return { name: channel.name };
}

export async function setChannelStatus(id: string, status: "ok" | "failing", detail: string, deliveredAt?: Date): Promise<void> {
  await getDb().alertChannel.updateMany({ where: { id }, data: { status, statusDetail: detail.slice(0, 500), ...(deliveredAt ? { lastDeliveredAt: deliveredAt } : {}) } });
}

// ---------------------------------------------------------------------------------------------
// Alerts

export type AlertInput = {
  event: AlertEvent;
  checkId?: string | null;
  checkType: string;
  profileId?: string | null;
  profileName?: string | null;
  status: CheckState;
  message: string;
  hint?: string;
};

export type AlertDeliveryDto = { id: string; channelId: string; channelName: string; state: "pending" | "delivered" | "failed"; attempts: number; nextAttemptAt: string; lastError: string; deliveredAt: string | null };
export type AlertDto = { id: string; at: string; event: AlertEvent; checkId: string | null; check: string; profileId: string | null; profileName: string | null; status: CheckState; message: string; hint: string; deliveries: AlertDeliveryDto[] };

/** The console URL an alert links to. */
export function alertUrl(profileId: string | null | undefined): string {
  const base = getEnv().publicUrl;
  return profileId ? `${base}/profiles/${profileId}` : `${base}/alerts`;
}

export function toAlertMessage(a: Pick<AlertDto, "id" | "event" | "profileName" | "check" | "status" | "message" | "hint" | "at" | "profileId">): AlertMessage {
  return { id: a.id, event: a.event, profile: a.profileName, check: a.check, status: a.status, message: a.message, hint: a.hint, at: a.at, url: alertUrl(a.profileId) };
}

/**
 * Records an alert, queues one delivery per channel (or only `onlyChannelId`), and writes it to
 * the activity log. Delivery happens later (deliverDueAlerts): a slow receiver never holds up a check.
 */
export async function raiseAlert(at: Date, input: AlertInput, options: { onlyChannelId?: string; actor?: Actor } = {}): Promise<AlertDto> {
  const db = getDb();
  const id = randomUUID();
  const channels = await db.alertChannel.findMany({ where: options.onlyChannelId ? { id: options.onlyChannelId } : {}, select: { id: true, name: true } });
  await db.alert.create({
    data: {
      id,
      at,
      event: input.event,
      checkId: input.checkId ?? null,
      checkType: input.checkType,
      profileId: input.profileId ?? null,
      profileName: input.profileName ?? null,
      status: input.status,
      message: input.message.slice(0, 2000),
      hint: (input.hint ?? "").slice(0, 2000),
      deliveries: { create: channels.map((c) => ({ id: randomUUID(), channelId: c.id, nextAttemptAt: at })) },
    },
  });
  const alert = (await getAlert(id))!;
  const title = alertTitle(toAlertMessage(alert));
  await recordActivity(options.actor ?? { username: "monitor" }, {
    action: `alert.${input.event}`,
    outcome: input.event === "recovered" ? "success" : input.event === "test" ? "info" : "failure",
    profileId: input.profileId ?? null,
    profileName: input.profileName ?? null,
    summary: `${title}: ${input.message}${channels.length ? ` → ${channels.map((c) => c.name).join(", ")}` : " (no alert channel configured)"}`.slice(0, 4000),
    hint: input.hint || undefined,
  });
  return alert;
}

const alertInclude = { deliveries: { include: { channel: { select: { name: true } } }, orderBy: { id: "asc" } } } as const;

function toAlertDto(r: Awaited<ReturnType<typeof findAlertRows>>[number]): AlertDto {
  return {
    id: r.id,
    at: r.at.toISOString(),
    event: r.event as AlertEvent,
    checkId: r.checkId,
    check: r.checkType,
    profileId: r.profileId,
    profileName: r.profileName,
    status: r.status as CheckState,
    message: r.message,
    hint: r.hint,
    deliveries: r.deliveries.map((d) => ({
      id: d.id,
      channelId: d.channelId,
      channelName: d.channel.name,
      state: d.state as AlertDeliveryDto["state"],
      attempts: d.attempts,
      nextAttemptAt: d.nextAttemptAt.toISOString(),
      lastError: d.lastError,
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
    })),
  };
}

async function findAlertRows(where: { id?: string }, skip = 0, take = 50) {
  return getDb().alert.findMany({ where, include: alertInclude, orderBy: [{ at: "desc" }, { id: "desc" }], skip, take });
}

export async function getAlert(id: string): Promise<AlertDto | null> {
  const rows = await findAlertRows({ id });
  return rows[0] ? toAlertDto(rows[0]) : null;
}

/** Alert history, newest first, with each channel's delivery state. */
export async function listAlerts(_actor: Actor, q: { page?: number; pageSize?: number } = {}): Promise<{ items: AlertDto[]; total: number; page: number; pageSize: number }> {
  const pageSize = Math.min(Math.max(q.pageSize ?? 50, 1), 500);
  const page = Math.max(q.page ?? 1, 1);
  const [rows, total] = await Promise.all([findAlertRows({}, (page - 1) * pageSize, pageSize), getDb().alert.count()]);
  return { items: rows.map(toAlertDto), total, page, pageSize };
}

export function eventLabel(e: AlertEvent): string {
  return ALERT_EVENT_LABELS[e];
}

// ---------------------------------------------------------------------------------------------
// Delivery queue

/** Retry delays after the 1st, 2nd, … failed attempt; after the last one the delivery gives up. */
export const RETRY_DELAYS_MINUTES = [1, 5, 15, 60, 240] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MINUTES.length + 1;

/**
 * Claims up to `limit` due deliveries (pending, nextAttemptAt ≤ now, lease free) for `leaseMs`.
 * Each claim is its own conditional UPDATE, so two processes never deliver the same one at once.
 */
export async function claimDueDeliveries(now: Date, limit: number, leaseMs: number, onlyAlertId?: string): Promise<{ id: string; alertId: string; channelId: string; attempts: number }[]> {
  const db = getDb();
  const candidates = await db.alertDelivery.findMany({
    where: { state: "pending", nextAttemptAt: { lte: now }, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }], ...(onlyAlertId ? { alertId: onlyAlertId } : {}) },
    select: { id: true, alertId: true, channelId: true, attempts: true },
    orderBy: { nextAttemptAt: "asc" },
    take: limit,
  });
  const claimed = [];
  for (const c of candidates) {
    const res = await db.alertDelivery.updateMany({ where: { id: c.id, state: "pending", OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] }, data: { leaseUntil: new Date(now.getTime() + leaseMs) } });
    if (res.count === 1) claimed.push(c);
  }
  return claimed;
}

export async function markDelivery(id: string, result: { ok: true; at: Date } | { ok: false; at: Date; error: string; attempts: number; retryAt: Date | null }): Promise<void> {
  const db = getDb();
  if (result.ok) {
    await db.alertDelivery.update({ where: { id }, data: { state: "delivered", deliveredAt: result.at, attempts: { increment: 1 }, lastError: "", leaseUntil: null } });
  } else {
    await db.alertDelivery.update({
      where: { id },
      data: { state: result.retryAt ? "pending" : "failed", attempts: result.attempts, lastError: result.error.slice(0, 1000), nextAttemptAt: result.retryAt ?? result.at, leaseUntil: null },
    });
  }
}

/** When the next pending delivery is due, or null. */
export async function nextDeliveryAt(): Promise<Date | null> {
  const row = await getDb().alertDelivery.findFirst({ where: { state: "pending" }, orderBy: { nextAttemptAt: "asc" }, select: { nextAttemptAt: true } });
  return row?.nextAttemptAt ?? null;
}

/** Deletes alerts older than `days`. */
export async function pruneAlerts(now: Date, days: number): Promise<number> {
  return (await getDb().alert.deleteMany({ where: { at: { lt: new Date(now.getTime() - days * 86_400_000) } } })).count;
}

/** The alert channels that failed their last delivery (the dashboard reports them). */
export async function listFailingChannels(actor: Actor): Promise<ChannelDto[]> {
  return (await listChannels(actor)).filter((c) => c.status === "failing");
}
