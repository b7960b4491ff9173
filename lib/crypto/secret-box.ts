import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { AppError } from "../errors";

/**
 * AES-256-GCM sealing for everything secret at rest.
 * Format: "v1." + base64(iv[12] | ciphertext | tag[16]). The version prefix lets the format and
 * keys rotate; the additional authenticated data binds a blob to its record (the record id), so
 * a blob copied onto another record does not decrypt.
 */
const VERSION = "v1.";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type MasterKey = Buffer;

export function assertKey(key: Buffer): void {
  if (key.length !== 32) throw new Error("master key must be 32 bytes");
}

export function seal(plaintext: string, key: MasterKey, aad: string): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return VERSION + Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString("base64");
}

/**
 * Opens a sealed blob. Throws AppError("secret_undecryptable") when the blob is malformed, was
 * sealed with another key, has been tampered with, or belongs to another record (AAD mismatch).
 */
export function open(sealed: string, key: MasterKey, aad: string): string {
  assertKey(key);
  if (!sealed.startsWith(VERSION)) {
    throw new AppError("secret_undecryptable", "Encrypted value has an unknown format version.");
  }
  const raw = Buffer.from(sealed.slice(VERSION.length), "base64");
  if (raw.length < IV_BYTES + TAG_BYTES) {
    throw new AppError("secret_undecryptable", "Encrypted value is truncated.");
  }
  const iv = raw.subarray(0, IV_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const ciphertext = raw.subarray(IV_BYTES, raw.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new AppError(
      "secret_undecryptable",
      "Encrypted value could not be decrypted: wrong master key, tampered data, or a value moved between records.",
    );
  }
}

/** Opens with the first key of a key ring that works (used during key rotation). */
export function openWithAny(sealed: string, keys: MasterKey[], aad: string): { plaintext: string; keyIndex: number } {
  let last: unknown;
  for (let i = 0; i < keys.length; i++) {
    try {
      return { plaintext: open(sealed, keys[i], aad), keyIndex: i };
    } catch (error) {
      last = error;
    }
  }
  throw last ?? new AppError("secret_undecryptable", "No key to decrypt with.");
}

/** Short, non-reversible identifier of a key for display ("which key is this?"). */
export function keyFingerprint(key: MasterKey): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

export function isSealed(value: string | null | undefined): boolean {
  return typeof value === "string" && value.startsWith(VERSION);
}
