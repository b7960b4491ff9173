import "server-only";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { getEnv } from "../env";
import { AppError } from "../errors";
import { open } from "../crypto/secret-box";
import { placeFileNoClobber } from "../fs/safe-write";
import type { MasterKey } from "../crypto/secret-box";

/**
 * Online backup and restore of the SQLite database. Backup uses SQLite's online backup API
 * (better-sqlite3 `db.backup`), which copies a consistent snapshot while the console keeps
 * serving. The master key is not part of the backup: keep it separately.
 */

const REQUIRED_TABLES = ["Profile", "Admin", "Activity", "TokenCacheEntry", "Setting", "_prisma_migrations"];

export type BackupInfo = { file: string; bytes: number; profiles: number; tokens: number; activity: number; migrations: number };

function inspect(file: string): BackupInfo {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    throw new AppError("invalid_input", `${file} is not a readable SQLite database.`, { field: "file" });
  }
  try {
    try {
      db.prepare("SELECT 1 FROM sqlite_master LIMIT 1").get();
    } catch {
      throw new AppError("invalid_input", `${file} is not a SQLite database.`, { field: "file" });
    }
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
    if (missing.length) throw new AppError("invalid_input", `${file} is not a console database (missing tables: ${missing.join(", ")}).`, { field: "file" });
    const integrity = (db.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check;
    if (integrity !== "ok") throw new AppError("invalid_input", `${file} failed SQLite's integrity check: ${integrity.slice(0, 200)}`, { field: "file" });
    const count = (t: string) => (db.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get() as { n: number }).n;
    return { file, bytes: fs.statSync(file).size, profiles: count("Profile"), tokens: count("TokenCacheEntry"), activity: count("Activity"), migrations: count("_prisma_migrations") };
  } finally {
    db.close();
  }
}

/**
 * Writes a consistent copy of the live database to `out`, mode 0600. Refuses (AppError) when
 * anything is at `out` already, a planted symbolic link included: the copy is made in a fresh
 * private directory beside it and hard-linked into place, so nothing is written through a link.
 */
export async function backupDatabase(out: string): Promise<BackupInfo> {
  const target = path.resolve(out);
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  let existing: fs.Stats | null = null;
  try {
    existing = fs.lstatSync(target);
  } catch {
    // nothing there: good
  }
  if (existing?.isSymbolicLink()) throw new AppError("invalid_input", `${target} is a symbolic link; the console does not write through links. Choose another file name.`, { field: "out" });
  if (existing) throw new AppError("invalid_input", `${target} already exists; choose a new file name.`, { field: "out" });
  const workDir = fs.mkdtempSync(path.join(path.dirname(target), ".omc-backup-"));
  try {
    const temp = path.join(workDir, "console.db");
    const db = new Database(getEnv().databaseFile, { fileMustExist: true, timeout: 10_000 });
    try {
      await db.backup(temp);
    } finally {
      db.close();
    }
    fs.chmodSync(temp, 0o600);
    placeFileNoClobber(temp, target);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  return inspect(target);
}

/**
 * Replaces the database with a backup, after proving the backup is a console database that the
 * current master key opens. The replaced database is kept as console.db.pre-restore-<time>.
 * Run it with the console stopped. Throws AppError(invalid_input | key_mismatch).
 */
export async function restoreDatabase(from: string, key: MasterKey): Promise<BackupInfo & { previous: string }> {
  const source = path.resolve(from);
  inspect(source);
  const db = new Database(source, { readonly: true });
  try {
    const check = db.prepare("SELECT value FROM Setting WHERE key = 'crypto.keyCheck'").get() as { value: string } | undefined;
    if (check) {
      try {
        open(check.value, key, "key-check");
      } catch {
        throw new AppError("key_mismatch", "The backup was encrypted with another master key than the one loaded now.", {
          hint: "Restore the master key that belongs to this backup first (DATA_DIR/master.key or CONSOLE_MASTER_KEY), then restore again. Nothing was changed.",
        });
      }
    }
  } finally {
    db.close();
  }
  const target = getEnv().databaseFile;
  const previous = `${target}.pre-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  if (fs.existsSync(target)) {
    // Checkpoint the WAL into the file so the safety copy is complete.
    const live = new Database(target, { timeout: 10_000 });
    try {
      live.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      live.close();
    }
    fs.copyFileSync(target, previous, fs.constants.COPYFILE_EXCL);
    fs.chmodSync(previous, 0o600);
  }
  const tmp = `${target}.restoring`;
  fs.rmSync(tmp, { force: true });
  fs.copyFileSync(source, tmp, fs.constants.COPYFILE_EXCL);
  for (const suffix of ["-wal", "-shm", "-journal"]) fs.rmSync(`${target}${suffix}`, { force: true });
  fs.renameSync(tmp, target);
  fs.chmodSync(target, 0o600);
  return { ...inspect(target), previous };
}
