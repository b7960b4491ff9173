import "server-only";
import os from "node:os";
import { randomUUID } from "node:crypto";
import { getDb } from "../db/client";
import { AppError } from "../errors";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import type { Prisma, RelayMessage } from "../generated/prisma/client";
import { queueFilterSchema, type QueueFilterInput, type RelayState } from "./schema";
import { listSpoolIds, readSpool, readSpoolEnvelope, removeSpool, spoolFileAgeMs, spoolPath } from "./spool";

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

/** Writes the queue row (the spool file is already durable) and counts the device's message. One commit. */
export async function enqueueMessage(input: EnqueueInput): Promise<void> {
  const db = getDb();
  const create = db.relayMessage.create({
    data: {
      id: input.id,
      deviceId: input.deviceId,
      deviceName: input.deviceName,
      profileId: input.profileId,
      state: "queued",
      mailFrom: input.mailFrom,
      rcptTo: JSON.stringify(input.rcptTo),
      rcptCount: input.rcptTo.length,
      firstRcpt: (input.rcptTo[0] ?? "").toLowerCase(),
      size: input.size,
      sha256: input.sha256,
      messageId: input.messageId,
      subject: input.subject.slice(0, 500),
      clientIp: input.clientIp,
      receivedAt: input.receivedAt,
      nextAttemptAt: input.receivedAt,
      expiresAt: new Date(input.receivedAt.getTime() + input.lifetimeMs),
    },
  });
  await create;
  // The device's counters are not part of the durable write the 250 waits for.
  if (input.deviceId) void db.relayDevice.updateMany({ where: { id: input.deviceId }, data: { acceptedCount: { increment: 1 }, lastSeenAt: input.receivedAt, lastSeenIp: input.clientIp } }).catch(() => undefined);
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

function dueWhere(now: Date): Prisma.RelayMessageWhereInput {
  return { OR: [{ state: { in: ["queued", "deferred"] }, nextAttemptAt: { lte: now } }, { state: "sending", leaseUntil: { lt: now } }] };
}

/**
 * Claims up to `limit` due messages for `owner`, at most `capacity(profileId)` per profile.
 * Each row is taken with a compare-and-set UPDATE; a row another worker took in between is
 * skipped. Returns the claimed rows.
 */
export async function claimMessages(owner: string, limit: number, leaseMs: number, capacity: (profileId: string) => number): Promise<ClaimedMessage[]> {
  if (limit <= 0) return [];
  const db = getDb();
  const now = new Date();
  const candidates = await db.relayMessage.findMany({
    where: dueWhere(now),
    orderBy: [{ nextAttemptAt: "asc" }],
    take: Math.max(limit * 4, 16),
    select: { id: true, profileId: true, mailFrom: true, rcptTo: true, attempts: true, expiresAt: true, receivedAt: true, size: true, sha256: true, messageId: true, deviceName: true },
  });
  const taken = new Map<string, number>();
  const out: ClaimedMessage[] = [];
  for (const c of candidates) {
    if (out.length >= limit) break;
    if ((taken.get(c.profileId) ?? 0) >= capacity(c.profileId)) continue;
    const res = await db.relayMessage.updateMany({
      where: { id: c.id, ...dueWhere(now) },
      data: { state: "sending", leaseOwner: owner, leaseUntil: new Date(Date.now() + leaseMs), attempts: { increment: 1 } },
    });
    // Lost the race: another worker took it between the read and the compare-and-set.
    if (res.count !== 1) continue;
    taken.set(c.profileId, (taken.get(c.profileId) ?? 0) + 1);
    out.push({ ...c, rcptTo: JSON.parse(c.rcptTo) as string[], attempts: c.attempts + 1 });
  }
  return out;
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

/**
 * Records an attempt and moves the message to its new state, fenced by the lease owner: a
 * worker whose lease was taken over still records its attempt but does not change the state.
 * Returns whether the state changed.
 */
export async function finishAttempt(id: string, owner: string, a: AttemptRecord): Promise<boolean> {
  const db = getDb();
  const now = new Date();
  const data: Prisma.RelayMessageUpdateManyMutationInput =
    a.outcome === "delivered"
      ? { state: "delivered", deliveredAt: now, remoteReply: a.remoteReply?.slice(0, 1000) ?? null, leaseOwner: null, leaseUntil: null, lastErrorCode: null, lastError: null }
      : { state: a.outcome, nextAttemptAt: a.nextAttemptAt ?? now, leaseOwner: null, leaseUntil: null, lastErrorCode: a.errorCode ?? null, lastError: a.summary.slice(0, 1000), lastRemote: a.remoteReply?.slice(0, 1000) ?? null };
  const [res] = await db.$transaction([
    db.relayMessage.updateMany({ where: { id, leaseOwner: owner, state: "sending" }, data }),
    db.relayAttempt.create({
      data: {
        id: randomUUID(),
        messageId: id,
        at: now,
        worker: owner,
        ok: a.outcome === "delivered",
        outcome: a.outcome,
        durationMs: Math.round(a.durationMs),
        errorCode: a.errorCode ?? null,
        summary: a.summary.slice(0, 4000),
        cause: a.cause?.slice(0, 4000) ?? null,
        fix: a.fix?.slice(0, 4000) ?? null,
        remoteReply: a.remoteReply?.slice(0, 4000) ?? null,
        transcript: a.transcript.slice(0, 200_000),
      },
    }),
  ]);
  return res.count === 1;
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
  const accepted = await db.$queryRawUnsafe<{ h: string; n: bigint | number }[]>(`SELECT substr(receivedAt, 1, 13) AS h, COUNT(*) AS n FROM RelayMessage WHERE receivedAt >= ? GROUP BY h`, sinceIso);
  const attempts = await db.$queryRawUnsafe<{ h: string; outcome: string; n: bigint | number }[]>(`SELECT substr(at, 1, 13) AS h, outcome, COUNT(*) AS n FROM RelayAttempt WHERE at >= ? GROUP BY h, outcome`, sinceIso);
  const buckets = new Map<string, HourBucket>();
  for (let t = since.getTime(); t <= Date.now(); t += 3600_000) {
    const h = new Date(t).toISOString().slice(0, 13);
    buckets.set(h, { hour: `${h}:00Z`, accepted: 0, delivered: 0, deferred: 0, failed: 0 });
  }
  for (const a of accepted) {
    const b = buckets.get(a.h);
    if (b) b.accepted += Number(a.n);
  }
  for (const a of attempts) {
    const b = buckets.get(a.h);
    if (b && (a.outcome === "delivered" || a.outcome === "deferred" || a.outcome === "failed")) b[a.outcome] += Number(a.n);
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
