import "server-only";
import { randomUUID } from "node:crypto";
import { getDb } from "../db/client";
import { getRow, sqlDate, statement, withWriteRetry, writeTransaction } from "../db/sqlite";
import type { Actor } from "../auth/actor";
import { AppError } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import type { ProfileKind } from "../profiles/schema";
import { DAY, MINUTE } from "./clock";
import type { AlertingState } from "./decide";
import type { CheckState, CheckStatus, CheckType } from "./types";

/**
 * The monitor's tables (Check, CheckRun): the only code that touches them. Checks are created
 * per profile by syncChecks; the scheduler and `check run` claim a check through its lease
 * columns before running it, so one check never runs twice at once — in one process or across
 * the console server and the CLI.
 */

/** Kinds that have an OAuth token to check. */
export const TOKEN_KINDS: readonly ProfileKind[] = ["m365-delegated", "m365-app-graph", "m365-app-smtp", "m365-auth-code", "google-service-account", "oauth2-generic"];

export const DEFAULT_INTERVAL_MINUTES: Record<CheckType, number> = { token: 6 * 60, expiry: 24 * 60, canary: 60, relay: 5 };
/** Refresh tokens of authorization-code profiles lapse after 90 days unused: refresh at least weekly. */
export const AUTH_CODE_MAX_INTERVAL_MINUTES = 7 * 24 * 60;
export const MIN_INTERVAL_MINUTES = 5;
export const MAX_INTERVAL_MINUTES = 30 * 24 * 60;

/** The one relay health check (console-wide, no profile). */
export const RELAY_CHECK_ID = "relay:console";

export type CheckDto = {
  id: string;
  type: CheckType;
  profileId: string | null;
  profileName: string | null;
  profileKind: ProfileKind | null;
  enabled: boolean;
  intervalMinutes: number;
  config: Record<string, unknown>;
  nextRunAt: string;
  lastRunAt: string | null;
  status: CheckState;
  message: string;
  hint: string;
  durationMs: number | null;
  alertState: "ok" | "failing";
  failingSince: string | null;
  /** Another run holds the lease right now. */
  running: boolean;
};

export type CheckRow = Prisma.CheckGetPayload<{ include: { profile: { select: { name: true; kind: true } } } }>;

