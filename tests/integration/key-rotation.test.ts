import fs from "node:fs";
import path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { useTestDb } from "@/tests/helpers/test-db";
import { fixtureProfile, SECRET } from "@/tests/fixtures/profiles";
import { resetEnvForTests } from "@/lib/env";
import { createProfile } from "@/lib/profiles/dal";
import { disconnectDb } from "@/lib/db/client";
import { forgetMasterKeyForTests, initMasterKey } from "@/lib/crypto/keyring";
import { open } from "@/lib/crypto/secret-box";

const db = useTestDb();
const actor = { id: "t", username: "t", via: "cli" as const };
const PROFILES = 1500;

function cliEnv() {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: db.dir, DATABASE_FILE: db.file };
  delete env.CONSOLE_MASTER_KEY;
  return env;
}
// One process (no tsx wrapper child), so SIGKILL hits the process that holds the transaction.
const CLI = ["--conditions=react-server", "--import", "tsx", path.resolve("cli/main.ts")];
const keyFile = () => path.join(db.dir, "master.key");
const readKey = (f: string) => Buffer.from(fs.readFileSync(f, "utf8").trim(), "base64");

/** Which of the given keys opens each sealed row; proves no row is unreadable. */
function keysOfRows(keys: Buffer[]): number[] {
  const sqlite = new Database(db.file, { readonly: true });
  try {
    const rows = sqlite.prepare("SELECT id, secrets FROM Profile WHERE secrets IS NOT NULL").all() as { id: string; secrets: string }[];
    return rows.map((r) => {
      const i = keys.findIndex((k) => {
        try {
          open(r.secrets, k, r.id);
          return true;
        } catch {
          return false;
        }
      });
      if (i < 0) throw new Error(`row ${r.id} opens with none of the keys`);
      return i;
    });
  } finally {
    sqlite.close();
  }
}

describe("master key rotation", () => {
  it("survives a kill mid-rotation and a second run finishes the job", async () => {
    // A file-based key, and enough secrets that the rotation takes a moment.
    fs.writeFileSync(keyFile(), db.masterKey + "\n", { mode: 0o600 });
    delete process.env.CONSOLE_MASTER_KEY;
    resetEnvForTests();
    forgetMasterKeyForTests();
    await initMasterKey();
    const base = fixtureProfile("smtp-basic");
    for (let i = 0; i < PROFILES; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, PROFILES - i) }, (_, j) => createProfile(actor, { ...base, settings: { ...base.settings, name: `rot ${i + j}` } })));
    }
    await disconnectDb();
    const oldKey = readKey(keyFile());

    // Kill the CLI with SIGKILL as soon as it starts re-encrypting.
    const child = spawn(process.execPath, [...CLI, "key", "rotate"], { env: cliEnv(), stdio: ["ignore", "pipe", "pipe"] });
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (d: Buffer) => {
        if (d.toString().includes("re-encrypting")) child.kill("SIGKILL");
      });
      child.on("exit", () => resolve());
    });
    expect(fs.existsSync(`${keyFile()}.next`)).toBe(true);
    const newKey = readKey(`${keyFile()}.next`);
    // Every secret opens with one of the two keys, and all with the same one (one transaction).
    const used = new Set(keysOfRows([oldKey, newKey]));
    expect(used.size).toBe(1);

    // The second run reuses the new key and completes.
    const second = spawnSync(process.execPath, [...CLI, "key", "rotate"], { env: cliEnv(), encoding: "utf8" });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/master key rotated/);
    expect(readKey(keyFile()).equals(newKey)).toBe(true);
    expect(fs.existsSync(`${keyFile()}.next`)).toBe(false);
    expect(new Set(keysOfRows([newKey]))).toEqual(new Set([0]));
    expect(fs.readdirSync(db.dir).some((f) => f.startsWith("master.key.previous-"))).toBe(true);

    // And the console decrypts everything with the new key.
    const check = spawnSync(process.execPath, [...CLI, "profile", "list", "--json"], { env: cliEnv(), encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout)).toHaveLength(PROFILES);
  }, 240_000);

  it("a start after the commit but before the key swap finishes the rotation", async () => {
    const dir = db.dir;
    const current = readKey(keyFile());
    const rotated = spawnSync(process.execPath, [...CLI, "key", "rotate"], { env: cliEnv(), encoding: "utf8" });
    expect(rotated.status, rotated.stderr).toBe(0);
    const newKey = readKey(keyFile());
    // Put the files back as they were between the commit and the swap.
    fs.renameSync(keyFile(), `${keyFile()}.next`);
    fs.writeFileSync(keyFile(), current.toString("base64") + "\n", { mode: 0o600 });
    const start = spawnSync(process.execPath, [...CLI, "key", "check"], { env: cliEnv(), encoding: "utf8" });
    expect(start.status, start.stderr).toBe(0);
    expect(readKey(path.join(dir, "master.key")).equals(newKey)).toBe(true);
    expect(new Set(keysOfRows([newKey]))).toEqual(new Set([0]));
  }, 120_000);

  it("refuses to rotate to the current key and leaves data readable", async () => {
    const key = fs.readFileSync(keyFile(), "utf8");
    const res = spawnSync(process.execPath, [...CLI, "key", "rotate", "--new-key-stdin"], { env: cliEnv(), input: key, encoding: "utf8" });
    // A file-based key never takes --new-key-stdin's key if an unfinished rotation exists; here it is the same key.
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/new key is the current key/);
    expect(new Set(keysOfRows([readKey(keyFile())]))).toEqual(new Set([0]));
    // Readable means a secret comes back out: the CLI's export with secrets holds the stored password.
    const out = spawnSync(process.execPath, [...CLI, "export", "rot 0", "--format", "profile-json", "--include-secrets"], { env: cliEnv(), encoding: "utf8" });
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout).secrets.password).toBe(SECRET.basicPassword);
  }, 60_000);
});
