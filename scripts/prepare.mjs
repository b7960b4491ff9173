// Runs before `npm start` (and `npm run dev` with --no-build): everything a fresh clone needs,
// without manual steps. 1) Prisma client generated, 2) DATA_DIR created and the database
// migrated (`prisma migrate deploy`, offline JS engine), 3) master key loaded or created and
// checked against the database (refuses to continue on a mismatch), 4) `next build` when the
// build is missing or older than the sources.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { alreadyRunningMessage, prepareDataDir, runningInstance } from "../lib/db/data-dir.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
process.chdir(root);
const noBuild = process.argv.includes("--no-build");
const dataDir = path.resolve(process.env.DATA_DIR ?? "data");
const databaseFile = process.env.DATABASE_FILE ? path.resolve(process.env.DATABASE_FILE) : path.join(dataDir, "console.db");
const node = process.execPath;
const bin = (pkg, file) => path.join(root, "node_modules", pkg, file);

function step(label, fn) {
  const t = Date.now();
  process.stdout.write(`[prepare] ${label}… `);
  try {
    fn();
  } catch (error) {
    process.stdout.write("failed\n");
    const out = error?.stderr?.toString?.() || error?.stdout?.toString?.() || error?.message || String(error);
    console.error(out.trim());
    process.exit(1);
  }
  process.stdout.write(`done (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
}

// A second `npm start` on a DATA_DIR in use stops here, before touching the database.
{
  const pid = runningInstance(dataDir);
  if (pid) {
    console.error(`[prepare] ${alreadyRunningMessage(pid)}. Stop it first, or start this one with another DATA_DIR.`);
    process.exit(1);
  }
}

if (!fs.existsSync(path.join(root, "lib/generated/prisma/client.ts"))) {
  step("generating Prisma client", () => execFileSync(node, [bin("prisma", "build/index.js"), "generate"], { stdio: "pipe" }));
}

// The same function the CLI runs before every command (lib/db/data-dir.mjs).
step(`migrating database in ${dataDir}`, () => prepareDataDir({ root, dataDir, databaseFile }));

// Key check through the CLI (same code the server runs at boot): creates DATA_DIR/master.key
// on first run, refuses when the database holds data encrypted with another key.
{
  const res = spawnSync(node, [bin("tsx", "dist/cli.mjs"), "--conditions=react-server", "cli/main.ts", "key", "check"], { encoding: "utf8" });
  if (res.status !== 0) {
    console.error(`[prepare] ${(res.stderr || res.stdout).trim()}`);
    console.error("[prepare] The console was not started. Nothing was changed.");
    process.exit(1);
  }
  console.log(`[prepare] ${res.stdout.trim()}`);
}

function newestSource() {
  let newest = 0;
  const dirs = ["app", "components", "lib", "public", "proxy.ts", "instrumentation.ts", "next.config.ts", "package.json", "postcss.config.mjs"];
  const walk = (p) => {
    if (!fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      if (p.endsWith("generated") || p.endsWith("node_modules")) return;
      for (const f of fs.readdirSync(p)) walk(path.join(p, f));
    } else if (!/\.test\.tsx?$/.test(p)) newest = Math.max(newest, st.mtimeMs);
  };
  for (const d of dirs) walk(path.join(root, d));
  return newest;
}

if (!noBuild) {
  const buildId = path.join(root, ".next/BUILD_ID");
  const stale = !fs.existsSync(buildId) || fs.statSync(buildId).mtimeMs < newestSource();
  if (stale) {
    console.log("[prepare] building the console (first start or changed sources; takes a minute or two)…");
    const res = spawnSync(node, [bin("next", "dist/bin/next"), "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (res.status !== 0) process.exit(res.status ?? 1);
  } else {
    console.log("[prepare] build is up to date");
  }
}
