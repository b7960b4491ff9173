import "server-only";
import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import { getDb } from "../db/client";

/**
 * The one-time setup code of a fresh console (as Grafana and Jenkins do it): printed to the
 * server log at start while no admin exists, required by /setup, so whoever merely reaches a
 * fresh install over the network cannot create the first admin. Only its hash is stored; each
 * start makes a new one; it is deleted when the first admin is created.
 */
const KEY = "auth.setupCodeHash";
// Crockford-style alphabet without 0/O/1/I/L: easy to read from a log and to type.
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

function hashCode(code: string): string {
  return createHash("sha256").update(normalizeSetupCode(code)).digest("hex");
}

/** Upper-case, without spaces and dashes: "abcd-efgh" and "ABCDEFGH" are the same code. */
export function normalizeSetupCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]+/g, "");
}

/** Makes and stores a new code (replacing any earlier one) and returns it for the log: 4×4 characters, ~79 bits. */
export async function issueSetupCode(): Promise<string> {
  const chars = Array.from({ length: 16 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  const code = chars.match(/.{4}/g)!.join("-");
  await getDb().setting.upsert({ where: { key: KEY }, create: { key: KEY, value: hashCode(code) }, update: { value: hashCode(code) } });
  return code;
}

/** True when `code` is the current setup code (constant-time compare); false when none is issued. */
export async function checkSetupCode(code: string): Promise<boolean> {
  const row = await getDb().setting.findUnique({ where: { key: KEY } });
  if (!row) return false;
  const a = Buffer.from(row.value, "hex");
  const b = Buffer.from(hashCode(code), "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function clearSetupCode(): Promise<void> {
  await getDb().setting.deleteMany({ where: { key: KEY } });
}
