/**
 * Scenario 7: `npm start` on an already built tree, to the first 200 from /login.
 *
 * `npm start` = `node scripts/prepare.mjs` (prestart: Prisma client check, `prisma migrate
 * deploy`, master-key check through the CLI, build-freshness check) then `next start`. The
 * benchmark runs exactly those two commands, but passes prepare.mjs `--no-build`: on a tree whose
 * sources are newer than .next/BUILD_ID (other people editing while this runs) plain prepare.mjs
 * would start a full `next build`, which is not what this scenario measures. Whether the build is
 * up to date is reported next to the numbers.
 *
 * Two situations: "restart" (a DATA_DIR with a migrated database and an admin, as after any
 * earlier start: /login answers 200) and "first start" (an empty DATA_DIR: the database is
 * created and migrated, and /login redirects to the setup page, whose 200 counts).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT, freePort, serverEnv, spawnNext, stopChild, track, waitFor200 } from "./server";
import { msSince } from "./stats";

export type StartupRun = { kind: "restart" | "first start"; prepareMs: number; nextStartMs: number; totalMs: number; answeredBy: string };

/** The same freshness rule as scripts/prepare.mjs (newest source file vs .next/BUILD_ID). */
export function buildIsFresh(): { fresh: boolean; buildId: string; builtAt: string; newestSource: string } {
  const buildIdFile = path.join(ROOT, ".next/BUILD_ID");
  let newest = 0;
  let newestFile = "";
  const walk = (p: string) => {
    if (!fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      if (p.endsWith("generated") || p.endsWith("node_modules")) return;
      for (const f of fs.readdirSync(p)) walk(path.join(p, f));
    } else if (!/\.test\.tsx?$/.test(p) && st.mtimeMs > newest) {
      newest = st.mtimeMs;
      newestFile = path.relative(ROOT, p);
    }
  };
  for (const d of ["app", "components", "lib", "public", "proxy.ts", "instrumentation.ts", "next.config.ts", "package.json", "postcss.config.mjs"]) walk(path.join(ROOT, d));
  const built = fs.statSync(buildIdFile).mtimeMs;
  return { fresh: built >= newest, buildId: fs.readFileSync(buildIdFile, "utf8").trim(), builtAt: new Date(built).toISOString(), newestSource: `${newestFile} ${new Date(newest).toISOString()}` };
}

function runPrepare(env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  const log = fs.openSync(logFile, "a");
  const child = track(spawn(process.execPath, [path.join(ROOT, "scripts/prepare.mjs"), "--no-build"], { cwd: ROOT, env, stdio: ["ignore", log, log], detached: true }));
  fs.closeSync(log);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void stopChild(child), 120_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`prepare.mjs exited ${code}; see ${logFile}`));
    });
  });
}

/** One start: prepare.mjs --no-build, then next start, polling /login. `dataDir` is prepared by the caller. */
export async function measureStartup(kind: StartupRun["kind"], dataDir: string, logFile: string, masterKey: string): Promise<StartupRun> {
  const env = serverEnv(dataDir, masterKey);
  const port = await freePort();
  const t0 = process.hrtime.bigint();
  await runPrepare(env, logFile);
  const prepareMs = msSince(t0);
  const t1 = process.hrtime.bigint();
  const child = spawnNext(port, env, logFile);
  try {
    const answered = await waitFor200(`http://127.0.0.1:${port}/login`, t1, child);
    return { kind, prepareMs, nextStartMs: answered.ms, totalMs: msSince(t0), answeredBy: answered.path };
  } finally {
    await stopChild(child);
  }
}
