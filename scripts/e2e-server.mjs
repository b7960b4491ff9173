// Starts the built console for the e2e tests: a throwaway DATA_DIR, migrated, on E2E_PORT.
// Server stdout/stderr are copied to DATA_DIR/server.log so the leak test can grep them.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { serverArgv } from "./server-command.mjs";
import { prepareDataDir } from "../lib/db/data-dir.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const dataDir = path.resolve(process.env.DATA_DIR ?? ".tmp/e2e-data");
fs.rmSync(dataDir, { recursive: true, force: true });
fs.mkdirSync(dataDir, { recursive: true });
const env = { ...process.env, DATA_DIR: dataDir, NEXT_TELEMETRY_DISABLED: "1" };
delete env.DATABASE_FILE;
delete env.CONSOLE_MASTER_KEY;
prepareDataDir({ root, dataDir, databaseFile: path.join(dataDir, "console.db"), env });
const log = fs.createWriteStream(path.join(dataDir, "server.log"));
const child = spawn(process.execPath, serverArgv(root, process.env.E2E_PORT ?? "3210", "127.0.0.1"), { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
for (const stream of [child.stdout, child.stderr]) {
  stream.on("data", (chunk) => {
    log.write(chunk);
    process.stdout.write(chunk);
  });
}
const stop = () => child.kill("SIGTERM");
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
child.on("exit", (code) => process.exit(code ?? 0));
