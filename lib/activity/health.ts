import "server-only";
import { getDb } from "../db/client";
import { Prisma } from "../generated/prisma/client";
import type { Actor } from "../auth/actor";

/**
 * The health strip's data: the last N "Send test" and "Test IMAP" outcomes of each profile.
 * The dashboard shows many profiles at once, so every profile's history comes from ONE query
 * (a window function per profile over the (profileId, at) index), never one query per profile.
 */

/** The activity actions that prove a profile works end to end. */
export const HEALTH_ACTIONS = ["mail.send", "imap.test"] as const;
export type HealthAction = (typeof HEALTH_ACTIONS)[number];

export type HealthOutcome = {
  /** Activity id (its transcript is at /logs/<id>). */
  id: string;
  /** ISO time. */
  at: string;
  action: HealthAction;
  ok: boolean;
  summary: string;
  durationMs: number | null;
};

/** Outcomes oldest first (left to right in the strip), at most `limit` per profile. */
export type ProfileHealth = { outcomes: HealthOutcome[]; ok: number; total: number };

export const EMPTY_HEALTH: ProfileHealth = { outcomes: [], ok: 0, total: 0 };

const MAX_LIMIT = 100;
/** SQLite allows 32766 bound parameters; a dashboard page shows far fewer profiles. */
const MAX_PROFILES = 1000;
/** Tooltips show one line; the full summary is in the log. */
const SUMMARY_CHARS = 300;

type Row = { id: string; profileId: string; at: Date | string | number; action: string; outcome: string; summary: string; durationMs: number | bigint | null };

function toIso(at: Row["at"]): string {
  const d = at instanceof Date ? at : new Date(typeof at === "string" && /^\d+$/.test(at) ? Number(at) : at);
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

/**
 * The recent send / IMAP outcomes of each profile in `profileIds`, keyed by profile id. Every
 * requested id is present in the result (an empty history when the profile was never tested).
 * Only success/failure entries count. Never throws for unknown ids; duplicates are ignored.
 */
export async function getProfileHealth(_actor: Actor, profileIds: string[], limit = 20): Promise<Record<string, ProfileHealth>> {
  const ids = [...new Set(profileIds)].slice(0, MAX_PROFILES);
  const out: Record<string, ProfileHealth> = {};
  for (const id of ids) out[id] = { outcomes: [], ok: 0, total: 0 };
  const take = Math.min(Math.max(Math.trunc(limit) || 1, 1), MAX_LIMIT);
  if (ids.length === 0) return out;

  const rows = await getDb().$queryRaw<Row[]>(Prisma.sql`
    SELECT id, profileId, at, action, outcome, summary, durationMs
    FROM (
      SELECT id, profileId, at, action, outcome, substr(summary, 1, ${SUMMARY_CHARS}) AS summary, durationMs,
             ROW_NUMBER() OVER (PARTITION BY profileId ORDER BY at DESC, id DESC) AS rn
      FROM Activity
      WHERE profileId IN (${Prisma.join(ids)})
        AND action IN (${Prisma.join([...HEALTH_ACTIONS])})
        AND outcome IN ('success', 'failure')
    )
    WHERE rn <= ${take}
    ORDER BY profileId, at ASC, id ASC`);

  for (const r of rows) {
    const health = out[r.profileId];
    if (!health) continue;
    const ok = r.outcome === "success";
    health.outcomes.push({ id: r.id, at: toIso(r.at), action: r.action as HealthAction, ok, summary: r.summary, durationMs: r.durationMs === null ? null : Number(r.durationMs) });
    health.total++;
    if (ok) health.ok++;
  }
  return out;
}
