import "server-only";
import Database from "better-sqlite3";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../generated/prisma/client";
import { getEnv } from "../env";
import { closeRawDb } from "./sqlite";

/**
 * The Prisma client singleton (better-sqlite3 adapter, JS engine: no engine binaries). Only
 * DAL modules import this; everything else goes through them.
 */
const globalForDb = globalThis as unknown as { __omcDb?: PrismaClient; __omcDbFile?: string };

export function getDb(): PrismaClient {
  const file = getEnv().databaseFile;
  if (globalForDb.__omcDb && globalForDb.__omcDbFile === file) return globalForDb.__omcDb;
  // WAL (persistent in the file): one fsync per commit instead of the rollback journal's
  // several, and readers never block the writer. Set once per file and process.
  try {
    const raw = new Database(file, { timeout: 10_000 });
    raw.pragma("journal_mode = WAL");
    raw.close();
  } catch {
    // a missing/readonly file: Prisma reports it on first use
  }
  const adapter = new PrismaBetterSQLite3({ url: `file:${file}`, timeout: 10_000 });
  const client = new PrismaClient({ adapter });
  // In WAL mode NORMAL is durable against crashes of the process; only an OS crash / power loss
  // may lose the last commits (never corrupts). Queued first on the connection.
  void client.$executeRawUnsafe("PRAGMA synchronous = NORMAL").catch(() => undefined);
  globalForDb.__omcDb = client;
  globalForDb.__omcDbFile = file;
  return client;
}

/** Closes the connection (CLI exit, tests switching databases). */
export async function disconnectDb(): Promise<void> {
  const client = globalForDb.__omcDb;
  globalForDb.__omcDb = undefined;
  globalForDb.__omcDbFile = undefined;
  await client?.$disconnect();
  closeRawDb();
}

export type Db = PrismaClient;
