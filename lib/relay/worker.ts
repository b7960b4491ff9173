import "server-only";
import { createHash } from "node:crypto";
import { recordActivity } from "../activity/dal";
import { claimMessages, finishAttempt, newWorkerId, releaseLease, renewLease, sweepDeliveredSpool, type ClaimedMessage } from "./queue";
import { deliverRaw, type RelayDeliveryResult } from "./deliver";
import { readSpool } from "./spool";
import { SmtpConnectionCache, type SmtpConnectionCacheOptions } from "../mail/smtp";
import type { RelaySettings } from "./schema";

/**
 * The delivery worker: claims due messages (lease), delivers each through its profile, and
 * records the attempt. Transient failures are deferred with exponential backoff and jitter (or
 * the server's Retry-After) until the message's lifetime ends; permanent ones fail at once.
 * Several workers — in several processes or on several nodes — can run against one queue.
 */

export type WorkerOptions = {
  settings: () => RelaySettings;
  /** Lease length; renewed every third of it while a delivery runs. */
  leaseMs?: number;
  /** How often the queue is looked at when nothing woke the worker. */
  pollMs?: number;
  log?: (line: string) => void;
  /** Upstream SMTP connection reuse: messages per connection and idle time (defaults 100 and 5 s). */
  connectionCache?: SmtpConnectionCacheOptions;
};

const RELAY_LOG_ACTOR = { username: "relay" };

/** Backoff for the n-th failed attempt: base·2^(n−1), capped, ×[0.75, 1.25) jitter. */
export function backoffMs(attempt: number, baseSeconds: number, maxSeconds: number, random = Math.random): number {
  const raw = Math.min(maxSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1)) * 1000;
  return Math.round(raw * (0.75 + random() * 0.5));
}

export class RelayWorker {
  readonly id = newWorkerId();
  private running = false;
  private readonly inflight = new Map<string, { profileId: string; done: Promise<void> }>();
  private wake: (() => void) | null = null;
  /** Set by kick(): something changed since the last claim, so look again before sleeping. */
  private kicked = false;
  private loop: Promise<void> | null = null;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  /** Counters since start, for status output. */
  readonly stats = { delivered: 0, deferred: 0, failed: 0 };
  /**
   * Authenticated upstream SMTP connections kept between messages of the same profile (server,
   * user, token); how many are in use at once stays within the per-profile concurrency, since a
   * delivery opens a new one only when no idle one is there.
   */
  readonly connections: SmtpConnectionCache;

