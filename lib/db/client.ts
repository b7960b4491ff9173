import "server-only";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../generated/prisma/client";
import { getEnv } from "../env";

/**
 * The Prisma client singleton (better-sqlite3 adapter, JS engine: no engine binaries). Only
 * DAL modules import this; everything else goes through them.
 */
const globalForDb = globalThis as unknown as { __omcDb?: PrismaClient; __omcDbFile?: string };

export function getDb(): PrismaClient {
  const file = getEnv().databaseFile;
  if (globalForDb.__omcDb && globalForDb.__omcDbFile === file) return globalForDb.__omcDb;
  const adapter = new PrismaBetterSQLite3({ url: `file:${file}`, timeout: 10_000 });
  const client = new PrismaClient({ adapter });
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
}

export type Db = PrismaClient;
