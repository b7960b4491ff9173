import "server-only";
import { getDb } from "../db/client";
import { getEnv } from "../env";
import { AppError } from "../errors";
import { loadMasterKey, type MasterKeySource } from "./master-key";
import { keyFingerprint, open, seal, type MasterKey } from "./secret-box";

const KEY_CHECK_SETTING = "crypto.keyCheck";
const KEY_CHECK_AAD = "key-check";
const KEY_CHECK_TEXT = "oauth-mail-console key check";

const state = globalThis as unknown as { __omcKey?: { key: MasterKey; info: MasterKeyInfo; file: string } };

export type MasterKeyInfo = { source: "env" | "file"; file?: string; fingerprint: string; created: boolean };

/**
 * Loads the master key and proves it matches the database before anything else runs.
 * Throws AppError("key_mismatch") — and writes nothing — when the database holds encrypted data
 * and the key is missing or is not the key that data was sealed with.
 */
export async function initMasterKey(): Promise<MasterKeyInfo> {
  const env = getEnv();
  if (state.__omcKey && state.__omcKey.file === env.databaseFile) return state.__omcKey.info;
  const db = getDb();
  const check = await db.setting.findUnique({ where: { key: KEY_CHECK_SETTING } });
  const sampleProfile = check ? null : await db.profile.findFirst({ where: { secrets: { not: null } }, select: { id: true, secrets: true } });
  const sampleToken = check || sampleProfile ? null : await db.tokenCacheEntry.findFirst({ select: { id: true, secrets: true } });
  const holdsEncrypted = Boolean(check || sampleProfile || sampleToken);

  const loaded: MasterKeySource = loadMasterKey({ envKey: env.CONSOLE_MASTER_KEY || undefined, dataDir: env.dataDir, mayCreate: !holdsEncrypted });
  const fingerprint = keyFingerprint(loaded.key);
  const mismatch = () =>
    new AppError("key_mismatch", `The master key (${loaded.source === "env" ? "CONSOLE_MASTER_KEY" : loaded.file}, fingerprint ${fingerprint}) is not the key this database was encrypted with.`, {
      hint: "Start with the original key (restore DATA_DIR/master.key or set CONSOLE_MASTER_KEY). The console refused to start and changed nothing.",
    });

  if (check) {
    try {
      open(check.value, loaded.key, KEY_CHECK_AAD);
    } catch {
      throw mismatch();
    }
  } else {
    const sample = sampleProfile ?? sampleToken;
    if (sample?.secrets) {
      try {
        open(sample.secrets, loaded.key, sample.id);
      } catch {
        throw mismatch();
      }
    }
    await db.setting.upsert({
      where: { key: KEY_CHECK_SETTING },
      create: { key: KEY_CHECK_SETTING, value: seal(KEY_CHECK_TEXT, loaded.key, KEY_CHECK_AAD) },
      update: {},
    });
  }
  const info: MasterKeyInfo = { source: loaded.source, file: loaded.file, fingerprint, created: loaded.created };
  state.__omcKey = { key: loaded.key, info, file: env.databaseFile };
  return info;
}

/** The verified master key (initialising it on first use). */
export async function getMasterKey(): Promise<MasterKey> {
  await initMasterKey();
  return state.__omcKey!.key;
}

export function forgetMasterKeyForTests(): void {
  state.__omcKey = undefined;
}

export async function sealSecret(plaintext: string, aad: string): Promise<string> {
  return seal(plaintext, await getMasterKey(), aad);
}

export async function openSecret(sealed: string, aad: string): Promise<string> {
  return open(sealed, await getMasterKey(), aad);
}
