import "server-only";
import type { SmtpConnectionCacheOptions } from "../mail/smtp";
import { getRelaySettings, listenConfigOf, loadRelayTls, getRelayTlsInfo, type RelayTlsInfo } from "./settings";
import { startListener, type RelayListener } from "./listener";
import { RelayWorker } from "./worker";
import { recoverSpoolOrphans, releaseDeadLeases } from "./queue";
import { ensureSpoolDir, removePartialFiles } from "./spool";
import { recordActivity } from "../activity/dal";
import type { RelaySettings } from "./schema";

/**
 * Runs the relay: recovers what a crash left (leases of dead workers on this host, spool files
 * without a queue row, half-written files), starts the delivery worker and the listener.
 * `relay serve` runs it alone; `npm start` runs it inside the console when RELAY_PORT is set or
 * the relay is enabled on the Relay page (instrumentation.ts).
 */

export type RelayHandle = {
  listener: RelayListener | null;
  worker: RelayWorker;
  tls: RelayTlsInfo | null;
  startedAt: Date;
  /** Graceful stop: 421 to new work, in-flight deliveries get the grace period, the rest stays queued. */
  stop: (graceMs?: number) => Promise<{ finished: number; released: number }>;
};

export type StartRelayOptions = {
  host?: string;
  port?: number;
  tlsPort?: number | null;
  /** Only deliver (another process listens). */
  workerOnly?: boolean;
  /** Test/bench knobs. */
  leaseMs?: number;
  pollMs?: number;
  settingsRefreshMs?: number;
  /** Upstream SMTP connection reuse (messages per connection, idle time). */
  connectionCache?: SmtpConnectionCacheOptions;
  onCommitTimed?: (ms: number) => void;
  /** The listener's policy clock (lockouts, rate limit, quota day). */
  now?: () => number;
  log?: (line: string) => void;
};

const live = globalThis as unknown as { __omcRelay?: RelayHandle };

/** The relay running in this process, if any (status pages). */
export function runningRelay(): RelayHandle | null {
  return live.__omcRelay ?? null;
}

export async function startRelay(options: StartRelayOptions = {}): Promise<RelayHandle> {
  const log = options.log ?? ((l: string) => console.log(l));
  let settings: RelaySettings = await getRelaySettings();
  const refresh = setInterval(() => {
    getRelaySettings()
      .then((s) => (settings = s))
      .catch(() => undefined);
  }, options.settingsRefreshMs ?? 5_000);
  refresh.unref();
  const current = () => settings;

  ensureSpoolDir();
  const released = await releaseDeadLeases();
  const partial = await removePartialFiles(options.workerOnly ? 3600_000 : 0);
  const recovered = await recoverSpoolOrphans(settings.lifetimeHours * 3600_000, options.workerOnly ? 60_000 : 0);
  if (released || recovered || partial) log(`[relay] recovered after a stop: ${released} delivery lease(s) of dead workers released, ${recovered} spooled message(s) re-queued, ${partial} half-received message(s) removed`);

  const worker = new RelayWorker({ settings: current, leaseMs: options.leaseMs, pollMs: options.pollMs, connectionCache: options.connectionCache, log });
  worker.start();

  let listener: RelayListener | null = null;
  let tls: RelayTlsInfo | null = null;
  if (!options.workerOnly) {
    const cfg = listenConfigOf(settings);
    const tlsPem = await loadRelayTls();
    tls = await getRelayTlsInfo();
    try {
      listener = await startListener({
        settings: current,
        tls: tlsPem,
        host: options.host ?? cfg.host,
        port: options.port ?? cfg.port,
        tlsPort: options.tlsPort === undefined ? cfg.tlsPort : options.tlsPort,
        onAccepted: () => worker.kick(),
        onCommitTimed: options.onCommitTimed,
        now: options.now,
        log,
      });
    } catch (error) {
      clearInterval(refresh);
      await worker.stop(0);
      throw error;
    }
    log(`[relay] listening on ${listener.address.host}:${listener.address.port} (STARTTLS)${listener.address.tlsPort ? ` and ${listener.address.host}:${listener.address.tlsPort} (implicit TLS)` : ""}; certificate ${tls?.source} SHA-256 ${tls?.sha256}`);
    await recordActivity({ username: "relay" }, { action: "relay.start", outcome: "info", summary: `Relay started on ${listener.address.host}:${listener.address.port}${listener.address.tlsPort ? ` and TLS port ${listener.address.tlsPort}` : ""}` });
  }

  let stopped: Promise<{ finished: number; released: number }> | null = null;
  const handle: RelayHandle = {
    listener,
    worker,
    tls,
    startedAt: new Date(),
    stop: (graceMs) =>
      (stopped ??= (async () => {
        const grace = graceMs ?? settings.stopGraceSeconds * 1000;
        clearInterval(refresh);
        const listenerDone = listener?.stop(Math.min(grace, 10_000));
        const result = await worker.stop(grace);
        await listenerDone;
        if (live.__omcRelay === handle) live.__omcRelay = undefined;
        log(`[relay] stopped: ${result.finished} delivery(ies) finished, ${result.released} left queued`);
        return result;
      })()),
  };
  live.__omcRelay = handle;
  return handle;
}
