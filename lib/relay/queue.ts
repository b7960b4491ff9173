import "server-only";
import os from "node:os";
import { randomUUID } from "node:crypto";
import { getDb } from "../db/client";
import { parseSqlDate, sqlDate, statement, withWriteRetry, writeTransaction } from "../db/sqlite";
import { AppError } from "../errors";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import type { Prisma, RelayMessage } from "../generated/prisma/client";
import { queueFilterSchema, type QueueFilterInput, type RelayState } from "./schema";
import { listSpoolIds, readSpool, readSpoolEnvelope, removeSpool, spoolFileAgeMs, spoolPath, syncSpoolDir } from "./spool";

/**
 * The relay queue (RelayMessage rows; the bytes are in the spool). Delivery is claimed with a
 * lease: a worker moves a due row to "sending" with a compare-and-set UPDATE (`WHERE id = ? AND
 * <still due>`), so of several workers — in this process, in other processes, or on other
 * nodes sharing one PostgreSQL database — exactly one wins each row. The winner renews the lease
 * while it delivers and finishes with an UPDATE fenced by its owner id; a worker that died leaves
 * a lease that expires and the row is claimed again (at-least-once delivery).
 */

export type QueueMessageDto = {
  id: string;
  state: RelayState;
  deviceName: string;
  profileId: string;
  mailFrom: string;
  rcptTo: string[];
  rcptCount: number;
  size: number;
  messageId: string;
  subject: string;
  clientIp: string;
  receivedAt: string;
  nextAttemptAt: string;
  expiresAt: string;
  attempts: number;
  lastErrorCode: string | null;
  lastError: string | null;
  deliveredAt: string | null;
  remoteReply: string | null;
};

export type AttemptDto = {
  id: string;
  at: string;
  worker: string;
  ok: boolean;
  outcome: "delivered" | "deferred" | "failed";
  durationMs: number;
  errorCode: string | null;
  summary: string;
  cause: string | null;
  fix: string | null;
  remoteReply: string | null;
  transcript: string;
};

const RCPT_PREVIEW = 50;

function toDto(row: RelayMessage): QueueMessageDto {
  const rcpt = JSON.parse(row.rcptTo) as string[];
  return {
    id: row.id,
    state: row.state as RelayState,
    deviceName: row.deviceName,
    profileId: row.profileId,
    mailFrom: row.mailFrom,
    rcptTo: rcpt.slice(0, RCPT_PREVIEW),
    rcptCount: row.rcptCount,
    size: row.size,
    messageId: row.messageId,
    subject: row.subject,
    clientIp: row.clientIp,
    receivedAt: row.receivedAt.toISOString(),
    nextAttemptAt: row.nextAttemptAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    attempts: row.attempts,
    lastErrorCode: row.lastErrorCode,
    lastError: row.lastError,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    remoteReply: row.remoteReply,
  };
}

export type EnqueueInput = {
  id: string;
  deviceId: string | null;
  deviceName: string;
  profileId: string;
  mailFrom: string;
  rcptTo: string[];
  size: number;
  sha256: string;
  messageId: string;
  subject: string;
  clientIp: string;
  receivedAt: Date;
  lifetimeMs: number;
};

// The relay's hot path runs on the raw connection (lib/db/sqlite.ts): prepared statements, one
// synchronous transaction per group of messages.
const INSERT_MESSAGE = `INSERT INTO "RelayMessage" ("id", "deviceId", "deviceName", "profileId", "state", "mailFrom", "rcptTo", "rcptCount", "firstRcpt", "size", "sha256", "messageId", "subject", "clientIp", "receivedAt", "nextAttemptAt", "expiresAt", "attempts", "updatedAt") VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`;
const COUNT_DEVICE = `UPDATE "RelayDevice" SET "acceptedCount" = "acceptedCount" + ?, "lastSeenAt" = ?, "lastSeenIp" = ? WHERE "id" = ?`;

