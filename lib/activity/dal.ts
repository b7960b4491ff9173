import "server-only";
import { randomUUID } from "node:crypto";
import { getDb } from "../db/client";
import type { Actor } from "../auth/actor";
import { AppError } from "../errors";
import type { Prisma } from "../generated/prisma/client";

export type ActivityOutcome = "success" | "failure" | "info";

export type ActivityInput = {
  action: string;
  outcome: ActivityOutcome;
  summary: string;
  profileId?: string | null;
  profileName?: string | null;
  durationMs?: number;
  remoteReply?: string;
  errorCode?: string;
  hint?: string;
  /** Redacted detail (transcript, changed fields). Callers redact before passing it here. */
  detail?: string;
};

export type ActivityDto = {
  id: string;
  at: string;
  actor: string;
  action: string;
  outcome: ActivityOutcome;
  profileId: string | null;
  profileName: string | null;
  summary: string;
  durationMs: number | null;
  remoteReply: string | null;
  errorCode: string | null;
  hint: string | null;
  hasDetail: boolean;
};

const MAX_TEXT = 4000;
const MAX_DETAIL = 200_000;

function clip(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  return text.length > max ? `${text.slice(0, max)}… [${text.length - max} more characters]` : text;
}

/** Records what happened. Never throws to the caller: a failed log write must not fail a send. */
export async function recordActivity(actor: Actor | { username: string }, input: ActivityInput): Promise<void> {
  try {
    await getDb().activity.create({
      data: {
        id: randomUUID(),
        actor: actor.username,
        action: input.action,
        outcome: input.outcome,
        profileId: input.profileId ?? null,
        profileName: input.profileName ?? null,
        summary: clip(input.summary, MAX_TEXT)!,
        durationMs: input.durationMs === undefined ? null : Math.round(input.durationMs),
        remoteReply: clip(input.remoteReply, MAX_TEXT) ?? null,
        errorCode: input.errorCode ?? null,
        hint: clip(input.hint, MAX_TEXT) ?? null,
        detail: clip(input.detail, MAX_DETAIL) ?? null,
      },
    });
  } catch (error) {
    console.error("activity log write failed:", error instanceof Error ? error.message : "unknown error");
  }
}

export type ActivityFilter = {
  profileId?: string;
  action?: string;
  /** Exactly this actor (as stored: username, `cli:<user>`, `monitor`). */
  actor?: string;
  outcome?: ActivityOutcome;
  from?: Date;
  to?: Date;
  query?: string;
  page?: number;
  pageSize?: number;
};

function toDto(row: Prisma.ActivityGetPayload<object>): ActivityDto {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    outcome: row.outcome as ActivityOutcome,
    profileId: row.profileId,
    profileName: row.profileName,
    summary: row.summary,
    durationMs: row.durationMs,
    remoteReply: row.remoteReply,
    errorCode: row.errorCode,
    hint: row.hint,
    hasDetail: Boolean(row.detail),
  };
}

/** Lists activity, newest first, with the total for pagination. */
export async function listActivity(_actor: Actor, filter: ActivityFilter = {}): Promise<{ items: ActivityDto[]; total: number; page: number; pageSize: number }> {
  const pageSize = Math.min(Math.max(filter.pageSize ?? 50, 1), 500);
  const page = Math.max(filter.page ?? 1, 1);
  const where: Prisma.ActivityWhereInput = {
    profileId: filter.profileId,
    outcome: filter.outcome,
    actor: filter.actor,
    at: filter.from || filter.to ? { gte: filter.from, lte: filter.to } : undefined,
    ...(filter.action ? { action: { startsWith: filter.action } } : {}),
    ...(filter.query ? { OR: [{ summary: { contains: filter.query } }, { profileName: { contains: filter.query } }, { actor: { contains: filter.query } }] } : {}),
  };
  const db = getDb();
  const [rows, total] = await Promise.all([
    db.activity.findMany({ where, orderBy: [{ at: "desc" }, { id: "desc" }], skip: (page - 1) * pageSize, take: pageSize, omit: { detail: true } }),
    db.activity.count({ where }),
  ]);
  // Details can be large transcripts: ask only which rows of this page have one.
  const withDetail = new Set(
    (await db.activity.findMany({ where: { id: { in: rows.map((r) => r.id) }, detail: { not: null } }, select: { id: true } })).map((r) => r.id),
  );
  return { items: rows.map((r) => ({ ...toDto({ ...r, detail: null }), hasDetail: withDetail.has(r.id) })), total, page, pageSize };
}

/** One entry with its stored (already redacted) detail. Throws AppError(not_found). */
export async function getActivity(_actor: Actor, id: string): Promise<ActivityDto & { detail: string | null }> {
  const row = await getDb().activity.findUnique({ where: { id } });
  if (!row) throw new AppError("not_found", `No activity entry ${id}. List entries with: npm run cli -- logs`, { field: "id" });
  return { ...toDto(row), detail: row.detail ?? null };
}

/** The stored (already redacted) detail of one entry, or null. */
export async function getActivityDetail(_actor: Actor, id: string): Promise<string | null> {
  const row = await getDb().activity.findUnique({ where: { id }, select: { detail: true } });
  return row?.detail ?? null;
}

/** The distinct action names seen, for the filter menu. */
export async function listActivityActions(_actor: Actor): Promise<string[]> {
  const rows = await getDb().activity.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } });
  return rows.map((r) => r.action);
}

/** Every actor that appears in the log, by name (the Logs page's actor filter). */
export async function listActivityActors(_actor: Actor): Promise<string[]> {
  const rows = await getDb().activity.findMany({ distinct: ["actor"], select: { actor: true }, orderBy: { actor: "asc" } });
  return rows.map((r) => r.actor);
}

/** Deletes entries older than `days`. Returns how many went. */
export async function pruneActivity(days: number): Promise<number> {
  const cutoff = new Date(Date.now() - days * 24 * 3600 * 1000);
  const res = await getDb().activity.deleteMany({ where: { at: { lt: cutoff } } });
  return res.count;
}
