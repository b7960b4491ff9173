/**
 * Scenario 8 (issue 15): the scheduled checks at scale and at rest.
 *  - 1,000 token checks (Microsoft 365 app profiles, client secret) due at once, the fake Entra ID
 *    answering every token request after 100 ms: one scheduler tick must finish them in ≤ 60 s,
 *    with the IdP never seeing more concurrent requests than the configured concurrency;
 *  - the built console with the scheduler on, idle (nothing due): CPU time and RSS over a window,
 *    next to the same server with MONITOR_SCHEDULER=off.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startFakeEntra } from "@/tests/fakes/fake-entra";
import { CLIENT, SECRET, TENANT, fixtureProfile } from "@/tests/fixtures/profiles";
import type { Actor } from "@/lib/auth/actor";
import { getDb } from "@/lib/db/client";
import { createProfile } from "@/lib/profiles/dal";
import { getConsoleSettings } from "@/lib/settings/dal";
import { syncChecks } from "@/lib/monitor/dal";
import { MonitorScheduler } from "@/lib/monitor/scheduler";
import { freePort, rssOfTree, serverEnv, spawnNext, stopChild, waitFor200 } from "./server";
import { round } from "./stats";

type MonitorCtx = {
  operator: Actor;
  runDir: string;
  masterKey: string;
  quick: boolean;
  log: (m: string) => void;
  row: (scenario: string, metric: string, value: string, target: string, ok?: boolean) => void;
  results: Record<string, unknown>;
  /** Points the DAL at a fresh copy of the template database in `dir`. */
  useDb: (dir: string) => Promise<void>;
};

function cpuSeconds(pid: number): number {
  // /proc/<pid>/stat fields 14 and 15: utime and stime in clock ticks (100 per second on Linux).
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function idleServer(ctx: MonitorCtx, dir: string, scheduler: "on" | "off", windowMs: number): Promise<{ cpuPercent: number; cpuSeconds: number; rssMB: number; windowS: number }> {
  const port = await freePort();
  const child = spawnNext(port, serverEnv(dir, ctx.masterKey, { MONITOR_SCHEDULER: scheduler }), path.join(ctx.runDir, `monitor-idle-${scheduler}.log`));
  try {
    await waitFor200(`http://127.0.0.1:${port}/login`, process.hrtime.bigint(), child);
    // Let start-up settle and the first tick (2 s after start; nothing due) pass.
    await new Promise((r) => setTimeout(r, 8_000));
    const c0 = cpuSeconds(child.pid!);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, windowMs));
    const cpu = cpuSeconds(child.pid!) - c0;
    const secs = (Date.now() - t0) / 1000;
    return { cpuPercent: round((cpu / secs) * 100, 2), cpuSeconds: round(cpu, 2), rssMB: rssOfTree(child.pid!).mainMB, windowS: round(secs, 1) };
  } finally {
    await stopChild(child);
  }
}

export async function scenarioMonitor(ctx: MonitorCtx): Promise<void> {
  const N = 1000;
  const dir = path.join(ctx.runDir, "monitor");
  await ctx.useDb(dir);
  const idp = await startFakeEntra({ tenants: [TENANT], clients: [{ clientId: CLIENT, secret: [SECRET.graphClientSecret] }] });
  try {
    ctx.log(`scenario 8: seeding ${N} Microsoft 365 app profiles`);
    await getDb().$executeRawUnsafe("PRAGMA synchronous = OFF");
    for (let i = 0; i < N; i++) {
      const base = fixtureProfile("m365-app-graph", `monitored-${String(i).padStart(4, "0")}`);
      await createProfile(ctx.operator, { ...base, settings: { ...base.settings, tokenUrl: `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`, fromAddress: `mailer${i}@contoso.com` } as never });
    }
    await getDb().$executeRawUnsafe("PRAGMA synchronous = NORMAL");
    const now = new Date();
    await syncChecks(now);
    // Every token check due now (a console that was down, or the 6-hour mark for all at once).
    await getDb().check.updateMany({ where: { type: "token" }, data: { nextRunAt: now } });
    idp.setResponseDelay(100);
    const concurrency = (await getConsoleSettings()).checkConcurrency;
    const before = idp.count();
    ctx.log(`scenario 8: one scheduler tick over ${N} due token checks (IdP answers in 100 ms, concurrency ${concurrency})`);
    const scheduler = new MonitorScheduler();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const tick = await scheduler.tick();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    // CPU time of this process during the tick (the checks, SQLite, and the fake IdP's TLS, which
    // runs in this process too): what the tick costs independent of how loaded the machine is.
    const cpuS = (cpu.user + cpu.system) / 1e6;
    await scheduler.idle();
    const tokenRuns = tick.reports.filter((r) => r.type === "token");
    const ok = tokenRuns.filter((r) => r.status === "ok").length;
    const requests = idp.count() - before;
    const peak = idp.maxInFlight();
    ctx.results.monitor = {
      profiles: N,
      idpDelayMs: 100,
      concurrency,
      tickMs: round(ms, 0),
      tickCpuSeconds: round(cpuS, 1),
      loadavgDuringTick: os.loadavg().map((l) => round(l, 2)),
      checksRun: tick.ran,
      tokenChecks: tokenRuns.length,
      tokenChecksOk: ok,
      idpTokenRequests: requests,
      idpPeakConcurrentRequests: peak,
      floorMs: Math.ceil(N / concurrency) * 100,
    };
    ctx.row("8 monitor", `${N} token checks, IdP 100 ms, concurrency ${concurrency}`, `${(ms / 1000).toFixed(1)} s wall, ${cpuS.toFixed(1)} s CPU (${ok}/${tokenRuns.length} ok, ${requests} IdP requests, peak ${peak} at once; floor ${((Math.ceil(N / concurrency) * 100) / 1000).toFixed(1)} s; load ${os.loadavg()[0].toFixed(1)})`, "≤ 60 s, bounded", ms <= 60_000 && peak <= concurrency && ok === N);

    const windowMs = ctx.quick ? 15_000 : 60_000;
    ctx.log(`scenario 8: idle server with the scheduler on / off (${windowMs / 1000} s each)`);
    const on = await idleServer(ctx, dir, "on", windowMs);
    const off = await idleServer(ctx, dir, "off", windowMs);
    const load = os.loadavg().map((l) => round(l, 2));
    (ctx.results.monitor as Record<string, unknown>).idle = { schedulerOn: on, schedulerOff: off, loadavg: load, note: `${N} profiles, ${N * 2} checks, none due during the window` };
    ctx.row("8 monitor", `idle server, scheduler on (${on.windowS} s)`, `CPU ${on.cpuPercent} % (${on.cpuSeconds} s), RSS ${on.rssMB} MB`, "report");
    ctx.row("8 monitor", `idle server, scheduler off (${off.windowS} s)`, `CPU ${off.cpuPercent} % (${off.cpuSeconds} s), RSS ${off.rssMB} MB; load ${load.join(" / ")}`, "report");
  } finally {
    await idp.close();
  }
}