  constructor(private readonly options: WorkerOptions) {
    this.leaseMs = options.leaseMs ?? 120_000;
    this.pollMs = options.pollMs ?? 1_000;
    this.connections = new SmtpConnectionCache(options.connectionCache);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Something was queued: look now instead of at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  get busy(): number {
    return this.inflight.size;
  }

  /**
   * Stops claiming, gives in-flight deliveries `graceMs` to finish, then hands the rest back to
   * the queue (due at once for the next start). Returns how many finished and how many were handed back.
   */
  async stop(graceMs: number): Promise<{ finished: number; released: number }> {
    this.running = false;
    this.kick();
    await this.loop;
    const pending = [...this.inflight.entries()];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(pending.map(([, p]) => p.done)), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    const left = [...this.inflight.keys()];
    for (const id of left) await releaseLease(id, this.id).catch(() => undefined);
    // Idle upstream connections are closed with QUIT; one still carrying a message is closed when it ends.
    await this.connections.close();
    return { finished: pending.length - left.length, released: left.length };
  }

  private async run(): Promise<void> {
    let swept = 0;
    while (this.running) {
      // Delivered messages stay viewable (headers, .eml) for a day; then their spool file goes.
      if (Date.now() - swept > 10 * 60_000) {
        swept = Date.now();
        void sweepDeliveredSpool(24 * 3600_000).catch(() => undefined);
      }
      let claimed: ClaimedMessage[] = [];
      this.kicked = false;
      try {
        const s = this.options.settings();
        const free = s.workers - this.inflight.size;
        const byProfile = new Map<string, number>();
        for (const f of this.inflight.values()) byProfile.set(f.profileId, (byProfile.get(f.profileId) ?? 0) + 1);
        claimed = await claimMessages(this.id, free, this.leaseMs, (p) => s.concurrencyPerProfile - (byProfile.get(p) ?? 0));
      } catch (error) {
        this.options.log?.(`[relay] claiming failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      for (const m of claimed) {
        const done = this.deliver(m).finally(() => {
          this.inflight.delete(m.id);
          this.kick();
        });
        this.inflight.set(m.id, { profileId: m.profileId, done });
      }
      if (!this.running) break;
      // A kick that came while claiming (a message accepted, a delivery finished) is not lost:
      // the loop looks again at once instead of sleeping until the next poll.
      if ((claimed.length === 0 && !this.kicked) || this.inflight.size >= this.options.settings().workers) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(t);
            this.wake = null;
            resolve();
          };
        });
      }
    }
  }

  private async deliver(m: ClaimedMessage): Promise<void> {
    const renew = setInterval(() => void renewLease(m.id, this.id, this.leaseMs).catch(() => undefined), Math.max(1000, this.leaseMs / 3));
    try {
      let raw: Buffer;
      try {
        raw = await readSpool(m.id);
      } catch {
        await this.finish(m, { ok: false, transient: false, error: { code: "relay.spool-missing", summary: "The message's spool file is missing", cause: "The file under the spool folder was removed or the spool folder changed (RELAY_SPOOL_DIR).", fix: "Restore the spool folder, or delete the message." }, transcript: "", durationMs: 0 });
        return;
      }
      if (createHash("sha256").update(raw).digest("hex") !== m.sha256) {
        await this.finish(m, { ok: false, transient: false, error: { code: "relay.spool-corrupt", summary: "The message's spool file does not match what was accepted", cause: "The file was changed or damaged on disk.", fix: "Check the disk; the accepted message cannot be delivered as it was received." }, transcript: "", durationMs: 0 });
        return;
      }
      let result: RelayDeliveryResult;
      try {
        result = await deliverRaw(m.profileId, { raw, mailFrom: m.mailFrom, rcptTo: m.rcptTo, messageId: m.messageId }, this.connections);
      } catch (error) {
        result = { ok: false, transient: true, error: { code: "relay.internal", summary: "Delivery failed unexpectedly", cause: error instanceof Error ? error.message : String(error), fix: "The message stays queued and is retried; see the server log." }, transcript: "", durationMs: 0 };
      }
      await this.finish(m, result);
    } finally {
      clearInterval(renew);
    }
  }

  private async finish(m: ClaimedMessage, r: RelayDeliveryResult): Promise<void> {
    const s = this.options.settings();
    if (r.ok) {
      await finishAttempt(m.id, this.id, { outcome: "delivered", durationMs: r.durationMs, summary: r.logOnly ? "Recorded (log-only profile, not sent)" : `Delivered: ${r.remoteReply}`, remoteReply: r.remoteReply, transcript: r.transcript });
      this.stats.delivered++;
      return;
    }
    const now = Date.now();
    const wait = r.retryAfterSeconds !== undefined ? Math.max(r.retryAfterSeconds * 1000, 1000 * Math.min(1, s.retryBaseSeconds)) : backoffMs(m.attempts, s.retryBaseSeconds, s.maxRetrySeconds);
    const next = new Date(now + wait);
    const expired = next.getTime() > m.expiresAt.getTime();
    const outcome = r.transient && !expired ? "deferred" : "failed";
    const summary =
      outcome === "deferred"
        ? `Deferred (attempt ${m.attempts}): ${r.error.summary}; next try ${next.toISOString()}`
        : r.transient
          ? `Failed: gave up after ${m.attempts} attempt(s) over ${formatAge(now - m.receivedAt.getTime())} (lifetime ended): ${r.error.summary}`
          : `Failed (permanent): ${r.error.summary}`;
    await finishAttempt(m.id, this.id, { outcome, durationMs: r.durationMs, errorCode: r.error.code, summary, cause: r.error.cause, fix: r.error.fix, remoteReply: r.error.remoteReply, transcript: r.transcript, nextAttemptAt: next });
    this.stats[outcome]++;
    // Activity: every final failure, and the first deferral of a message (later ones are in its attempts).
    if (outcome === "failed" || m.attempts === 1) {
      await recordActivity(RELAY_LOG_ACTOR, {
        action: outcome === "failed" ? "relay.deliver.failed" : "relay.deliver.deferred",
        outcome: "failure",
        profileId: m.profileId,
        summary: `Relay message ${m.id} ${m.messageId} from ${m.mailFrom} (device ${m.deviceName}) to ${m.rcptTo.length} recipient(s): ${summary}`,
        errorCode: r.error.code,
        remoteReply: r.error.remoteReply,
        hint: r.error.fix,
      });
    }
  }
}

function formatAge(ms: number): string {
  const h = ms / 3600_000;
  return h >= 1 ? `${h.toFixed(1)} h` : `${Math.max(1, Math.round(ms / 60_000))} min`;
}
