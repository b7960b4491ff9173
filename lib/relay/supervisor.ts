import "server-only";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { getRelaySettings, listenConfigOf } from "./settings";

/**
 * `npm start` runs the relay as a supervised child process (`relay serve --supervised`) when
 * RELAY_PORT is set or the relay is enabled on the Relay page: the relay keeps its own event loop
 * and memory, survives a console restart cleanly, and stops gracefully on SIGTERM (the console
 * forwards it) while Next.js exits. A crashed child is restarted with backoff; turning the relay
 * on or off in the console starts or stops it within `checkMs`.
 */

const state = globalThis as unknown as { __omcRelaySupervisor?: { stop: () => Promise<void> } };

export function startRelaySupervisor(options: { checkMs?: number; log?: (l: string) => void } = {}): void {
  if (state.__omcRelaySupervisor) return;
  const log = options.log ?? ((l: string) => console.log(l));
  let child: ChildProcess | null = null;
  let failures = 0;
  let restartAt = 0;
  let shuttingDown = false;

  const launch = () => {
    const root = process.cwd();
    // node runs the relay itself (tsx as a loader): signals and the IPC channel reach it directly.
    child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", path.join(root, "cli", "main.ts"), "relay", "serve", "--supervised"], { cwd: root, env: process.env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const started = Date.now();
    log(`[console] relay started as a supervised child (pid ${child.pid})`);
    child.once("exit", (code, signal) => {
      child = null;
      if (shuttingDown) return;
      failures = Date.now() - started > 60_000 ? 1 : failures + 1;
      const wait = Math.min(60_000, 1000 * 2 ** Math.min(6, failures - 1));
      restartAt = Date.now() + wait;
      log(`[console] relay child exited (${signal ?? `code ${code}`}); restarting in ${Math.round(wait / 1000)} s if still enabled`);
    });
  };

  const check = async () => {
    if (shuttingDown) return;
    let enabled = false;
    try {
      enabled = listenConfigOf(await getRelaySettings()).enabled;
    } catch {
      return;
    }
    if (shuttingDown) return;
    if (enabled && !child && Date.now() >= restartAt) launch();
    if (!enabled && child) {
      log("[console] relay disabled in the console: stopping it");
      child.kill("SIGTERM");
    }
  };

  const timer = setInterval(() => void check(), options.checkMs ?? 10_000);
  timer.unref();

  // Next.js exits on SIGTERM/SIGINT; the child gets the signal first and finishes on its own
  // (no new messages with 421, in-flight deliveries within the grace period, the rest queued).
  const onSignal = () => {
    shuttingDown = true;
    child?.kill("SIGTERM");
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.prependListener(signal, onSignal);

  state.__omcRelaySupervisor = {
    stop: async () => {
      shuttingDown = true;
      clearInterval(timer);
      for (const signal of ["SIGTERM", "SIGINT"] as const) process.off(signal, onSignal);
      const running = child as ChildProcess | null;
      if (running && running.exitCode === null && running.signalCode === null) {
        const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
        running.kill("SIGTERM");
        await exited;
      }
      state.__omcRelaySupervisor = undefined;
    },
  };
  void check();
}

/** Stops the supervisor and its relay child gracefully (SIGTERM, waits for the exit); tests use it. */
export async function stopRelaySupervisor(): Promise<void> {
  await state.__omcRelaySupervisor?.stop();
}
