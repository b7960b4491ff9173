import "server-only";
import { BlockList, isIPv4, isIPv6 } from "node:net";
import { createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import { getDb } from "../db/client";
import { statement } from "../db/sqlite";
import { AppError } from "../errors";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { hashPassword, verifyPassword } from "../auth/password";
import { getProfileByName, findProfile } from "../profiles/dal";
import { createDeviceSchema, type CreateDeviceInput } from "./schema";
import type { z } from "zod";
import type { RelayDevice } from "../generated/prisma/client";

/**
 * Relay devices: each device (or program) has its own SMTP username (its name) and a generated
 * password (shown once, stored as a scrypt hash), the profile it sends through, the senders and
 * source IPs it may use, a rate limit and a daily quota. DTOs never carry the hash.
 */

export type DeviceDto = {
  id: string;
  name: string;
  username: string;
  profileId: string;
  profileName: string | null;
  allowedSenders: string[];
  allowedIps: string[];
  rateLimit: number | null;
  dailyQuota: number | null;
  allowPlainAuth: boolean;
  allowNoAuth: boolean;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  lastSeenAt: string | null;
  lastSeenIp: string | null;
  acceptedCount: number;
  rejectedCount: number;
};

/** What `device add` / "rotate password" return: the only time the password is shown. */
export type DeviceWithPassword = DeviceDto & { password: string };

// No look-alike characters (0/O, 1/l/I): admins type these into printer panels.
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
export const DEVICE_PASSWORD_LENGTH = 28;

/** A random password of 28 characters (~163 bits) from an unambiguous alphabet. */
export function generateDevicePassword(): string {
  let out = "";
  for (let i = 0; i < DEVICE_PASSWORD_LENGTH; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

function toDto(row: RelayDevice, profileName: string | null): DeviceDto {
  return {
    id: row.id,
    name: row.name,
    username: row.name,
    profileId: row.profileId,
    profileName,
    allowedSenders: JSON.parse(row.allowedSenders) as string[],
    allowedIps: JSON.parse(row.allowedIps) as string[],
    rateLimit: row.rateLimit,
    dailyQuota: row.dailyQuota,
    allowPlainAuth: row.allowPlainAuth,
    allowNoAuth: row.allowNoAuth,
    enabled: row.enabled,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
    lastSeenIp: row.lastSeenIp,
    acceptedCount: row.acceptedCount,
    rejectedCount: row.rejectedCount,
  };
}

function invalid(error: { issues: { path: PropertyKey[]; message: string }[] }): AppError {
  const issue = error.issues[0];
  return new AppError("invalid_input", issue?.message ?? "Invalid device", { field: issue?.path.map(String).join(".") || undefined });
}

async function profileNames(actor: Actor, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of new Set(ids)) {
    const p = await findProfile(actor, id);
    if (p) out.set(id, p.name);
  }
  return out;
}

async function resolveProfile(actor: Actor, name: string) {
  try {
    return await getProfileByName(actor, name);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") throw new AppError("invalid_input", `No profile named "${name}"`, { field: "profile", hint: "List profiles with: npm run cli -- profile list" });
    throw error;
  }
}

export async function createDevice(actor: Actor, input: CreateDeviceInput): Promise<DeviceWithPassword> {
  const parsed = createDeviceSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  const d = parsed.data;
  const profile = await resolveProfile(actor, d.profile);
  const db = getDb();
  if (await db.relayDevice.findUnique({ where: { name: d.name } })) throw new AppError("conflict", `A device named "${d.name}" already exists`, { field: "name" });
  const password = generateDevicePassword();
  const row = await db.relayDevice.create({
    data: {
      id: randomUUID(),
      name: d.name,
      passwordHash: await hashPassword(password),
      profileId: profile.id,
      ...rightsData(d),
    },
  });
  const risky = [d.allowPlainAuth ? "plaintext AUTH without TLS" : "", d.noAuth ? "submission without AUTH" : ""].filter(Boolean);
  await recordActivity(actor, {
    action: "relay.device.create",
    outcome: "success",
    profileId: profile.id,
    profileName: profile.name,
    summary: `Relay device "${d.name}" created, sending through "${profile.name}"${risky.length ? ` (RISK: ${risky.join(" and ")} allowed from ${d.allowIp.join(", ")})` : ""}`,
  });
  return { ...toDto(row, profile.name), password };
}

/** The columns of a device's rights, as create and update store them (senders lower-cased). */
function rightsData(d: z.output<typeof createDeviceSchema>) {
  return {
    allowedSenders: JSON.stringify(d.allowFrom.map((s) => s.toLowerCase())),
    allowedIps: JSON.stringify(d.allowIp),
    rateLimit: d.rate ?? null,
    dailyQuota: d.quota ?? null,
    allowPlainAuth: d.allowPlainAuth,
    allowNoAuth: d.noAuth,
  };
}

async function rowByName(name: string): Promise<RelayDevice> {
  const row = await getDb().relayDevice.findUnique({ where: { name } });
  if (!row) throw new AppError("not_found", `No relay device named "${name}"`, { field: "name", hint: "List devices with: npm run cli -- relay device list" });
  return row;
}

export async function listDevices(actor: Actor): Promise<DeviceDto[]> {
  const rows = await getDb().relayDevice.findMany({ orderBy: { name: "asc" } });
  const names = await profileNames(actor, rows.map((r) => r.profileId));
  return rows.map((r) => toDto(r, names.get(r.profileId) ?? null));
}

export async function getDevice(actor: Actor, name: string): Promise<DeviceDto> {
  const row = await rowByName(name);
  return toDto(row, (await findProfile(actor, row.profileId))?.name ?? null);
}

/** Changes a device's rights (not its name or password). */
export async function updateDevice(actor: Actor, name: string, input: Omit<CreateDeviceInput, "name">): Promise<DeviceDto> {
  const parsed = createDeviceSchema.safeParse({ ...input, name });
  if (!parsed.success) throw invalid(parsed.error);
  const d = parsed.data;
  const row = await rowByName(name);
  const profile = await resolveProfile(actor, d.profile);
  const updated = await getDb().relayDevice.update({
    where: { id: row.id },
    data: {
      profileId: profile.id,
      ...rightsData(d),
      version: { increment: 1 },
    },
  });
  await recordActivity(actor, { action: "relay.device.update", outcome: "success", profileId: profile.id, profileName: profile.name, summary: `Relay device "${name}" changed` });
  return toDto(updated, profile.name);
}

export async function setDeviceEnabled(actor: Actor, name: string, enabled: boolean): Promise<DeviceDto> {
  const row = await rowByName(name);
  const updated = await getDb().relayDevice.update({ where: { id: row.id }, data: { enabled, version: { increment: 1 } } });
  await recordActivity(actor, { action: enabled ? "relay.device.enable" : "relay.device.disable", outcome: "success", summary: `Relay device "${name}" ${enabled ? "enabled" : "disabled"}` });
  return toDto(updated, (await findProfile(actor, row.profileId))?.name ?? null);
}

export async function rotateDevicePassword(actor: Actor, name: string): Promise<DeviceWithPassword> {
  const row = await rowByName(name);
  const password = generateDevicePassword();
  const updated = await getDb().relayDevice.update({ where: { id: row.id }, data: { passwordHash: await hashPassword(password), version: { increment: 1 } } });
  await recordActivity(actor, { action: "relay.device.rotate", outcome: "success", summary: `Relay device "${name}": new password generated (the old one no longer works)` });
  return { ...toDto(updated, (await findProfile(actor, row.profileId))?.name ?? null), password };
}

/** Deletes the device; its queued messages stay queued and are still delivered. */
export async function deleteDevice(actor: Actor, name: string): Promise<void> {
  const row = await rowByName(name);
  await getDb().relayDevice.delete({ where: { id: row.id } });
  await recordActivity(actor, { action: "relay.device.delete", outcome: "success", summary: `Relay device "${name}" deleted` });
}

// ---------------------------------------------------------------------------------------------
// Used by the listener (no actor: the relay acts for itself)

export type DevicePolicy = {
  id: string;
  name: string;
  profileId: string;
  version: number;
  enabled: boolean;
  allowedSenders: string[];
  ipList: BlockList | null;
  rateLimit: number | null;
  dailyQuota: number | null;
  allowPlainAuth: boolean;
  allowNoAuth: boolean;
  passwordHash: string;
};

function ipListOf(entries: string[]): BlockList | null {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const e of entries) {
    const [ip, bits] = e.split("/");
    const type = isIPv4(ip) ? "ipv4" : isIPv6(ip) ? "ipv6" : null;
    if (!type) continue;
    if (bits === undefined) list.addAddress(ip, type);
    else list.addSubnet(ip, Number(bits), type);
  }
  return list;
}

type PolicyRow = Pick<RelayDevice, "id" | "name" | "profileId" | "version" | "allowedSenders" | "allowedIps" | "rateLimit" | "dailyQuota" | "passwordHash"> & { enabled: boolean | number; allowPlainAuth: boolean | number; allowNoAuth: boolean | number };

function policyOf(row: PolicyRow): DevicePolicy {
  return {
    id: row.id,
    name: row.name,
    profileId: row.profileId,
    version: row.version,
    enabled: Boolean(row.enabled),
    allowedSenders: JSON.parse(row.allowedSenders) as string[],
    ipList: ipListOf(JSON.parse(row.allowedIps) as string[]),
    rateLimit: row.rateLimit,
    dailyQuota: row.dailyQuota,
    allowPlainAuth: Boolean(row.allowPlainAuth),
    allowNoAuth: Boolean(row.allowNoAuth),
    passwordHash: row.passwordHash,
  };
}

/** Normalises "::ffff:192.0.2.1" to "192.0.2.1". */
export function normalizeIp(ip: string): string {
  return ip.startsWith("::ffff:") && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}

export function ipAllowed(policy: Pick<DevicePolicy, "ipList">, ip: string): boolean {
  if (!policy.ipList) return true;
  const n = normalizeIp(ip);
  return policy.ipList.check(n, isIPv4(n) ? "ipv4" : "ipv6");
}

export function senderAllowed(policy: Pick<DevicePolicy, "allowedSenders">, address: string): boolean {
  if (policy.allowedSenders.length === 0) return true;
  const a = address.trim().toLowerCase();
  const domain = a.slice(a.lastIndexOf("@"));
  return policy.allowedSenders.some((s) => (s.startsWith("@") ? s === domain : s === a));
}

// Read at every AUTH and MAIL FROM: a prepared statement on the raw connection (lib/db/sqlite.ts).
const POLICY_BY_NAME = `SELECT "id", "name", "profileId", "version", "enabled", "allowedSenders", "allowedIps", "rateLimit", "dailyQuota", "allowPlainAuth", "allowNoAuth", "passwordHash" FROM "RelayDevice" WHERE "name" = ?`;

export async function loadDevicePolicy(name: string): Promise<DevicePolicy | null> {
  const row = statement(POLICY_BY_NAME).get(name) as PolicyRow | undefined;
  return row ? policyOf(row) : null;
}

/** Devices that may submit without AUTH from this IP (only enabled ones with no-AUTH on and the IP listed). */
export async function noAuthDeviceFor(ip: string): Promise<DevicePolicy | null> {
  const rows = await getDb().relayDevice.findMany({ where: { allowNoAuth: true, enabled: true }, orderBy: { name: "asc" } });
  for (const r of rows) {
    const p = policyOf(r);
    if (p.ipList && ipAllowed(p, ip)) return p;
  }
  return null;
}

// Verified credentials: scrypt costs tens of milliseconds, paid once per device and password;
// later logins compare an HMAC under a per-process key (constant time). Any change to the device
// bumps its version and so voids the entry.
const verifyKey = randomBytes(32);
const verified = new Map<string, { version: number; mac: Buffer }>();
const macOf = (name: string, password: string) => createHmac("sha256", verifyKey).update(name).update("\0").update(password).digest();

export async function verifyDevicePassword(policy: DevicePolicy, password: string): Promise<boolean> {
  const mac = macOf(policy.name, password);
  const hit = verified.get(policy.id);
  if (hit && hit.version === policy.version && timingSafeEqual(hit.mac, mac)) return true;
  const ok = await verifyPassword(password, policy.passwordHash);
  if (ok) verified.set(policy.id, { version: policy.version, mac });
  return ok;
}

/** A user that does not exist costs the same scrypt as a wrong password. */
export async function burnPasswordCheck(password: string): Promise<void> {
  await verifyPassword(password, null);
}

/**
 * The full scrypt check, never the cache: for a login refused anyway (device disabled, IP not
 * listed), so it takes as long as a wrong password and the admin's log can still say whether the
 * password was right. The cache would answer a right password at once — a timing oracle.
 */
export async function verifyDevicePasswordUncached(policy: DevicePolicy, password: string): Promise<boolean> {
  return verifyPassword(password, policy.passwordHash);
}

/**
 * Whether plain-text AUTH (no TLS) may be tried from this IP at all: some enabled device allows it
 * and lists the IP. Decided from the IP alone, so the answer (538 or not) never tells whether the
 * username exists.
 */
export async function plainAuthAllowedFrom(ip: string): Promise<boolean> {
  const rows = await getDb().relayDevice.findMany({ where: { allowPlainAuth: true, enabled: true }, select: { allowedIps: true } });
  return rows.some((r) => {
    const list = ipListOf(JSON.parse(r.allowedIps) as string[]);
    return list !== null && ipAllowed({ ipList: list }, ip);
  });
}

/** The UTC day of `at` as the quota counter stores it. */
export function quotaDayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/**
 * Takes one message of the device's daily quota for `day`, atomically: one conditional UPDATE
 * (a new day starts at 1). Returns false, taking nothing, when the quota is used up. Concurrent
 * sessions of one device — in this process or others sharing the database — cannot exceed it.
 */
export async function takeDailyQuota(deviceId: string, day: string): Promise<boolean> {
  const n = await getDb().$executeRaw`UPDATE "RelayDevice" SET "quotaUsed" = CASE WHEN "quotaDay" = ${day} THEN "quotaUsed" + 1 ELSE 1 END, "quotaDay" = ${day} WHERE "id" = ${deviceId} AND ("dailyQuota" IS NULL OR "quotaDay" <> ${day} OR "quotaUsed" < "dailyQuota")`;
  return n === 1;
}

/** Gives back a message taken with takeDailyQuota that was not queued in the end (refused, RSET, disconnect). */
export async function releaseDailyQuota(deviceId: string, day: string): Promise<void> {
  await getDb().$executeRaw`UPDATE "RelayDevice" SET "quotaUsed" = "quotaUsed" - 1 WHERE "id" = ${deviceId} AND "quotaDay" = ${day} AND "quotaUsed" > 0`;
}

export async function touchDevice(id: string, ip: string, accepted: number, rejected: number): Promise<void> {
  await getDb()
    .relayDevice.update({ where: { id }, data: { lastSeenAt: new Date(), lastSeenIp: normalizeIp(ip), acceptedCount: { increment: accepted }, rejectedCount: { increment: rejected } } })
    .catch(() => undefined);
}
