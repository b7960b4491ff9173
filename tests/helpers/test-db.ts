import fs from "node:fs";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { disconnectDb } from "@/lib/db/client";
import { forgetMasterKeyForTests } from "@/lib/crypto/keyring";

export type TestDb = { dir: string; file: string; masterKey: string };

/**
 * Gives the calling test file its own copy of the migrated template database and its own
 * DATA_DIR and master key. Returns a handle filled in before the tests run.
 */
export function useTestDb(): TestDb {
  const handle = {} as TestDb;
  beforeAll(() => {
    const template = process.env.OMC_TEMPLATE_DB;
    if (!template) throw new Error("OMC_TEMPLATE_DB is not set: run the tests through vitest (tests/helpers/global-setup.ts)");
    handle.dir = path.join(process.env.OMC_TEST_RUN_DIR ?? path.dirname(template), randomUUID());
    fs.mkdirSync(handle.dir, { recursive: true });
    handle.file = path.join(handle.dir, "console.db");
    fs.copyFileSync(template, handle.file);
    handle.masterKey = randomBytes(32).toString("base64");
    process.env.DATA_DIR = handle.dir;
    process.env.DATABASE_FILE = handle.file;
    process.env.CONSOLE_MASTER_KEY = handle.masterKey;
    resetEnvForTests();
    forgetMasterKeyForTests();
  });
  afterAll(async () => {
    await disconnectDb();
    forgetMasterKeyForTests();
  });
  return handle;
}

/** Reads the raw bytes of the database file and its WAL, for leak greps. */
export function rawDatabaseBytes(db: TestDb): Buffer {
  const parts = [db.file, `${db.file}-wal`, `${db.file}-journal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f));
  return Buffer.concat(parts);
}
