/**
 * The built console as the benchmark runs it: `next start` on 127.0.0.1 with a throwaway
 * DATA_DIR, plus the helpers to time requests, call server actions and read the server's RSS.
 * Every child is started in its own process group and remembered, so stopAll() (also called on
 * failure and on SIGINT) ends exactly the processes the benchmark started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { msSince } from "./stats";
import { serverArgv, serverNodeArgs } from "../scripts/server-command.mjs";

export const ROOT = path.resolve(__dirname, "..");

const children = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Stops one child (SIGTERM, then SIGKILL after `graceMs`). */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  killGroup(child, "SIGTERM");
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c)));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export type RunningServer = { child: ChildProcess; port: number; base: string; pid: number; log: string };

/** Environment of a console process: a throwaway DATA_DIR, the bench's master key, the CA bundle. */
export function serverEnv(dataDir: string, masterKey: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, CONSOLE_MASTER_KEY: masterKey, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", ...extra };
  delete env.DATABASE_FILE;
  delete env.OMC_BENCH_CHILD;
  // The bench itself runs with the react-server condition; the server must not inherit it.
  delete env.NODE_OPTIONS;
  // For experiments with the server's runtime flags (e.g. heap sizes); not set by `npm run bench`.
  if (process.env.BENCH_SERVER_NODE_OPTIONS) env.NODE_OPTIONS = process.env.BENCH_SERVER_NODE_OPTIONS;
  return env;
}

/** Spawns `node [flags] next start -p PORT -H 127.0.0.1`: what `npm start` runs after prepare.mjs. */
export function spawnNext(port: number, env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const log = fs.openSync(logFile, "a");
  // BENCH_SERVER_NODE_ARGS replaces the start script's node flags, for experiments.
  const override = process.env.BENCH_SERVER_NODE_ARGS;
  const argv = serverArgv(ROOT, port, "127.0.0.1");
  if (override !== undefined) argv.splice(0, serverNodeArgs(ROOT).length, ...override.split(" ").filter(Boolean));
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env,
    stdio: ["ignore", log, log],
    detached: true,
  });
  fs.closeSync(log);
  return track(child);
}

/**
 * Polls GET `url` until it answers 200 — or redirects (a console without an admin sends /login
 * to /setup) to a page on the same server that answers 200. Returns the milliseconds since
 * `start` and the path that answered.
 */
export async function waitFor200(url: string, start: bigint, child: ChildProcess, timeoutMs = 60_000): Promise<{ ms: number; path: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before answering ${url}`);
    try {
      let res = await request(url, { timeoutMs: 5000 });
      let at = new URL(url);
      if (res.status >= 300 && res.status < 400 && typeof res.headers.location === "string") {
        at = new URL(res.headers.location, url);
        res = await request(at.href, { timeoutMs: 5000 });
      }
      last = String(res.status);
      if (res.status === 200) return { ms: msSince(start), path: at.pathname };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no 200 from ${url} within ${timeoutMs} ms (last: ${last})`);
}

export async function startServer(dataDir: string, masterKey: string, logFile: string): Promise<RunningServer & { startMs: number }> {
  const port = await freePort();
  const start = process.hrtime.bigint();
  const child = spawnNext(port, serverEnv(dataDir, masterKey), logFile);
  const base = `http://127.0.0.1:${port}`;
  const { ms: startMs } = await waitFor200(`${base}/login`, start, child);
  return { child, port, base, pid: child.pid!, log: logFile, startMs };
}

// ---------------------------------------------------------------------------------------------
// HTTP

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export type TimedResponse = { status: number; headers: http.IncomingHttpHeaders; body: string; ttfbMs: number; totalMs: number };

/**
 * One HTTP request to 127.0.0.1 with timings (time to headers, time to the last byte). A GET
 * that fails with ECONNRESET is retried once: an idle keep-alive socket that the server closed
 * meanwhile (e.g. during a long seeding step) is not a server failure.
 */
export async function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; timeoutMs?: number } = {}): Promise<TimedResponse> {
  try {
    return await requestOnce(url, options);
  } catch (error) {
    if ((options.method ?? "GET") !== "GET" || (error as { code?: string }).code !== "ECONNRESET") throw error;
    return requestOnce(url, options);
  }
}

