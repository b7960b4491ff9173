import "server-only";
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { getDb } from "../db/client";
import { getEnv } from "../env";
import { AppError } from "../errors";
import { keyFilePath, loadMasterKey, type MasterKeySource } from "./master-key";
import { keyFingerprint, open, openWithAny, seal, type MasterKey } from "./secret-box";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";

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
      // A rotation may have committed the database with the new key and stopped before
      // swapping the key files: finish it (the new key is in master.key.next).
      const next = loaded.source === "file" ? readNextKey(env.dataDir) : null;
      if (!next) throw mismatch();
      try {
        open(check.value, next, KEY_CHECK_AAD);
      } catch {
        throw mismatch();
      }
      promoteNextKey(env.dataDir);
      const info: MasterKeyInfo = { source: "file", file: loaded.file, fingerprint: keyFingerprint(next), created: false };
      state.__omcKey = { key: next, info, file: env.databaseFile };
      return info;
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

/** Forgets the loaded key (tests switching databases; a server noticing a rotated key). */
export function forgetMasterKeyForTests(): void {
  state.__omcKey = undefined;
}

export async function sealSecret(plaintext: string, aad: string): Promise<string> {
  return seal(plaintext, await getMasterKey(), aad);
}

export async function openSecret(sealed: string, aad: string): Promise<string> {
  try {
    return open(sealed, await getMasterKey(), aad);
  } catch (error) {
    // The key may have been rotated by the CLI while this server ran: reload it once.
    if (!(error instanceof AppError) || error.code !== "secret_undecryptable") throw error;
    forgetMasterKeyForTests();
    return open(sealed, await getMasterKey(), aad);
  }
}

// ---------------------------------------------------------------------------------------------
// Key rotation. Crash-safe by construction:
//  1. the new key is written to DATA_DIR/master.key.next (0600) before the database changes;
//  2. every sealed value (profile secrets, cached tokens, PKCE verifiers, the key check) is
//     re-sealed in ONE SQLite transaction — a kill leaves all of them under one key or the other;
//  3. then master.key.next replaces master.key (the old key is kept as master.key.previous-<ts>).
// A second run reuses master.key.next and opens values with either key, so it finishes the job;
// a start between 2 and 3 finishes it too (initMasterKey).

function nextKeyPath(dataDir: string): string {
  return `${keyFilePath(dataDir)}.next`;
}

function readNextKey(dataDir: string): MasterKey | null {
  const file = nextKeyPath(dataDir);
  if (!fs.existsSync(file)) return null;
  const key = Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
  return key.length === 32 ? key : null;
}

function promoteNextKey(dataDir: string): void {
  const current = keyFilePath(dataDir);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  if (fs.existsSync(current)) fs.renameSync(current, `${current}.previous-${stamp}`);
  fs.renameSync(nextKeyPath(dataDir), current);
}

export type RotationResult = { profiles: number; tokens: number; states: number; fingerprint: string; previousFingerprint: string; keyFile?: string };

/**
 * Re-encrypts every secret and cached token with a new master key. With a key file the new key
 * is generated (or taken from an unfinished rotation) and swapped in; with CONSOLE_MASTER_KEY the
 * caller passes `newKey` and must update the variable afterwards. Throws AppError on a key that
 * opens nothing; on any error before the commit nothing has changed.
 */
export async function rotateMasterKey(actor: Actor, options: { newKey?: MasterKey; onProgress?: (message: string) => void } = {}): Promise<RotationResult> {
  const env = getEnv();
  const info = await initMasterKey();
  const oldKey = state.__omcKey!.key;
  let newKey: MasterKey;
  if (info.source === "env") {
    if (!options.newKey) throw new AppError("invalid_input", "The master key comes from CONSOLE_MASTER_KEY: pass the new key on standard input (openssl rand -base64 32 | npm run cli -- key rotate --new-key-stdin).", { field: "newKey" });
    newKey = options.newKey;
  } else {
    newKey = readNextKey(env.dataDir) ?? options.newKey ?? randomBytes(32);
    if (!fs.existsSync(nextKeyPath(env.dataDir))) fs.writeFileSync(nextKeyPath(env.dataDir), newKey.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  }
  if (newKey.equals(oldKey)) throw new AppError("invalid_input", "The new key is the current key.", { field: "newKey" });
  const keys = [oldKey, newKey];
  const reseal = (blob: string, aad: string) => seal(openWithAny(blob, keys, aad).plaintext, newKey, aad);
  const db = getDb();
  const counts = await db.$transaction(
    async (tx) => {
      const profiles = await tx.profile.findMany({ where: { secrets: { not: null } }, select: { id: true, secrets: true } });
      const tokens = await tx.tokenCacheEntry.findMany({ select: { id: true, secrets: true } });
      const states = await tx.oAuthState.findMany({ select: { state: true, codeVerifier: true } });
      // Alert channels: webhook URLs (Teams/Slack URLs carry tokens) and signing secrets.
      const channels = await tx.alertChannel.findMany({ where: { secrets: { not: null } }, select: { id: true, secrets: true } });
      options.onProgress?.(`re-encrypting ${profiles.length} profile secret sets, ${tokens.length} cached tokens, ${states.length} pending authorizations, ${channels.length} alert channels`);
      for (const p of profiles) await tx.profile.update({ where: { id: p.id }, data: { secrets: reseal(p.secrets!, p.id) } });
      for (const t of tokens) await tx.tokenCacheEntry.update({ where: { id: t.id }, data: { secrets: reseal(t.secrets, t.id) } });
      for (const o of states) await tx.oAuthState.update({ where: { state: o.state }, data: { codeVerifier: reseal(o.codeVerifier, o.state) } });
      for (const c of channels) await tx.alertChannel.update({ where: { id: c.id }, data: { secrets: reseal(c.secrets!, c.id) } });
      // The relay's TLS certificate and key (lib/relay/settings.ts RELAY_TLS_SETTING; AAD = the key).
      const relayTls = await tx.setting.findUnique({ where: { key: "relay.tls" } });
      if (relayTls) await tx.setting.update({ where: { key: "relay.tls" }, data: { value: reseal(relayTls.value, "relay.tls") } });
      await tx.setting.upsert({
        where: { key: KEY_CHECK_SETTING },
        create: { key: KEY_CHECK_SETTING, value: seal(KEY_CHECK_TEXT, newKey, KEY_CHECK_AAD) },
        update: { value: seal(KEY_CHECK_TEXT, newKey, KEY_CHECK_AAD) },
      });
      return { profiles: profiles.length, tokens: tokens.length, states: states.length };
    },
    { timeout: 30 * 60_000, maxWait: 60_000 },
  );
  if (info.source === "file") promoteNextKey(env.dataDir);
  const fingerprint = keyFingerprint(newKey);
  state.__omcKey = { key: newKey, info: { ...info, fingerprint, created: false }, file: env.databaseFile };
  await recordActivity(actor, {
    action: "key.rotate",
    outcome: "success",
    summary: `Master key rotated (${info.fingerprint} → ${fingerprint}): ${counts.profiles} profiles, ${counts.tokens} cached tokens, ${counts.states} pending authorizations re-encrypted`,
  });
  return { ...counts, fingerprint, previousFingerprint: info.fingerprint, keyFile: info.source === "file" ? keyFilePath(env.dataDir) : undefined };
}
