// The data directory, shared by `npm start` (scripts/prepare.mjs), the server at boot
// (lib/startup.ts), the CLI (cli/main.ts) and the e2e server: plain ESM so that plain `node`
// scripts can import it as well as TypeScript. One function migrates, one locks, one secures.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

const PID_FILE = "console.pid";

/** The message a second server on the same DATA_DIR prints. */
export function alreadyRunningMessage(pid) {
  return `the console is already running on this data directory (pid ${pid})`;
}

function isConsoleProcess(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error?.code === "EPERM";
  }
  // A pid reused by an unrelated program after a crash does not count.
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return /node|next/.test(cmd);
  } catch {
    return true;
  }
}

/** The pid of a live console server holding `dataDir`, or null (a stale pid file is ignored). */
export function runningInstance(dataDir) {
  let text;
  try {
    text = fs.readFileSync(path.join(dataDir, PID_FILE), "utf8");
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  return isConsoleProcess(pid) ? pid : null;
}

/**
 * Marks `dataDir` as used by this process (DATA_DIR/console.pid, created exclusively). Throws an
 * Error with alreadyRunningMessage() when another live server holds it. Removed at exit; a stale file (dead pid) is replaced.
 */
export function acquireInstanceLock(dataDir) {
  const file = path.join(dataDir, PID_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      const release = () => {
        try {
          if (fs.readFileSync(file, "utf8").trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
      // Next.js exits through process.exit on SIGINT/SIGTERM; after a crash the pid is dead and
      // the stale file is ignored (runningInstance checks the process).
      process.once("exit", release);
      return;
    } catch (error) {
      if (error?.code !== "EEXIST") throw error;
      const pid = runningInstance(dataDir);
      if (pid) throw new Error(alreadyRunningMessage(pid));
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not create ${file}`);
}

/** Migration folders not yet recorded as applied in the database (all of them for a new file). */
export function pendingMigrations(databaseFile, migrationsDir) {
  const all = fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(migrationsDir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort();
  if (!fs.existsSync(databaseFile)) return all;
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (!table) return all;
    const done = new Set(db.prepare("SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL").all().map((r) => r.name));
    return all.filter((m) => !done.has(m));
  } finally {
    db.close();
  }
}

/**
 * Owner-only modes: DATA_DIR 0700; the database with its WAL/SHM/journal, the master keys, the
 * pid file, pre-restore copies and anything under DATA_DIR/backups 0600. Returns the paths it
 * changed. Throws when a mode cannot be tightened (a file owned by another user): the console
 * refuses to run on data other local users can read.
 */
export function secureDataDir(dataDir, databaseFile) {
  const changed = [];
  const tighten = (p, mode) => {
    let st;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) throw new Error(`${p} is a symbolic link; the console keeps its data in plain files and directories`);
    if ((st.mode & 0o777) !== mode) {
      try {
        fs.chmodSync(p, mode);
      } catch (error) {
        throw new Error(`${p} has mode ${(st.mode & 0o777).toString(8)} and could not be set to ${mode.toString(8)} (${error.code ?? error.message}); fix its owner or mode`);
      }
      changed.push(p);
    }
  };
  tighten(dataDir, 0o700);
  const files = new Set([databaseFile, `${databaseFile}-wal`, `${databaseFile}-shm`, `${databaseFile}-journal`]);
  for (const name of fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : []) {
    const p = path.join(dataDir, name);
    const st = fs.lstatSync(p);
    if (st.isFile() && (/^console\.db/.test(name) || /\.key$/.test(name) || name === PID_FILE || /pre-restore/.test(name) || /\.db$/.test(name))) files.add(p);
    if (st.isDirectory() && name === "backups") {
      tighten(p, 0o700);
      for (const b of fs.readdirSync(p)) files.add(path.join(p, b));
    }
  }
  for (const f of files) tighten(f, 0o600);
  return changed;
}

/**
 * Brings a DATA_DIR up to date the way `npm start` does: creates it (0700), applies pending
 * migrations with `prisma migrate deploy` (skipped when there are none, or when a live console
 * holds the directory: that one migrated it at its start), then secures the modes.
 * Returns { applied: string[] }. Throws Error with a one-line message on failure.
 */
export function prepareDataDir({ root, dataDir, databaseFile, env = process.env }) {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pending = runningInstance(dataDir) ? [] : pendingMigrations(databaseFile, path.join(root, "prisma", "migrations"));
  if (pending.length) {
    fs.mkdirSync(path.dirname(databaseFile), { recursive: true, mode: 0o700 });
    const previous = process.umask(0o077);
    try {
      execFileSync(process.execPath, [path.join(root, "node_modules", "prisma", "build", "index.js"), "migrate", "deploy"], {
        cwd: root,
        stdio: "pipe",
        env: { ...env, DATA_DIR: dataDir, DATABASE_FILE: databaseFile, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      });
    } catch (error) {
      const out = (error?.stderr?.toString?.() || error?.stdout?.toString?.() || error?.message || String(error)).trim().split("\n").filter(Boolean);
      throw new Error(`could not migrate the database ${databaseFile}: ${out[out.length - 1] ?? "prisma migrate deploy failed"}`);
    } finally {
      process.umask(previous);
    }
  }
  secureDataDir(dataDir, databaseFile);
  return { applied: pending };
}
