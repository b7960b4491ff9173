import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

// The Prisma CLI (generate, migrate deploy/diff/status) runs with the JS engine and the
// better-sqlite3 adapter: no engine binaries are downloaded. The database file is the one
// the console uses: DATA_DIR/console.db (DATABASE_FILE overrides it).
function databaseFile(): string {
  if (process.env.DATABASE_FILE) return path.resolve(process.env.DATABASE_FILE);
  return path.resolve(process.env.DATA_DIR ?? "data", "console.db");
}

export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    return new PrismaBetterSQLite3({ url: `file:${databaseFile()}` });
  },
});
