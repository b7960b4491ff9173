import "server-only";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { requireReauth } from "../auth/admins";
import { backupDatabase, type BackupInfo } from "../db/backup";
import { getEnv } from "../env";

/**
 * Settings → "Download backup": the same SQLite online backup as `cli backup` (a consistent
 * snapshot while the console serves; secrets stay AES-256-GCM ciphertext exactly as stored, the
 * master key is not in it), after the web admin re-entered their password (the sign-in throttle).
 * The snapshot is written into a fresh 0700 directory inside DATA_DIR, opened, and unlinked at
 * once, so nothing stays on disk whether or not the download completes.
 */

export type BackupDownload = { filename: string; bytes: number; info: BackupInfo; stream: ReadableStream<Uint8Array> };

/** `console-<UTC time>.db`, the downloaded file's name. */
export function backupFilename(now: Date): string {
  return `console-${now.toISOString().replace(/[:.]/g, "-")}.db`;
}

/**
 * Makes a snapshot for download. Throws AppError unauthorized (field "current") for a wrong
 * password and rate_limited while the admin's sign-in is locked; both are logged as a refused backup.
 */
export async function createBackupDownload(actor: Actor, password: string | undefined, now = new Date()): Promise<BackupDownload> {
  await requireReauth(actor, password, { action: "backup", summary: "Refused to download a backup" });
  const dir = fs.mkdtempSync(path.join(getEnv().dataDir, ".backup-download-"));
  let fd: number | null = null;
  try {
    const file = path.join(dir, "console.db");
    const info = await backupDatabase(file);
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const bytes = fs.fstatSync(fd).size;
    const filename = backupFilename(now);
    await recordActivity(actor, { action: "backup", outcome: "success", summary: `Database backup downloaded as ${filename} (${info.profiles} profiles, ${bytes} bytes)` });
    const stream = Readable.toWeb(fs.createReadStream("", { fd, autoClose: true })) as ReadableStream<Uint8Array>;
    fd = null;
    return { filename, bytes, info: { ...info, file: filename }, stream };
  } finally {
    if (fd !== null) fs.closeSync(fd);
    // The open descriptor keeps the data readable; the name is gone at once.
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
