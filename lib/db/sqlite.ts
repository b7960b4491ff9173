import "server-only";
import Database from "better-sqlite3";
import { getEnv } from "../env";

/**
 * A second, raw better-sqlite3 connection to the console's database for the relay's hot path
 * (lib/relay: enqueue, claim, finish), where Prisma's per-query work (query compilation, a fresh
 * prepare per call) cost more CPU than the SQL itself. Statements are prepared once per connection.
 * Only DAL modules import this, like lib/db/client.ts.
 *
 * Writes here are synchronous transactions (BEGIN IMMEDIATE … COMMIT within one call), so they
 * never hold the write lock across an await. The connection waits for no lock itself (busy
 * timeout 0: better-sqlite3 would block the event loop, and with it the Prisma transaction of
 * this same process that holds the lock); `withWriteRetry` retries on SQLITE_BUSY asynchronously.
 * Dates are stored the way Prisma's adapter stores them (ISO 8601 with "+00:00"), so both
 * connections compare them as the same strings.
 */

type Raw = { db: Database.Database; file: string; statements: Map<string, Database.Statement> };
const globalForRaw = globalThis as unknown as { __omcRawDb?: Raw };

function raw(): Raw {
  const file = getEnv().databaseFile;
  const current = globalForRaw.__omcRawDb;
  if (current && current.file === file && current.db.open) return current;
  if (current?.db.open) current.db.close();
  const db = new Database(file, { timeout: 0 });
  db.pragma("journal_mode = WAL");
  // As lib/db/client.ts: durable against process crashes (kill -9); an OS crash may lose the last commits.
  db.pragma("synchronous = NORMAL");
  const next: Raw = { db, file, statements: new Map() };
  globalForRaw.__omcRawDb = next;
  return next;
}

/** A prepared statement for `sql`, prepared once per connection. */
export function statement(sql: string): Database.Statement {
  const r = raw();
  let s = r.statements.get(sql);
  if (!s) {
    s = r.db.prepare(sql);
    r.statements.set(sql, s);
  }
  return s;
}

/** Runs `fn` in one immediate write transaction (synchronous: the lock is never held across an await). */
export function writeTransaction<T>(fn: () => T): T {
  return raw().db.transaction(fn).immediate();
}

/** A date as Prisma's SQLite adapter stores it. */
export function sqlDate(d: Date | number): string {
  return (typeof d === "number" ? new Date(d) : d).toISOString().replace("Z", "+00:00");
}

/** Parses a stored date: ISO text, SQLite's CURRENT_TIMESTAMP form ("YYYY-MM-DD HH:MM:SS", UTC) or epoch milliseconds. */
export function parseSqlDate(v: unknown): Date {
  if (typeof v === "number" || typeof v === "bigint") return new Date(Number(v));
  const text = String(v);
  return new Date(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text) ? `${text.replace(" ", "T")}Z` : text);
}

/**
 * One row as Prisma would return it: DATETIME columns as Date, BOOLEAN columns as boolean (by the
 * columns' declared types), or undefined.
 */
export function getRow<T>(sql: string, ...params: unknown[]): T | undefined {
  const s = statement(sql);
  const row = s.get(...params) as Record<string, unknown> | undefined;
  if (!row) return undefined;
  for (const c of s.columns()) {
    const v = row[c.name];
    if (v === null || v === undefined) continue;
    const type = (c.type ?? "").toUpperCase();
    if (type === "DATETIME") row[c.name] = parseSqlDate(v);
    else if (type === "BOOLEAN") row[c.name] = Boolean(v);
  }
  return row as T;
}

const isBusy = (error: unknown) => {
  const code = (error as { code?: string } | null)?.code ?? "";
  return code === "SQLITE_BUSY" || code.startsWith("SQLITE_BUSY_") || code === "SQLITE_LOCKED";
};

/**
 * Runs a synchronous write, retrying while another connection holds the write lock (SQLITE_BUSY),
 * asynchronously so the holder — possibly in this process — can finish; gives up after `timeoutMs`.
 */
export async function withWriteRetry<T>(fn: () => T, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    try {
      return fn();
    } catch (error) {
      if (!isBusy(error) || Date.now() > end) throw error;
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** Closes the raw connection (tests switching databases, process exit). */
export function closeRawDb(): void {
  const current = globalForRaw.__omcRawDb;
  globalForRaw.__omcRawDb = undefined;
  if (current?.db.open) current.db.close();
}
