import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { AppError } from "../errors";
import type { MasterKey } from "./secret-box";

export type MasterKeySource = { key: MasterKey; source: "env" | "file"; file?: string; created: boolean };

export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, "master.key");
}

function decode(text: string, where: string): MasterKey {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) {
    throw new AppError("key_mismatch", `${where} does not hold a 32-byte base64 key (found ${key.length} bytes).`, {
      hint: "Restore the original key file or set CONSOLE_MASTER_KEY to the key the data was encrypted with.",
    });
  }
  return key;
}

/**
 * Loads the master key: CONSOLE_MASTER_KEY if set, else DATA_DIR/master.key. A missing file is
 * generated (mode 0600) only when `mayCreate` is true, i.e. when the database holds no
 * encrypted data yet; otherwise a missing key is an error and nothing is written.
 */
export function loadMasterKey(options: { envKey?: string; dataDir: string; mayCreate: boolean }): MasterKeySource {
  if (options.envKey) return { key: decode(options.envKey, "CONSOLE_MASTER_KEY"), source: "env", created: false };
  const file = keyFilePath(options.dataDir);
  if (fs.existsSync(file)) {
    return { key: decode(fs.readFileSync(file, "utf8"), file), source: "file", file, created: false };
  }
  if (!options.mayCreate) {
    throw new AppError("key_mismatch", `The database holds encrypted data but the master key file ${file} is missing and CONSOLE_MASTER_KEY is not set.`, {
      hint: "Restore master.key from your backup into DATA_DIR, or set CONSOLE_MASTER_KEY. Nothing was changed.",
    });
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const key = randomBytes(32);
  // "wx": never overwrite a key another process wrote in the meantime.
  fs.writeFileSync(file, key.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  fs.chmodSync(file, 0o600);
  return { key, source: "file", file, created: true };
}