export function checkId(type: CheckType, subject: string): string {
  return `${type}:${subject}`;
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

export function toCheckDto(row: CheckRow, now: Date): CheckDto {
  return {
    id: row.id,
    type: row.type as CheckType,
    profileId: row.profileId,
    profileName: row.profile?.name ?? null,
    profileKind: (row.profile?.kind as ProfileKind | undefined) ?? null,
    enabled: row.enabled,
    intervalMinutes: row.intervalMinutes,
    config: parseJson(row.config),
    nextRunAt: row.nextRunAt.toISOString(),
    lastRunAt: row.lastRunAt?.toISOString() ?? null,
    status: row.lastStatus as CheckState,
    message: row.lastMessage,
    hint: row.lastHint,
    durationMs: row.lastDurationMs,
    alertState: row.alertState === "failing" ? "failing" : "ok",
    failingSince: row.failingSince?.toISOString() ?? null,
    running: Boolean(row.leaseUntil && row.leaseUntil.getTime() > now.getTime()),
  };
}

const withProfile = { profile: { select: { name: true, kind: true } } } as const;

/**
 * Creates the missing checks: token health for every profile with a token, expiry for every
 * profile. Two light queries when nothing is missing. A new expiry check runs at once (no
 * network); a new token check first runs one interval later (the admin just tested the profile).
 */
export async function syncChecks(now: Date): Promise<number> {
  const db = getDb();
  const [profiles, existing, devices] = await Promise.all([
    db.profile.findMany({ select: { id: true, kind: true } }),
    db.check.findMany({ where: { type: { in: ["token", "expiry", "relay"] } }, select: { id: true } }),
    db.relayDevice.count(),
  ]);
  const have = new Set(existing.map((c) => c.id));
  const data: Prisma.CheckCreateManyInput[] = [];
  // The relay's health, once the relay has devices: one console-wide check.
  if (devices > 0 && !have.has(RELAY_CHECK_ID)) data.push({ id: RELAY_CHECK_ID, type: "relay", profileId: null, intervalMinutes: DEFAULT_INTERVAL_MINUTES.relay, nextRunAt: now });
  for (const p of profiles) {
    if (TOKEN_KINDS.includes(p.kind as ProfileKind) && !have.has(checkId("token", p.id))) {
      const interval = DEFAULT_INTERVAL_MINUTES.token;
      data.push({ id: checkId("token", p.id), type: "token", profileId: p.id, intervalMinutes: interval, nextRunAt: new Date(now.getTime() + interval * MINUTE) });
    }
    if (!have.has(checkId("expiry", p.id))) data.push({ id: checkId("expiry", p.id), type: "expiry", profileId: p.id, intervalMinutes: DEFAULT_INTERVAL_MINUTES.expiry, nextRunAt: now });
  }
  if (data.length === 0) return 0;
  // Another process may create the same rows meanwhile: insert one by one and skip duplicates.
  let created = 0;
  for (let i = 0; i < data.length; i += 500) {
    const chunk = data.slice(i, i + 500);
    try {
      created += (await db.check.createMany({ data: chunk })).count;
    } catch {
      for (const row of chunk) {
        try {
          await db.check.create({ data: row });
          created++;
        } catch {
          // created by another process
        }
      }
    }
  }
  return created;
}

export async function listChecks(_actor: Actor, now: Date, filter: { profileId?: string; type?: CheckType } = {}): Promise<CheckDto[]> {
  const rows = await getDb().check.findMany({ where: { profileId: filter.profileId, type: filter.type }, include: withProfile, orderBy: [{ profileId: "asc" }, { type: "asc" }] });
  return rows
    .map((r) => toCheckDto(r, now))
    .sort((a, b) => Number(a.profileName === null) - Number(b.profileName === null) || (a.profileName ?? "").localeCompare(b.profileName ?? "") || a.type.localeCompare(b.type));
}

// Every run claims, reads and finishes its check: prepared statements on the raw connection
// (lib/db/sqlite.ts) instead of Prisma queries (~0.8 ms of CPU each), for 1,000s of checks a tick.
const CHECK_WITH_PROFILE = `SELECT c.*, p."name" AS "profileName", p."kind" AS "profileKind" FROM "Check" c LEFT JOIN "Profile" p ON p."id" = c."profileId" WHERE c."id" = ?`;

export async function findCheckRow(id: string): Promise<CheckRow | null> {
  const row = getRow<Omit<CheckRow, "profile"> & { profileName: string | null; profileKind: string | null }>(CHECK_WITH_PROFILE, id);
  if (!row) return null;
  const { profileName, profileKind, ...check } = row;
  return { ...check, profile: profileName === null || profileKind === null ? null : { name: profileName, kind: profileKind } };
}

/** Ids of enabled checks due at `now` whose lease is free, oldest due first. */
export async function listDueCheckIds(now: Date, limit: number): Promise<string[]> {
  const rows = await getDb().check.findMany({
    where: { enabled: true, nextRunAt: { lte: now }, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
    select: { id: true },
    orderBy: { nextRunAt: "asc" },
    take: limit,
  });
  return rows.map((r) => r.id);
}

/** When the next enabled check is due (the scheduler sleeps until then), or null. */
export async function nextDueAt(): Promise<Date | null> {
  const row = await getDb().check.findFirst({ where: { enabled: true }, orderBy: { nextRunAt: "asc" }, select: { nextRunAt: true } });
  return row?.nextRunAt ?? null;
}

/**
 * Takes the lease of a check: one UPDATE … WHERE the lease is free (SQLite serialises writers,
 * so of two racing processes exactly one gets count 1). With `requireDue` the check must also
 * still be due — a run that finished in another process meanwhile moved nextRunAt on.
 */
const CLAIM_CHECK = `UPDATE "Check" SET "leaseOwner" = ?, "leaseUntil" = ? WHERE "id" = ? AND ("leaseUntil" IS NULL OR "leaseUntil" < ?)`;
const CLAIM_DUE_CHECK = `${CLAIM_CHECK} AND "enabled" = 1 AND "nextRunAt" <= ?`;

export async function claimCheck(id: string, owner: string, now: Date, leaseMs: number, requireDue: boolean): Promise<boolean> {
  const at = sqlDate(now);
  const until = sqlDate(now.getTime() + leaseMs);
  const res = await withWriteRetry(() => (requireDue ? statement(CLAIM_DUE_CHECK).run(owner, until, id, at, at) : statement(CLAIM_CHECK).run(owner, until, id, at)));
  return res.changes === 1;
}

export async function releaseCheck(id: string, owner: string): Promise<void> {
  await getDb().check.updateMany({ where: { id, leaseOwner: owner }, data: { leaseOwner: null, leaseUntil: null } });
}

export type RunRecord = {
  status: CheckStatus;
  message: string;
  hint: string;
  durationMs: number;
  latencyMs?: number;
  trigger: "schedule" | "manual";
  alerting: AlertingState;
  warned: Record<string, number>;
  config?: Record<string, unknown>;
};

/** Stores a finished run, schedules the next one and releases the lease, in one transaction. */
const INSERT_RUN = `INSERT INTO "CheckRun" ("id", "checkId", "at", "status", "message", "durationMs", "latencyMs", "trigger") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const FINISH_CHECK = `UPDATE "Check" SET "lastRunAt" = ?, "nextRunAt" = ?, "lastStatus" = ?, "lastMessage" = ?, "lastHint" = ?, "lastDurationMs" = ?, "alertState" = ?, "failingSince" = ?, "lastAlertAt" = ?, "warned" = ?, "config" = COALESCE(?, "config"), "leaseOwner" = NULL, "leaseUntil" = NULL WHERE "id" = ? AND "leaseOwner" = ?`;

export async function finishCheck(id: string, owner: string, now: Date, intervalMinutes: number, run: RunRecord): Promise<void> {
  const at = sqlDate(now);
  const date = (d: Date | null | undefined) => (d ? sqlDate(d) : null);
  await withWriteRetry(() =>
    writeTransaction(() => {
      statement(INSERT_RUN).run(randomUUID(), id, at, run.status, run.message.slice(0, 2000), Math.round(run.durationMs), run.latencyMs === undefined ? null : Math.round(run.latencyMs), run.trigger);
      statement(FINISH_CHECK).run(at, sqlDate(now.getTime() + intervalMinutes * MINUTE), run.status, run.message.slice(0, 2000), run.hint.slice(0, 2000), Math.round(run.durationMs), run.alerting.alertState, date(run.alerting.failingSince), date(run.alerting.lastAlertAt), JSON.stringify(run.warned), run.config ? JSON.stringify(run.config) : null, id, owner);
    }),
  );
}

/** The latest run of a check (what `check run` shows when another process ran it). */
export async function latestRun(id: string): Promise<{ at: Date; status: string; message: string; durationMs: number; latencyMs: number | null } | null> {
  return getDb().checkRun.findFirst({ where: { checkId: id }, orderBy: { at: "desc" }, select: { at: true, status: true, message: true, durationMs: true, latencyMs: true } });
}

export async function countRuns(id: string): Promise<number> {
  return getDb().checkRun.count({ where: { checkId: id } });
}

/** Canary latencies since `from`, oldest first (the dashboard chart). */
export async function listCanaryLatencies(_actor: Actor, from: Date): Promise<{ checkId: string; profileName: string; at: string; latencyMs: number | null; status: string }[]> {
  const rows = await getDb().checkRun.findMany({
    where: { at: { gte: from }, check: { type: "canary" } },
    select: { checkId: true, at: true, latencyMs: true, status: true, check: { select: { profile: { select: { name: true } } } } },
    orderBy: { at: "asc" },
    take: 20_000,
  });
  return rows.map((r) => ({ checkId: r.checkId, profileName: r.check.profile?.name ?? r.checkId, at: r.at.toISOString(), latencyMs: r.latencyMs, status: r.status }));
}

/** Changes how a check runs. Throws AppError(invalid_input) naming the field. */
export async function updateCheckRow(id: string, data: { enabled?: boolean; intervalMinutes?: number; config?: Record<string, unknown>; nextRunAt?: Date }): Promise<void> {
  const res = await getDb().check.updateMany({ where: { id }, data: { ...data, config: data.config ? JSON.stringify(data.config) : undefined } });
  if (res.count === 0) throw new AppError("not_found", "Check not found.");
}

export async function createCheckRow(data: { id: string; type: CheckType; profileId: string | null; intervalMinutes: number; config: Record<string, unknown>; nextRunAt: Date; enabled: boolean }): Promise<void> {
  await getDb().check.upsert({
    where: { id: data.id },
    create: { ...data, config: JSON.stringify(data.config) },
    update: { intervalMinutes: data.intervalMinutes, config: JSON.stringify(data.config), enabled: data.enabled },
  });
}

export async function deleteCheckRow(id: string): Promise<boolean> {
  return (await getDb().check.deleteMany({ where: { id } })).count > 0;
}

/** Deletes check runs older than `days` (default 30). */
export async function pruneCheckRuns(now: Date, days = 30): Promise<number> {
  return (await getDb().checkRun.deleteMany({ where: { at: { lt: new Date(now.getTime() - days * DAY) } } })).count;
}

/** Relayed messages that failed for good in the last 24 hours, per device name. */
export async function countRecentRelayFailuresByDevice(): Promise<Map<string, number>> {
  const groups = await getDb().relayMessage.groupBy({ by: ["deviceName"], where: { state: "failed", updatedAt: { gte: new Date(Date.now() - DAY) } }, _count: { _all: true } });
  return new Map(groups.map((g) => [g.deviceName, g._count._all]));
}

/** The last messages per device that set its usual interval. */
const USUAL_INTERVAL_SAMPLES = 20;

/**
 * Relay devices that have been quiet for longer than usual: more than 3× the median gap between
 * their last 20 messages (at least an hour), for devices with 3 or more messages. A printer that
 * sends every 10 minutes is noticed after 30 of silence, a nightly job after three nights.
 */
export async function listDevicesSilentLongerThanUsual(now: Date): Promise<{ name: string; lastSeenAt: string; usualMinutes: number }[]> {
  const rows = await getDb().$queryRaw<{ deviceId: string; receivedAt: Date | string | number }[]>`
    SELECT deviceId, receivedAt FROM (
      SELECT deviceId, receivedAt, ROW_NUMBER() OVER (PARTITION BY deviceId ORDER BY receivedAt DESC) AS rn
      FROM RelayMessage WHERE deviceId IS NOT NULL
    ) WHERE rn <= ${USUAL_INTERVAL_SAMPLES}`;
  const byDevice = new Map<string, number[]>();
  for (const r of rows) {
    const t = r.receivedAt instanceof Date ? r.receivedAt.getTime() : typeof r.receivedAt === "number" ? r.receivedAt : /^\d+$/.test(r.receivedAt) ? Number(r.receivedAt) : Date.parse(r.receivedAt);
    byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), t]);
  }
  const devices = await getDb().relayDevice.findMany({ where: { enabled: true, id: { in: [...byDevice.keys()] } }, select: { id: true, name: true, lastSeenAt: true } });
  const out = [];
  for (const d of devices) {
    const times = (byDevice.get(d.id) ?? []).sort((a, b) => a - b);
    if (times.length < 3) continue;
    const gaps = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
    const usual = gaps[Math.floor(gaps.length / 2)];
    const last = Math.max(d.lastSeenAt?.getTime() ?? 0, times[times.length - 1]);
    if (now.getTime() - last > Math.max(3 * usual, 60 * MINUTE)) out.push({ name: d.name, lastSeenAt: new Date(last).toISOString(), usualMinutes: Math.max(1, Math.round(usual / MINUTE)) });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
