import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { createHash } from "node:crypto";
import { getEnv } from "../env";

/**
 * The spool: one file per accepted message, `<id>.eml` under RELAY_SPOOL_DIR (default
 * DATA_DIR/relay/spool). The first line is the envelope as JSON (so a file whose database row was
 * lost can be put back in the queue), the rest is the message exactly as received.
 *
 * A message is written to `tmp/<id>.part` while DATA streams in, then fsynced, renamed into place
 * and the directory fsynced: only then does the queue row get written and the client get its 250.
 */

export type SpoolEnvelope = {
  id: string;
  deviceId: string | null;
  deviceName: string;
  profileId: string;
  mailFrom: string;
  rcptTo: string[];
  clientIp: string;
  receivedAt: string;
};

export function spoolDir(): string {
  const env = getEnv();
  return env.RELAY_SPOOL_DIR ? path.resolve(env.RELAY_SPOOL_DIR) : path.join(env.dataDir, "relay", "spool");
}

export function spoolPath(id: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(id)) throw new Error("invalid spool id");
  return path.join(spoolDir(), `${id}.eml`);
}

// The spool directory stays open for its fsyncs (one per group commit): opening and closing it
// each time were two more thread-pool round trips before every group's 250s.
let openDir: { dir: string; handle: Promise<fsp.FileHandle> } | null = null;

export function ensureSpoolDir(): void {
  fs.mkdirSync(path.join(spoolDir(), "tmp"), { recursive: true, mode: 0o700 });
  // A (re)started relay opens the directory afresh: a handle to a directory that was replaced
  // would fsync the old one.
  const old = openDir;
  openDir = null;
  void old?.handle.then((h) => h.close()).catch(() => undefined);
}

export type SpoolWriter = {
  write(chunk: Buffer): Promise<void>;
  /**
   * fsync + rename into place, without the directory fsync: the caller syncs the directory once
   * for a group of sealed files (syncSpoolDir) before it may call any of them durable.
   * Returns the message size (without the envelope line) and its sha256.
   */
  seal(): Promise<{ size: number; sha256: string }>;
  /** seal + directory fsync: durable on return. */
  commit(): Promise<{ size: number; sha256: string }>;
  abort(): Promise<void>;
};

export async function openSpoolWriter(envelope: SpoolEnvelope): Promise<SpoolWriter> {
  const dir = spoolDir();
  const tmp = path.join(dir, "tmp", `${envelope.id}.part`);
  const handle = await fsp.open(tmp, "wx", 0o600);
  const hash = createHash("sha256");
  let size = 0;
  let done = false;
  await handle.write(Buffer.from(JSON.stringify(envelope) + "\n", "utf8"));
  const seal = async () => {
    done = true;
    await handle.sync();
    await handle.close();
    await fsp.rename(tmp, spoolPath(envelope.id));
    return { size, sha256: hash.digest("hex") };
  };
  return {
    async write(chunk) {
      hash.update(chunk);
      size += chunk.length;
      let off = 0;
      while (off < chunk.length) off += (await handle.write(chunk, off)).bytesWritten;
    },
    seal,
    async commit() {
      const r = await seal();
      await syncDir(dir);
      return r;
    },
    async abort() {
      if (done) return;
      done = true;
      await handle.close().catch(() => undefined);
      await fsp.rm(tmp, { force: true });
    },
  };
}

/** fsyncs the spool directory: every file renamed into it before the call is durable after it. */
export async function syncSpoolDir(): Promise<void> {
  const dir = spoolDir();
  if (openDir?.dir !== dir) {
    const old = openDir;
    openDir = { dir, handle: fsp.open(dir, "r") };
    void old?.handle.then((h) => h.close()).catch(() => undefined);
  }
  const current = openDir;
  try {
    await (await current.handle).sync();
  } catch (error) {
    // A handle that went bad (or failed to open) is dropped; the next group opens it again.
    if (openDir === current) openDir = null;
    throw error;
  }
}

async function syncDir(dir: string): Promise<void> {
  const h = await fsp.open(dir, "r");
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** The message bytes (without the envelope line). Throws ENOENT when the file is gone. */
export async function readSpool(id: string): Promise<Buffer> {
  const all = await fsp.readFile(spoolPath(id));
  const nl = all.indexOf(0x0a);
  return all.subarray(nl + 1);
}

export async function readSpoolEnvelope(file: string): Promise<SpoolEnvelope | null> {
  const h = await fsp.open(file, "r");
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await h.read(buf, 0, buf.length, 0);
    const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
    if (nl < 0) return null;
    return JSON.parse(buf.subarray(0, nl).toString("utf8")) as SpoolEnvelope;
  } catch {
    return null;
  } finally {
    await h.close();
  }
}

export async function removeSpool(id: string): Promise<void> {
  await fsp.rm(spoolPath(id), { force: true });
}

/** Spooled message ids (files in place, not the in-progress ones). */
export async function listSpoolIds(): Promise<string[]> {
  try {
    return (await fsp.readdir(spoolDir())).filter((f) => f.endsWith(".eml")).map((f) => f.slice(0, -4));
  } catch {
    return [];
  }
}

/** Removes half-written files (DATA interrupted by a crash: the client never got a 250). */
export async function removePartialFiles(olderThanMs = 0): Promise<number> {
  const dir = path.join(spoolDir(), "tmp");
  let n = 0;
  for (const f of await fsp.readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, f);
    const st = await fsp.stat(file).catch(() => null);
    if (st && Date.now() - st.mtimeMs >= olderThanMs) {
      await fsp.rm(file, { force: true });
      n++;
    }
  }
  return n;
}

export async function spoolFileAgeMs(id: string): Promise<number> {
  const st = await fsp.stat(spoolPath(id)).catch(() => null);
  return st ? Date.now() - st.mtimeMs : 0;
}