/** Inserts queue rows and counts each device's messages, in one transaction (all or none). */
function insertQueueRows(inputs: readonly EnqueueInput[]): void {
  const now = sqlDate(Date.now());
  writeTransaction(() => {
    const insert = statement(INSERT_MESSAGE);
    const devices = new Map<string, { n: number; at: Date; ip: string }>();
    for (const m of inputs) {
      const received = sqlDate(m.receivedAt);
      insert.run(m.id, m.deviceId, m.deviceName, m.profileId, m.mailFrom, JSON.stringify(m.rcptTo), m.rcptTo.length, (m.rcptTo[0] ?? "").toLowerCase(), m.size, m.sha256, m.messageId, m.subject.slice(0, 500), m.clientIp, received, received, sqlDate(m.receivedAt.getTime() + m.lifetimeMs), now);
      if (m.deviceId) {
        const d = devices.get(m.deviceId);
        devices.set(m.deviceId, { n: (d?.n ?? 0) + 1, at: d && d.at > m.receivedAt ? d.at : m.receivedAt, ip: m.clientIp });
      }
    }
    const count = statement(COUNT_DEVICE);
    for (const [id, d] of devices) count.run(d.n, sqlDate(d.at), d.ip, id);
  });
}

/** Writes the queue row of a message whose spool file is already durable (and counts the device's message). One commit. */
export async function enqueueMessage(input: EnqueueInput): Promise<void> {
  await withWriteRetry(() => insertQueueRows([input]));
}

type PendingCommit = { input: EnqueueInput; resolve: () => void; reject: (error: unknown) => void };
const pendingCommits: PendingCommit[] = [];
let committing = false;

/**
 * Group commit of accepted messages whose spool files are sealed (fsynced and renamed, see
 * SpoolWriter.seal): one directory fsync and one database transaction for every message that
 * arrived while the previous group was being written. Resolves once this message's file and row
 * are durable — only then may the client get its 250 — and rejects if the row could not be
 * written (the file is removed, so a resend is not duplicated at the next start). An idle relay
 * commits a lone message at once; nothing waits for a timer.
 */
export function commitAccepted(input: EnqueueInput): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    pendingCommits.push({ input, resolve, reject });
    if (!committing) void runGroupCommits();
  });
}

async function runGroupCommits(): Promise<void> {
  committing = true;
  try {
    while (pendingCommits.length > 0) {
      const group = pendingCommits.splice(0, 1000);
      try {
        await syncSpoolDir();
        await withWriteRetry(() => insertQueueRows(group.map((g) => g.input)));
        for (const g of group) g.resolve();
      } catch (error) {
        for (const g of group) {
          await removeSpool(g.input.id).catch(() => undefined);
          g.reject(error);
        }
      }
    }
  } finally {
    committing = false;
  }
}

/** Messages a device sent since the start of the current UTC day (for the daily quota). */
export async function countDeviceToday(deviceId: string, now = new Date()): Promise<number> {
  const start = new Date(now);
  start.setUTCHours(0, 0, 0, 0);
  return getDb().relayMessage.count({ where: { deviceId, receivedAt: { gte: start } } });
}

// ---------------------------------------------------------------------------------------------
// Claim / lease

export type ClaimedMessage = { id: string; profileId: string; mailFrom: string; rcptTo: string[]; attempts: number; expiresAt: Date; receivedAt: Date; size: number; sha256: string; messageId: string; deviceName: string };

/** This process's worker id: host, pid and a random part (a restarted pid is another owner). */
export function newWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

const CLAIM_COLUMNS = `"id", "profileId", "mailFrom", "rcptTo", "attempts", "expiresAt", "receivedAt", "size", "sha256", "messageId", "deviceName", "nextAttemptAt"`;
// One statement per state, each walking the (state, nextAttemptAt) index in order: no sort of
// every due row, however long the queue.
const DUE_IN_STATE = `SELECT ${CLAIM_COLUMNS} FROM "RelayMessage" WHERE "state" = ? AND "nextAttemptAt" <= ? ORDER BY "nextAttemptAt" LIMIT ?`;
const LEASE_EXPIRED = `SELECT ${CLAIM_COLUMNS} FROM "RelayMessage" WHERE "state" = 'sending' AND "leaseUntil" < ? LIMIT ?`;
// The compare-and-set: only a row that is still due (or whose lease is still expired) is taken.
const CLAIM = `UPDATE "RelayMessage" SET "state" = 'sending', "leaseOwner" = ?, "leaseUntil" = ?, "attempts" = "attempts" + 1, "updatedAt" = ? WHERE "id" = ? AND (("state" IN ('queued', 'deferred') AND "nextAttemptAt" <= ?) OR ("state" = 'sending' AND "leaseUntil" < ?))`;

type ClaimRow = { id: string; profileId: string; mailFrom: string; rcptTo: string; attempts: number; expiresAt: string; receivedAt: string; size: number; sha256: string; messageId: string; deviceName: string; nextAttemptAt: string };