function requestOnce(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; timeoutMs?: number } = {}): Promise<TimedResponse> {
  const u = new URL(url);
  if (u.hostname !== "127.0.0.1") throw new Error(`the benchmark only talks to 127.0.0.1, not ${u.hostname}`);
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    // GETs reuse keep-alive connections (retried once on a reset, see above); anything else gets
    // its own connection, so a POST never lands on a socket the server is just closing.
    const get = (options.method ?? "GET") === "GET";
    const req = http.request(
      { host: "127.0.0.1", port: u.port, path: u.pathname + u.search, method: options.method ?? "GET", headers: get ? options.headers : { ...options.headers, Connection: "close" }, agent: get ? agent : false, timeout: options.timeoutMs ?? 60_000 },
      (res) => {
        const ttfbMs = msSince(start);
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8"), ttfbMs, totalMs: msSince(start) }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout: ${url}`)));
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export type ServerAction = { id: string; exportedName: string; filename: string; route: string };

/** Server actions of the build (server-reference-manifest.json), with a page route that uses each. */
export function readServerActions(): ServerAction[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { filename?: string; exportedName?: string; workers: Record<string, unknown> }>;
  };
  const routes = JSON.parse(fs.readFileSync(path.join(ROOT, ".next/app-path-routes-manifest.json"), "utf8")) as Record<string, string>;
  return Object.entries(manifest.node).map(([id, v]) => {
    const worker = Object.keys(v.workers)[0] ?? "";
    const route = routes[`/${worker.replace(/^app\//, "")}`] ?? "/";
    return { id, exportedName: v.exportedName ?? "", filename: v.filename ?? "", route };
  });
}

/**
 * Calls a useActionState server action the way the browser does: POST to a page with the
 * `Next-Action` header and React's reply encoding of the arguments (prevState, FormData):
 * part "0" is the argument list with the FormData as a `$K1` reference, then its fields.
 */
export async function callFormAction(base: string, cookie: string, action: ServerAction, fields: Record<string, string>, prevState: unknown = { status: "idle" }): Promise<TimedResponse> {
  const boundary = `----omcbench${Math.random().toString(16).slice(2)}`;
  // React 19.3 names the FormData's fields "_1_<name>" (earlier versions "1_<name>"; both are
  // sent, each version ignores the other's). The fields must come before part "0": the server
  // decodes the stream in order and resolves the $K1 reference when it reaches "0".
  const parts: [string, string][] = [...Object.entries(fields).flatMap(([k, v]): [string, string][] => [[`_1_${k}`, v], [`1_${k}`, v]]), ["0", JSON.stringify([prevState, "$K1"])]];
  const body = parts.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join("") + `--${boundary}--\r\n`;
  return request(`${base}${action.route}`, {
    method: "POST",
    headers: {
      "Next-Action": action.id,
      "Content-Type": `multipart/form-data; boundary=${boundary}`,
      Accept: "text/x-component",
      Origin: base,
      Cookie: cookie,
    },
    body,
  });
}

// ---------------------------------------------------------------------------------------------
// Memory

function rssKiB(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Anonymous (heap, stacks, malloc) and file-backed (code, mapped files) parts of a process's RSS, in MB. */
function rssParts(pid: number): { anonMB: number; fileMB: number } {
  try {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
    const anon = kib("Anonymous");
    return { anonMB: Math.round((anon / 1024) * 10) / 10, fileMB: Math.round(((kib("Rss") - anon) / 1024) * 10) / 10 };
  } catch {
    return { anonMB: -1, fileMB: -1 };
  }
}

/** RSS of a process (with its anonymous / file-backed split) and of its whole process tree, in MB. */
export function rssOfTree(pid: number): { mainMB: number; anonMB: number; fileMB: number; treeMB: number; processes: number } {
  const all: number[] = [];
  const walk = (p: number) => {
    all.push(p);
    for (const c of childrenOf(p)) walk(c);
  };
  walk(pid);
  const mb = (kib: number) => Math.round((kib / 1024) * 10) / 10;
  return { mainMB: mb(rssKiB(pid)), ...rssParts(pid), treeMB: mb(all.reduce((s, p) => s + rssKiB(p), 0)), processes: all.length };
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak (MB) and the number of samples. */
export function rssSampler(pid: number, everyMs = 250): { stop: () => { peakMB: number; samples: number } } {
  let peak = 0;
  let samples = 0;
  const take = () => {
    const kib = rssKiB(pid);
    if (kib > 0) {
      samples++;
      peak = Math.max(peak, kib);
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return { peakMB: Math.round((peak / 1024) * 10) / 10, samples };
    },
  };
}
