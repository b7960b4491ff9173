import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acquireInstanceLock } from "@/lib/db/data-dir.mjs";

// Issue 11 point 2: `admin create` before the first `npm start` printed a raw Prisma error; a
// second `npm start` on a DATA_DIR in use printed a Prisma WASM panic.
const root = path.resolve(__dirname, "../..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "omc-datadir-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cleanEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.DATABASE_FILE;
  delete env.CONSOLE_MASTER_KEY;
  return env;
}

describe("data directory: CLI on a new one, one server per directory", () => {
  it("runs `admin create` (the README's first CLI example) on a DATA_DIR that was never started, migrating it like npm start", () => {
    const dataDir = path.join(tmp, "fresh");
    const res = spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", "cli/main.ts", "admin", "create", "--username", "first-admin"], {
      cwd: root,
      env: cleanEnv(dataDir),
      input: "Correct-Horse-Battery-9\n",
      encoding: "utf8",
    });
    expect(res.stderr).not.toMatch(/does not exist|prisma/i);
    expect(res.stdout.trim()).toBe('Created admin "first-admin"');
    expect(res.status).toBe(0);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dataDir, "console.db")).mode & 0o777).toBe(0o600);
  });

  it("refuses a second start on a DATA_DIR in use with one line naming the pid, before touching the database", async () => {
    const dataDir = path.join(tmp, "busy");
    fs.mkdirSync(dataDir, { mode: 0o700 });
    // Stands in for the running console: a live node process whose pid is in DATA_DIR/console.pid.
    const holder = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    try {
      fs.writeFileSync(path.join(dataDir, "console.pid"), `${holder.pid}\n`);
      const res = spawnSync(process.execPath, ["scripts/prepare.mjs", "--no-build"], { cwd: root, env: cleanEnv(dataDir), encoding: "utf8" });
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(`the console is already running on this data directory (pid ${holder.pid})`);
      expect(res.stderr).not.toMatch(/panic|SocketTimeout/);
      expect(fs.existsSync(path.join(dataDir, "console.db"))).toBe(false);
      // The server's own boot check (lib/startup.ts) says the same.
      expect(() => acquireInstanceLock(dataDir)).toThrow(`the console is already running on this data directory (pid ${holder.pid})`);
    } finally {
      holder.kill();
    }
    // A stale pid file (the holder is gone) does not block.
    await new Promise((r) => holder.once("exit", r));
    expect(() => acquireInstanceLock(dataDir)).not.toThrow();
    expect(fs.readFileSync(path.join(dataDir, "console.pid"), "utf8").trim()).toBe(String(process.pid));
  });
});