/**
 * Claims up to `limit` due messages for `owner`, at most `capacity(profileId)` per profile.
 * Each row is taken with a compare-and-set UPDATE; a row another worker (process, node) took in
 * between is skipped. Returns the claimed rows.
 */
export async function claimMessages(owner: string, limit: number, leaseMs: number, capacity: (profileId: string) => number): Promise<ClaimedMessage[]> {
  if (limit <= 0) return [];
  const now = sqlDate(Date.now());
  const take = Math.max(limit * 4, 16);
  const candidates = [...(statement(DUE_IN_STATE).all("queued", now, take) as ClaimRow[]), ...(statement(DUE_IN_STATE).all("deferred", now, take) as ClaimRow[]), ...(statement(LEASE_EXPIRED).all(now, take) as ClaimRow[])].sort((a, b) => (a.nextAttemptAt < b.nextAttemptAt ? -1 : a.nextAttemptAt > b.nextAttemptAt ? 1 : 0));
  if (candidates.length === 0) return [];
  const leaseUntil = sqlDate(Date.now() + leaseMs);
  return withWriteRetry(() =>
    writeTransaction(() => {
      const claim = statement(CLAIM);
      const taken = new Map<string, number>();
      const out: ClaimedMessage[] = [];
      for (const c of candidates) {
        if (out.length >= limit) break;
        if ((taken.get(c.profileId) ?? 0) >= capacity(c.profileId)) continue;
        // Lost the race: another worker took it between the read and the compare-and-set.
        if (claim.run(owner, leaseUntil, now, c.id, now, now).changes !== 1) continue;
        taken.set(c.profileId, (taken.get(c.profileId) ?? 0) + 1);
        out.push({ id: c.id, profileId: c.profileId, mailFrom: c.mailFrom, rcptTo: JSON.parse(c.rcptTo) as string[], attempts: c.attempts + 1, expiresAt: parseSqlDate(c.expiresAt), receivedAt: parseSqlDate(c.receivedAt), size: c.size, sha256: c.sha256, messageId: c.messageId, deviceName: c.deviceName });
      }
      return out;
    }),
  );
}

/** Extends the lease; false when another worker took the row (the lease had expired). */
export async function renewLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
  const res = await getDb().relayMessage.updateMany({ where: { id, leaseOwner: owner, state: "sending" }, data: { leaseUntil: new Date(Date.now() + leaseMs) } });
  return res.count === 1;
}

export type AttemptRecord = {
  outcome: "delivered" | "deferred" | "failed";
  durationMs: number;
  errorCode?: string;
  summary: string;
  cause?: string;
  fix?: string;
  remoteReply?: string;
  transcript: string;
  /** deferred only */
  nextAttemptAt?: Date;
};

