import "server-only";
import os from "node:os";
import { randomBytes } from "node:crypto";
import { getConsoleSettings } from "../settings/dal";
import { nextDeliveryAt, pruneAlerts } from "./alerts";
import { DAY, systemClock, type Clock } from "./clock";
import { listDueCheckIds, nextDueAt, pruneCheckRuns, syncChecks } from "./dal";
import { deliverDueAlerts, type DeliveryReport } from "./delivery";
import { runCheck, type CheckRunReport } from "./run";

/**
 * The one scheduler of the console server. Each tick: create missing checks, run every due
 * check (a run missed while the console was down is simply due, so it runs at the first tick),
 * `concurrency` at a time, each under its database lease; then deliver queued alerts in the
 * background. Between ticks it sleeps until the next check or delivery is due (at most
 * `pollMs`), on an unref'd timer, so an idle console does no work and never stays alive for it.
 * Tests drive tick() with an injected clock instead of start().
 */

export type SchedulerOptions = {
  clock?: Clock;
  /** Lease owner id; default host:pid:random. */
  owner?: string;
  /** Checks at a time; default the console setting (10). */
  concurrency?: number;
  /** Longest sleep between ticks (default 60 s): another process may add checks meanwhile. */
  pollMs?: number;
  /** Per webhook/email delivery attempt (default 10 s). */
  deliveryTimeoutMs?: number;
  /** First tick after start() (default 2 s): start-up stays cheap. */
  firstTickMs?: number;
};

export type TickReport = { due: number; ran: number; skipped: number; reports: CheckRunReport[] };

export function defaultOwner(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

export class MonitorScheduler {
  readonly owner: string;
  private readonly clock: Clock;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private ticking: Promise<TickReport> | undefined;
  private delivering: Promise<DeliveryReport> | undefined;
  private deliverAgain = false;
  private lastPrune = 0;
  /** Ticks completed (status line, tests). */
  ticks = 0;

  constructor(private readonly options: SchedulerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.owner = options.owner ?? defaultOwner();
  }

  /** One pass; concurrent calls share it. Never throws for a failing check. */
  tick(): Promise<TickReport> {
    this.ticking ??= this.doTick().finally(() => {
      this.ticking = undefined;
      this.ticks++;
    });
    return this.ticking;
  }

  private async doTick(): Promise<TickReport> {
    const now = this.clock.now();
    await syncChecks(now);
    const due = await listDueCheckIds(now, 5000);
    const concurrency = this.options.concurrency ?? (await getConsoleSettings()).checkConcurrency;
    const report: TickReport = { due: due.length, ran: 0, skipped: 0, reports: [] };
    const queue = [...due];
    const worker = async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        try {
          const r = await runCheck(id, { clock: this.clock, owner: this.owner }, { trigger: "schedule", requireDue: true });
          if (!r) {
            report.skipped++;
            continue;
          }
          report.ran++;
          report.reports.push(r);
          // Alerts go out while other checks still run; delivery never waits for the tick.
          if (r.alerts.length) void this.deliver();
        } catch (error) {
          console.error(`[monitor] check ${id}:`, error instanceof Error ? error.message : error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
    if (now.getTime() - this.lastPrune >= DAY) {
      this.lastPrune = now.getTime();
      const { logRetentionDays } = await getConsoleSettings();
      await pruneCheckRuns(now);
      await pruneAlerts(now, logRetentionDays);
    }
    void this.deliver();
    return report;
  }

  /** Delivers due alerts in the background (one pass at a time; a request meanwhile runs one more). */
  deliver(): Promise<DeliveryReport> {
    if (this.delivering) {
      this.deliverAgain = true;
      return this.delivering;
    }
    this.delivering = (async () => {
      const total: DeliveryReport = { delivered: 0, retrying: 0, failed: 0 };
      do {
        this.deliverAgain = false;
        try {
          const r = await deliverDueAlerts(this.clock, { timeoutMs: this.options.deliveryTimeoutMs });
          total.delivered += r.delivered;
          total.retrying += r.retrying;
          total.failed += r.failed;
        } catch (error) {
          console.error("[monitor] alert delivery:", error instanceof Error ? error.message : error);
        }
      } while (this.deliverAgain);
      return total;
    })().finally(() => {
      this.delivering = undefined;
    });
    return this.delivering;
  }

  /** Resolves when no tick and no delivery is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.ticking || this.delivering) {
      await this.ticking?.catch(() => undefined);
      await this.delivering?.catch(() => undefined);
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(this.options.firstTickMs ?? 2_000);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  get isRunning(): boolean {
    return this.running;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.loop(), ms);
    this.timer.unref();
  }

  private async loop(): Promise<void> {
    try {
      await this.tick();
    } catch (error) {
      console.error("[monitor] tick failed:", error instanceof Error ? error.message : error);
    }
    this.schedule(await this.sleepMs().catch(() => this.options.pollMs ?? 60_000));
  }

  /** Until the next check or delivery is due, between 1 s and pollMs. */
  private async sleepMs(): Promise<number> {
    const max = this.options.pollMs ?? 60_000;
    const [check, delivery] = await Promise.all([nextDueAt(), nextDeliveryAt()]);
    const next = Math.min(check?.getTime() ?? Infinity, delivery?.getTime() ?? Infinity);
    return Math.max(1_000, Math.min(max, next - this.clock.now().getTime()));
  }
}

const holder = globalThis as unknown as { __omcMonitor?: MonitorScheduler };

/** Starts the server's scheduler once per process (instrumentation.ts). */
export function startMonitorScheduler(options: SchedulerOptions = {}): MonitorScheduler {
  holder.__omcMonitor ??= new MonitorScheduler(options);
  holder.__omcMonitor.start();
  return holder.__omcMonitor;
}

/** The server's scheduler, when it runs in this process. */
export function getMonitorScheduler(): MonitorScheduler | undefined {
  return holder.__omcMonitor;
}
