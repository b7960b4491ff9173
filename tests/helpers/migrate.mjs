// Applies the Prisma migrations to a database file with the real `prisma migrate deploy`
// (JS engine + better-sqlite3 adapter from prisma.config.ts: works offline).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export function migrateDatabase(file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync(process.execPath, [path.resolve("node_modules/prisma/build/index.js"), "migrate", "deploy"], {
    env: { ...process.env, DATABASE_FILE: file, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
}