const FINISH_DELIVERED = `UPDATE "RelayMessage" SET "state" = 'delivered', "deliveredAt" = ?, "remoteReply" = ?, "leaseOwner" = NULL, "leaseUntil" = NULL, "lastErrorCode" = NULL, "lastError" = NULL, "updatedAt" = ? WHERE "id" = ? AND "leaseOwner" = ? AND "state" = 'sending'`;
const FINISH_OTHER = `UPDATE "RelayMessage" SET "state" = ?, "nextAttemptAt" = ?, "leaseOwner" = NULL, "leaseUntil" = NULL, "lastErrorCode" = ?, "lastError" = ?, "lastRemote" = ?, "updatedAt" = ? WHERE "id" = ? AND "leaseOwner" = ? AND "state" = 'sending'`;
const INSERT_ATTEMPT = `INSERT INTO "RelayAttempt" ("id", "messageId", "at", "worker", "ok", "outcome", "durationMs", "errorCode", "summary", "cause", "fix", "remoteReply", "transcript") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Records an attempt and moves the message to its new state, fenced by the lease owner: a
 * worker whose lease was taken over still records its attempt but does not change the state.
 * Returns whether the state changed.
 */
export async function finishAttempt(id: string, owner: string, a: AttemptRecord): Promise<boolean> {
  const now = sqlDate(Date.now());
  return withWriteRetry(() =>
    writeTransaction(() => {
      const res =
        a.outcome === "delivered"
          ? statement(FINISH_DELIVERED).run(now, a.remoteReply?.slice(0, 1000) ?? null, now, id, owner)
          : statement(FINISH_OTHER).run(a.outcome, sqlDate(a.nextAttemptAt ?? new Date()), a.errorCode ?? null, a.summary.slice(0, 1000), a.remoteReply?.slice(0, 1000) ?? null, now, id, owner);
      statement(INSERT_ATTEMPT).run(randomUUID(), id, now, owner, a.outcome === "delivered" ? 1 : 0, a.outcome, Math.round(a.durationMs), a.errorCode ?? null, a.summary.slice(0, 4000), a.cause?.slice(0, 4000) ?? null, a.fix?.slice(0, 4000) ?? null, a.remoteReply?.slice(0, 4000) ?? null, a.transcript.slice(0, 200_000));
      return res.changes === 1;
    }),
  );
}

/** Gives a claimed message back (graceful stop): due at once for the next worker; the attempt is not counted. */
export async function releaseLease(id: string, owner: string): Promise<void> {
  await getDb().relayMessage.updateMany({ where: { id, leaseOwner: owner, state: "sending" }, data: { state: "queued", leaseOwner: null, leaseUntil: null, nextAttemptAt: new Date(), attempts: { decrement: 1 } } });
}

/**
 * At start: leases held by workers of this host whose process is gone (kill -9) are released at
 * once instead of waiting for them to expire. Leases of other hosts are left to expire.
 */
export async function releaseDeadLeases(): Promise<number> {
  const db = getDb();
  const host = os.hostname();
  const owners = await db.relayMessage.findMany({ where: { state: "sending", leaseOwner: { startsWith: `${host}:` } }, distinct: ["leaseOwner"], select: { leaseOwner: true } });
  let n = 0;
  for (const { leaseOwner } of owners) {
    const pid = Number(leaseOwner?.split(":")[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    const res = await db.relayMessage.updateMany({ where: { state: "sending", leaseOwner }, data: { state: "queued", leaseOwner: null, leaseUntil: null, nextAttemptAt: new Date() } });
    n += res.count;
  }
  return n;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Spool files without a queue row: written and renamed, then the process died before (or, after
 * an OS crash, the database lost) the row. Their envelope line puts them back in the queue; a
 * client that never got its 250 resends, which at worst makes a recognisable duplicate
 * (same Message-ID). Files younger than `minAgeMs` may belong to a transaction still running.
 */
export async function recoverSpoolOrphans(lifetimeMs: number, minAgeMs = 60_000): Promise<number> {
  const db = getDb();
  const ids = await listSpoolIds();
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const batch = ids.slice(i, i + 500);
    const known = new Set((await db.relayMessage.findMany({ where: { id: { in: batch } }, select: { id: true } })).map((r) => r.id));
    for (const id of batch) {
      if (known.has(id) || (await spoolFileAgeMs(id)) < minAgeMs) continue;
      const env = await readSpoolEnvelope(spoolPath(id));
      if (!env) continue;
      const raw = await readSpool(id);
      const { parseHeaderFacts } = await import("./headers");
      const facts = parseHeaderFacts(raw);
      const { createHash } = await import("node:crypto");
      await enqueueMessage({ id, deviceId: null, deviceName: env.deviceName, profileId: env.profileId, mailFrom: env.mailFrom, rcptTo: env.rcptTo, size: raw.length, sha256: createHash("sha256").update(raw).digest("hex"), messageId: facts.messageId ?? "", subject: facts.subject ?? "", clientIp: env.clientIp, receivedAt: new Date(env.receivedAt), lifetimeMs });
      n++;
    }
  }
  return n;
}

/**
 * Delivered messages keep their spool file for `keepMs` (headers and .eml on the Relay page);
 * older ones are removed here. Returns how many files were removed.
 */
export async function sweepDeliveredSpool(keepMs: number): Promise<number> {
  const db = getDb();
  const ids = await listSpoolIds();
  const cutoff = new Date(Date.now() - keepMs);
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const old = await db.relayMessage.findMany({ where: { id: { in: ids.slice(i, i + 500) }, state: "delivered", deliveredAt: { lt: cutoff } }, select: { id: true } });
    for (const r of old) await removeSpool(r.id);
    n += old.length;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Console / CLI

export async function listQueue(_actor: Actor, input: QueueFilterInput = {}): Promise<{ items: QueueMessageDto[]; total: number; page: number; pageSize: number }> {
  const parsed = queueFilterSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("invalid_input", issue?.message ?? "Invalid filter", { field: issue?.path.map(String).join(".") });
  }
  const f = parsed.data;
  const where: Prisma.RelayMessageWhereInput = {
    state: f.state,
    deviceName: f.device || undefined,
    ...(f.sender ? { mailFrom: { contains: f.sender.toLowerCase() } } : {}),
    ...(f.recipient ? { rcptTo: { contains: f.recipient.toLowerCase() } } : {}),
    ...(f.since || f.until ? { receivedAt: { gte: f.since, lte: f.until } } : {}),
  };
  const db = getDb();
  const [rows, total] = await Promise.all([
    db.relayMessage.findMany({ where, orderBy: [{ receivedAt: "desc" }, { id: "desc" }], skip: (f.page - 1) * f.pageSize, take: f.pageSize }),
    db.relayMessage.count({ where }),
  ]);
  return { items: rows.map(toDto), total, page: f.page, pageSize: f.pageSize };
}

async function rowById(id: string): Promise<RelayMessage> {
  const row = await getDb().relayMessage.findUnique({ where: { id } });
  if (!row) throw new AppError("not_found", `No queued message with id ${id}`, { field: "id", hint: "List the queue with: npm run cli -- relay queue list" });
  return row;
}

export type QueueMessageDetail = QueueMessageDto & { rcptAll: string[]; headers: string; attemptLog: AttemptDto[] };

/** The message with its envelope, headers (first 64 KB of the header block) and every attempt. */
export async function getQueueMessage(_actor: Actor, id: string): Promise<QueueMessageDetail> {
  const row = await rowById(id);
  const attempts = await getDb().relayAttempt.findMany({ where: { messageId: id }, orderBy: { at: "asc" } });
  let headers = "";
  try {
    const raw = await readSpool(id);
    const { headerBlock } = await import("./headers");
    headers = headerBlock(raw);
  } catch {
    headers = row.state === "delivered" ? "(delivered more than a day ago: the message itself is no longer kept)" : "(spool file missing)";
  }
  return {
    ...toDto(row),
    rcptAll: JSON.parse(row.rcptTo) as string[],
    headers,
    attemptLog: attempts.map((a) => ({ id: a.id, at: a.at.toISOString(), worker: a.worker, ok: a.ok, outcome: a.outcome as AttemptDto["outcome"], durationMs: a.durationMs, errorCode: a.errorCode, summary: a.summary, cause: a.cause, fix: a.fix, remoteReply: a.remoteReply, transcript: a.transcript })),
  };
}

/** Makes a deferred or failed message due now (and gives it a new lifetime if it had expired). */
export async function retryQueueMessage(actor: Actor, id: string, lifetimeMs: number): Promise<QueueMessageDto> {
  const row = await rowById(id);
  if (row.state === "delivered") throw new AppError("conflict", "This message was already delivered", { field: "id" });
  if (row.state === "sending") throw new AppError("conflict", "This message is being delivered right now", { field: "id" });
  try {
    await readSpool(id);
  } catch {
    throw new AppError("conflict", "The message's spool file is gone: it cannot be sent again", { field: "id" });
  }
  const now = new Date();
  const updated = await getDb().relayMessage.update({ where: { id }, data: { state: "queued", nextAttemptAt: now, expiresAt: row.expiresAt < new Date(now.getTime() + 60_000) ? new Date(now.getTime() + lifetimeMs) : row.expiresAt } });
  await recordActivity(actor, { action: "relay.queue.retry", outcome: "success", summary: `Relay message ${id} (${row.messageId}) from ${row.mailFrom} queued for an immediate retry` });
  return toDto(updated);
}

export async function retryFailedMessages(actor: Actor, lifetimeMs: number): Promise<number> {
  const db = getDb();
  const now = new Date();
  const res = await db.relayMessage.updateMany({ where: { state: "failed" }, data: { state: "queued", nextAttemptAt: now, expiresAt: new Date(now.getTime() + lifetimeMs) } });
  await recordActivity(actor, { action: "relay.queue.retry", outcome: "success", summary: `${res.count} failed relay messages queued again` });
  return res.count;
}

export async function deleteQueueMessage(actor: Actor, id: string): Promise<void> {
  const row = await rowById(id);
  if (row.state === "sending") throw new AppError("conflict", "This message is being delivered right now; try again in a moment", { field: "id" });
  await getDb().relayMessage.delete({ where: { id } });
  await removeSpool(id);
  await recordActivity(actor, { action: "relay.queue.delete", outcome: "success", summary: `Relay message ${id} (${row.messageId}) from ${row.mailFrom} to ${row.rcptCount} recipient(s) deleted from the queue (state ${row.state})` });
}

/** The message as received (.eml). */
export async function exportQueueMessage(actor: Actor, id: string): Promise<{ filename: string; bytes: Buffer }> {
  const row = await rowById(id);
  let bytes: Buffer;
  try {
    bytes = await readSpool(id);
  } catch {
    throw new AppError("not_found", "The message's spool file is gone", { field: "id" });
  }
  await recordActivity(actor, { action: "relay.queue.export", outcome: "success", summary: `Relay message ${id} (${row.messageId}) exported as .eml` });
  return { filename: `${id}.eml`, bytes };
}

// ---------------------------------------------------------------------------------------------
// Statistics

export type QueueCounts = Record<RelayState, number>;

export async function countQueue(): Promise<QueueCounts> {
  const groups = await getDb().relayMessage.groupBy({ by: ["state"], _count: { _all: true } });
  const out: QueueCounts = { queued: 0, sending: 0, deferred: 0, delivered: 0, failed: 0 };
  for (const g of groups) out[g.state as RelayState] = g._count._all;
  return out;
}

export type HourBucket = { hour: string; accepted: number; delivered: number; deferred: number; failed: number };

/** Accepted / delivered / deferred / failed per hour (UTC) over the last `hours`. */
export async function hourlyStats(hours: number): Promise<HourBucket[]> {
  const db = getDb();
  const since = new Date(Date.now() - hours * 3600_000);
  since.setUTCMinutes(0, 0, 0);
  const sinceIso = since.toISOString().slice(0, 13);
  // Counters per hour (RelayHourStat, kept by triggers with every insert and delete): at most
  // 168 rows for 7 days, whatever the length of the queue.
  const rows = await db.relayHourStat.findMany({ where: { hour: { gte: sinceIso } } });
  const buckets = new Map<string, HourBucket>();
  for (let t = since.getTime(); t <= Date.now(); t += 3600_000) {
    const h = new Date(t).toISOString().slice(0, 13);
    buckets.set(h, { hour: `${h}:00Z`, accepted: 0, delivered: 0, deferred: 0, failed: 0 });
  }
  for (const r of rows) {
    const b = buckets.get(r.hour);
    if (b) Object.assign(b, { accepted: r.accepted, delivered: r.delivered, deferred: r.deferred, failed: r.failed });
  }
  return [...buckets.values()];
}

export type RelayHealth = {
  queued: number;
  sending: number;
  deferred: number;
  failed: number;
  /** Messages waiting (queued + sending + deferred). */
  depth: number;
  /** Age in seconds of the oldest message still waiting in "deferred" (null when none). */
  oldestDeferredAgeSeconds: number | null;
  /** Failed deliveries (final) in the last 24 hours. */
  failedLast24h: number;
  deliveredLast24h: number;
  /** Enabled devices not seen for `silentAfterHours` (never seen counts from creation). */
  silentDevices: { name: string; lastSeenAt: string | null }[];
};

/**
 * Relay health for dashboards and monitoring (issue 15): queue depth, the oldest deferred
 * message's age, recent failures and devices that went quiet.
 */
export async function getRelayHealth(options: { silentAfterHours?: number } = {}): Promise<RelayHealth> {
  const db = getDb();
  const counts = await countQueue();
  const oldest = await db.relayMessage.findFirst({ where: { state: "deferred" }, orderBy: { receivedAt: "asc" }, select: { receivedAt: true } });
  const dayAgo = new Date(Date.now() - 24 * 3600_000);
  const [failedLast24h, deliveredLast24h] = await Promise.all([
    db.relayMessage.count({ where: { state: "failed", updatedAt: { gte: dayAgo } } }),
    db.relayMessage.count({ where: { state: "delivered", deliveredAt: { gte: dayAgo } } }),
  ]);
  const silentSince = new Date(Date.now() - (options.silentAfterHours ?? 24) * 3600_000);
  const silent = await db.relayDevice.findMany({
    where: { enabled: true, OR: [{ lastSeenAt: { lt: silentSince } }, { lastSeenAt: null, createdAt: { lt: silentSince } }] },
    select: { name: true, lastSeenAt: true },
    orderBy: { name: "asc" },
  });
  return {
    queued: counts.queued,
    sending: counts.sending,
    deferred: counts.deferred,
    failed: counts.failed,
    depth: counts.queued + counts.sending + counts.deferred,
    oldestDeferredAgeSeconds: oldest ? Math.round((Date.now() - oldest.receivedAt.getTime()) / 1000) : null,
    failedLast24h,
    deliveredLast24h,
    silentDevices: silent.map((d) => ({ name: d.name, lastSeenAt: d.lastSeenAt?.toISOString() ?? null })),
  };
}
