import "server-only";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { getDb } from "../db/client";
import { getEnv } from "../env";
import { AppError } from "../errors";
import { recordActivity } from "../activity/dal";
import type { Actor } from "./actor";
import { hashPassword, verifyPassword } from "./password";
import { normalizeIp } from "../http/client-ip";
import { checkSetupCode, clearSetupCode } from "./setup-code";

/** Admin accounts, sessions and sign-in throttling: the only auth code that touches the db. */

export type AdminDto = { id: string; username: string; createdAt: string };

/** What the admin list shows (Settings, `admin list`): never a hash, never a session token. */
export type AdminSummaryDto = AdminDto & {
  disabled: boolean;
  disabledAt: string | null;
  lastSignInAt: string | null;
  lastSignInIp: string | null;
  /** Set while failed sign-ins lock this user out. */
  lockedUntil: string | null;
  /** Failed attempts counted in the current window. */
  recentFailures: number;
  activeSessions: number;
};

export type SessionDto = {
  /** A short, non-secret reference (a prefix of the stored hash, never the cookie). */
  ref: string;
  username: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
};

export async function hasAnyAdmin(): Promise<boolean> {
  return (await getDb().admin.count()) > 0;
}

function userKey(username: string): ThrottleKey {
  return `user:${username.toLowerCase()}`;
}

/** Every admin with last sign-in, lock state and whether it is disabled, by username. */
export async function listAdmins(_actor: Actor): Promise<AdminSummaryDto[]> {
  const db = getDb();
  const now = new Date();
  const rows = await db.admin.findMany({
    orderBy: { username: "asc" },
    select: { id: true, username: true, createdAt: true, disabledAt: true, lastSignInAt: true, lastSignInIp: true, _count: { select: { sessions: { where: { expiresAt: { gt: now } } } } } },
  });
  const throttles = await db.loginThrottle.findMany({ where: { key: { in: rows.map((r) => userKey(r.username)) } } });
  const byKey = new Map(throttles.map((t) => [t.key, t]));
  const windowMs = getEnv().LOGIN_WINDOW_MINUTES * 60_000;
  return rows.map((r) => {
    const t = byKey.get(userKey(r.username));
    const locked = t?.lockedUntil && t.lockedUntil > now ? t.lockedUntil : null;
    const inWindow = t && now.getTime() - t.windowStart.getTime() <= windowMs;
    return {
      id: r.id,
      username: r.username,
      createdAt: r.createdAt.toISOString(),
      disabled: r.disabledAt !== null,
      disabledAt: r.disabledAt?.toISOString() ?? null,
      lastSignInAt: r.lastSignInAt?.toISOString() ?? null,
      lastSignInIp: r.lastSignInIp ?? null,
      lockedUntil: locked ? locked.toISOString() : null,
      recentFailures: locked || inWindow ? (t?.failures ?? 0) : 0,
      activeSessions: r._count.sessions,
    };
  });
}

/**
 * Creates an admin. `onlyIfNone` makes it the first-run setup: refused once any admin exists
 * (checked inside the transaction, so two racing setup requests cannot both win).
 */
export async function createAdmin(actor: Actor | { username: string }, username: string, password: string, options: { onlyIfNone?: boolean } = {}): Promise<AdminDto> {
  const passwordHash = await hashPassword(password);
  const db = getDb();
  const created = await db.$transaction(async (tx) => {
    if (options.onlyIfNone && (await tx.admin.count()) > 0) {
      throw new AppError("conflict", "The console is already set up. Sign in instead.");
    }
    if (await tx.admin.findUnique({ where: { username } })) {
      throw new AppError("conflict", `An admin named "${username}" already exists.`, { field: "username" });
    }
    return tx.admin.create({ data: { id: randomUUID(), username, passwordHash } });
  });
  await recordActivity(actor, { action: options.onlyIfNone ? "auth.setup" : "admin.create", outcome: "success", summary: `Created admin "${username}"` });
  return { id: created.id, username: created.username, createdAt: created.createdAt.toISOString() };
}

/**
 * First-run setup from the web: the one-time setup code printed in the server log must match,
 * then the first admin is created (refused once any admin exists) and the code is spent.
 * AppError unauthorized (field setupCode) for a wrong or missing code; conflict when set up.
 */
export async function setupFirstAdmin(username: string, password: string, setupCode: string): Promise<AdminDto> {
  if (!(await checkSetupCode(setupCode))) {
    await recordActivity({ username }, { action: "auth.setup", outcome: "failure", summary: `First-run setup refused for "${username}": wrong setup code`, errorCode: "unauthorized" });
    throw new AppError("unauthorized", "The setup code is wrong. Use the code printed in the server log when the console started (a restart prints a new one, so does: npm run cli -- admin setup-code).", { field: "setupCode" });
  }
  const created = await createAdmin({ username }, username, password, { onlyIfNone: true });
  await clearSetupCode();
  return created;
}

async function findAdminOrThrow(username: string) {
  const admin = await getDb().admin.findUnique({ where: { username } });
  if (!admin) throw new AppError("not_found", `No admin named "${username}".`, { field: "username" });
  return admin;
}

const LAST_ADMIN = "Cannot remove the last active admin: create or enable another admin first.";

/** A signed-in admin never disables, deletes or resets themself from the console: another admin (or the CLI operator) does. */
function refuseSelf(actor: Actor, adminId: string, what: string): void {
  if (actor.id === adminId) throw new AppError("conflict", `You cannot ${what} your own account while signed in with it: another admin can (or the CLI: npm run cli -- admin …).`, { field: "username" });
}

/**
 * Disables an admin: sign-in is refused and every session of that admin ends at once. Refused
 * (AppError conflict) when it would leave no active admin; not_found for an unknown username.
 */
export async function disableAdmin(actor: Actor, username: string): Promise<void> {
  const db = getDb();
  await db.$transaction(async (tx) => {
    const admin = await tx.admin.findUnique({ where: { username } });
    if (!admin) throw new AppError("not_found", `No admin named "${username}".`, { field: "username" });
    refuseSelf(actor, admin.id, "disable");
    if (admin.disabledAt) throw new AppError("conflict", `Admin "${username}" is already disabled.`, { field: "username" });
    if ((await tx.admin.count({ where: { disabledAt: null, id: { not: admin.id } } })) === 0) throw new AppError("conflict", LAST_ADMIN, { field: "username" });
    await tx.admin.update({ where: { id: admin.id }, data: { disabledAt: new Date() } });
    await tx.session.deleteMany({ where: { adminId: admin.id } });
  });
  await recordActivity(actor, { action: "admin.disable", outcome: "success", summary: `Disabled admin "${username}"; their sessions ended` });
}

/** Enables a disabled admin (AppError not_found / conflict when it is not disabled). */
export async function enableAdmin(actor: Actor, username: string): Promise<void> {
  const admin = await findAdminOrThrow(username);
  if (!admin.disabledAt) throw new AppError("conflict", `Admin "${username}" is not disabled.`, { field: "username" });
  await getDb().admin.update({ where: { id: admin.id }, data: { disabledAt: null } });
  await recordActivity(actor, { action: "admin.enable", outcome: "success", summary: `Enabled admin "${username}"` });
}

/**
 * Deletes an admin and their sessions. Refused (AppError conflict) when it would leave no active
 * admin; the activity log keeps their entries (it stores the name, not a reference).
 */
export async function deleteAdmin(actor: Actor, username: string): Promise<void> {
  await getDb().$transaction(async (tx) => {
    const admin = await tx.admin.findUnique({ where: { username } });
    if (!admin) throw new AppError("not_found", `No admin named "${username}".`, { field: "username" });
    refuseSelf(actor, admin.id, "delete");
    if ((await tx.admin.count({ where: { disabledAt: null, id: { not: admin.id } } })) === 0) throw new AppError("conflict", LAST_ADMIN, { field: "username" });
    await tx.session.deleteMany({ where: { adminId: admin.id } });
    await tx.admin.delete({ where: { id: admin.id } });
  });
  await getDb().loginThrottle.deleteMany({ where: { key: userKey(username) } });
  await recordActivity(actor, { action: "admin.delete", outcome: "success", summary: `Deleted admin "${username}"` });
}

/** The sessions still valid, newest first (all admins, or one). */
export async function listSessions(_actor: Actor, username?: string): Promise<SessionDto[]> {
  const rows = await getDb().session.findMany({
    where: { expiresAt: { gt: new Date() }, ...(username ? { admin: { username } } : {}) },
    orderBy: { lastSeenAt: "desc" },
    include: { admin: { select: { username: true } } },
  });
  return rows.map((r) => ({
    ref: r.id.slice(0, 12),
    username: r.admin.username,
    createdAt: r.createdAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    ip: r.ip,
    userAgent: r.userAgent,
  }));
}

const SESSION_REF = /^[0-9a-f]{12}$/;

/** The list's reference of the session a cookie opens (a prefix of the stored hash), or null. */
export function sessionRefOf(token: string | undefined): string | null {
  return token ? hashToken(token).slice(0, 12) : null;
}

/**
 * Ends one session by its reference (from listSessions). Returns the admin it belonged to.
 * AppError invalid_input for a malformed reference, not_found when no open session has it.
 */
export async function endSession(actor: Actor, ref: string): Promise<{ username: string }> {
  if (!SESSION_REF.test(ref)) throw new AppError("invalid_input", "A session reference is 12 hexadecimal characters (see admin sessions).", { field: "ref" });
  const db = getDb();
  const matches = await db.session.findMany({ where: { id: { startsWith: ref } }, select: { id: true, admin: { select: { username: true } } } });
  if (matches.length !== 1) throw new AppError("not_found", `No open session ${ref}: it has ended already. List sessions with: npm run cli -- admin sessions`, { field: "ref" });
  await db.session.deleteMany({ where: { id: matches[0].id } });
  const username = matches[0].admin.username;
  await recordActivity(actor, { action: "admin.sign-out-session", outcome: "success", summary: `Ended session ${ref} of "${username}"` });
  return { username };
}

export type AddressLockDto = { ip: string; failures: number; lockedUntil: string | null; windowStart: string };

/**
 * Client addresses with failed sign-ins in the current window or a lock still running, locked
 * first, then by failures. Never a username (the address counter spans all users).
 */
export async function listAddressLocks(_actor: Actor): Promise<AddressLockDto[]> {
  const now = new Date();
  const windowStart = new Date(now.getTime() - getEnv().LOGIN_WINDOW_MINUTES * 60_000);
  const rows = await getDb().loginThrottle.findMany({ where: { key: { startsWith: "ip:" }, OR: [{ lockedUntil: { gt: now } }, { windowStart: { gte: windowStart }, failures: { gt: 0 } }] } });
  return rows
    .map((r) => ({ ip: r.key.slice(3), failures: r.failures, lockedUntil: r.lockedUntil && r.lockedUntil > now ? r.lockedUntil.toISOString() : null, windowStart: r.windowStart.toISOString() }))
    .sort((a, b) => Number(Boolean(b.lockedUntil)) - Number(Boolean(a.lockedUntil)) || b.failures - a.failures || a.ip.localeCompare(b.ip));
}

/** Ends every session of an admin (sign out everywhere). Returns how many ended; not_found for an unknown name. */
export async function signOutEverywhere(actor: Actor, username: string): Promise<number> {
  const admin = await findAdminOrThrow(username);
  const { count } = await getDb().session.deleteMany({ where: { adminId: admin.id } });
  await recordActivity(actor, { action: "admin.sign-out-all", outcome: "success", summary: `Ended ${count} session${count === 1 ? "" : "s"} of "${username}"` });
  return count;
}

// ---------------------------------------------------------------------------------------------
// Sign-in throttling. Each attempt is counted BEFORE its password is checked, inside one
// in-process critical section, and refused once the limit is reached; checks for one username
// run one at a time. So a burst of parallel guesses gets exactly the limit's worth of checks.
// Per user: LOGIN_MAX_FAILURES (the lock); per client address: LOGIN_MAX_FAILURES_PER_IP,
// well above it, so one admin's typos on a shared jump host do not lock out the others.

type ThrottleKey = `user:${string}` | `ip:${string}`;

const globalForLocks = globalThis as unknown as { __omcAuthChains?: Map<string, Promise<unknown>>; __omcThrottlePrunedAt?: number };
const chains = (globalForLocks.__omcAuthChains ??= new Map());

/** Runs fn after every earlier fn with the same key has settled (one process: see lib/runtime/instance-lock). */
async function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = chains.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  chains.set(key, tail);
  try {
    return await run;
  } finally {
    if (chains.get(key) === tail) chains.delete(key);
  }
}

function limitFor(key: ThrottleKey): number {
  const env = getEnv();
  return key.startsWith("ip:") ? env.LOGIN_MAX_FAILURES_PER_IP : env.LOGIN_MAX_FAILURES;
}

/** Deletes throttle rows whose window and lock are over (at most once a minute). */
async function pruneThrottle(now: Date, force = false): Promise<void> {
  if (!force && now.getTime() - (globalForLocks.__omcThrottlePrunedAt ?? 0) < 60_000) return;
  globalForLocks.__omcThrottlePrunedAt = now.getTime();
  const windowStart = new Date(now.getTime() - getEnv().LOGIN_WINDOW_MINUTES * 60_000);
  await getDb().loginThrottle.deleteMany({ where: { windowStart: { lt: windowStart }, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] } });
}

/**
 * Counts one attempt against each key, or refuses without counting when a key is locked.
 * Returns the lock end when refused. Reaching a key's limit locks it from this attempt on.
 */
async function admitAttempt(keys: ThrottleKey[], now: Date): Promise<Date | null> {
  return serialized("throttle", async () => {
    await pruneThrottle(now);
    const db = getDb();
    const rows = new Map((await db.loginThrottle.findMany({ where: { key: { in: keys } } })).map((r) => [r.key, r]));
    const locks = [...rows.values()].map((r) => r.lockedUntil).filter((d): d is Date => d !== null && d > now);
    if (locks.length) return new Date(Math.max(...locks.map((d) => d.getTime())));
    const env = getEnv();
    await db.$transaction(
      keys.map((key) => {
        const row = rows.get(key);
        const fresh = !row || row.lockedUntil !== null || now.getTime() - row.windowStart.getTime() > env.LOGIN_WINDOW_MINUTES * 60_000;
        const failures = fresh ? 1 : row.failures + 1;
        const lockedUntil = failures >= limitFor(key) ? new Date(now.getTime() + env.LOGIN_LOCK_MINUTES * 60_000) : null;
        const data = { failures, windowStart: fresh ? now : row.windowStart, lockedUntil };
        return db.loginThrottle.upsert({ where: { key }, create: { key, ...data }, update: data });
      }),
    );
    return null;
  });
}

/** A successful check: the user's counter starts over; the address gets its attempt back. */
async function settleSuccess(user: ThrottleKey, ip: ThrottleKey | null): Promise<void> {
  await serialized("throttle", async () => {
    const db = getDb();
    await db.loginThrottle.deleteMany({ where: { key: user } });
    if (!ip) return;
    const row = await db.loginThrottle.findUnique({ where: { key: ip } });
    if (!row) return;
    const failures = Math.max(0, row.failures - 1);
    await db.loginThrottle.update({ where: { key: ip }, data: { failures, lockedUntil: failures >= limitFor(ip) ? row.lockedUntil : null } });
  });
}

function lockedMessage(what: string, until: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  return `${what} Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

/**
 * Lifts a sign-in lock: of one username (any address) or of one client address. Returns how many
 * lock rows were removed; AppError invalid_input for a malformed address.
 */
export async function unlockSignIn(actor: Actor, target: { username: string } | { ip: string }): Promise<number> {
  let key: ThrottleKey;
  let label: string;
  if ("username" in target) {
    key = userKey(target.username);
    label = `admin "${target.username}"`;
  } else {
    const ip = normalizeIp(target.ip);
    if (!ip) throw new AppError("invalid_input", `"${target.ip.slice(0, 60)}" is not an IP address (expected e.g. 192.0.2.10 or 2001:db8::1).`, { field: "ip" });
    key = `ip:${ip}`;
    label = `address ${ip}`;
  }
  const { count } = await serialized("throttle", () => getDb().loginThrottle.deleteMany({ where: { key } }));
  await recordActivity(actor, { action: "admin.unlock", outcome: "success", summary: count ? `Unlocked sign-in for ${label}` : `Unlock for ${label}: it was not locked` });
  return count;
}

export type SignInResult = { admin: AdminDto; sessionToken: string; expiresAt: Date };

/**
 * Verifies a username and password and opens a session. Throws AppError("unauthorized") with
 * one message for unknown user and wrong password, "rate_limited" while the user or the address
 * is locked out, "forbidden" for a disabled admin (only after the right password).
 */
export async function signIn(username: string, password: string, meta: { ip: string; userAgent?: string }): Promise<SignInResult> {
  const ip = normalizeIp(meta.ip) ?? "unknown";
  const user = userKey(username);
  const ipKey: ThrottleKey = `ip:${ip}`;
  return serialized(user, async () => {
    const now = new Date();
    const locked = await admitAttempt([user, ipKey], now);
    if (locked) {
      await recordActivity({ username }, { action: "auth.sign-in", outcome: "failure", summary: `Sign-in refused for "${username}" from ${ip}: locked after repeated failures`, errorCode: "rate_limited" });
      throw new AppError("rate_limited", lockedMessage("Too many failed sign-ins.", locked, now), { hint: "An admin can lift the lock in Settings → Admins or with: npm run cli -- admin unlock --username U" });
    }
    const db = getDb();
    const admin = await db.admin.findUnique({ where: { username } });
    const ok = await verifyPassword(password, admin?.passwordHash);
    if (!admin || !ok) {
      await recordActivity({ username }, { action: "auth.sign-in", outcome: "failure", summary: `Failed sign-in for "${username}" from ${ip}`, errorCode: "unauthorized" });
      throw new AppError("unauthorized", "Wrong username or password.");
    }
    await settleSuccess(user, ipKey);
    if (admin.disabledAt) {
      await recordActivity({ username }, { action: "auth.sign-in", outcome: "failure", summary: `Sign-in refused for disabled admin "${username}" from ${ip}`, errorCode: "forbidden" });
      throw new AppError("forbidden", "This admin account is disabled. Another admin can enable it.");
    }
    await db.admin.update({ where: { id: admin.id }, data: { lastSignInAt: now, lastSignInIp: ip } });
    const session = await openSession(admin.id, admin.passwordGen, { ...meta, ip });
    await recordActivity({ username }, { action: "auth.sign-in", outcome: "success", summary: `Signed in from ${ip}` });
    return { admin: { id: admin.id, username: admin.username, createdAt: admin.createdAt.toISOString() }, ...session };
  });
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

async function openSession(adminId: string, passwordGen: number, meta: { ip: string; userAgent?: string }): Promise<{ sessionToken: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + getEnv().SESSION_TTL_HOURS * 3600_000);
  await getDb().session.create({
    data: { id: hashToken(token), adminId, passwordGen, expiresAt, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300) },
  });
  return { sessionToken: token, expiresAt };
}

/**
 * Resolves a session cookie to its admin, or null when the session is unknown, expired (absolute
 * or idle), predates a password change or belongs to a disabled admin. Touches lastSeenAt at most once a minute.
 */
export async function resolveSession(token: string | undefined): Promise<Actor | null> {
  if (!token || token.length > 200) return null;
  const db = getDb();
  const id = hashToken(token);
  const session = await db.session.findUnique({ where: { id }, include: { admin: { select: { id: true, username: true, passwordGen: true, disabledAt: true } } } });
  if (!session) return null;
  const now = Date.now();
  const idleLimit = getEnv().SESSION_IDLE_MINUTES * 60_000;
  if (session.expiresAt.getTime() <= now || now - session.lastSeenAt.getTime() > idleLimit || session.passwordGen !== session.admin.passwordGen || session.admin.disabledAt) {
    await db.session.deleteMany({ where: { id } });
    return null;
  }
  if (now - session.lastSeenAt.getTime() > 60_000) {
    await db.session.updateMany({ where: { id }, data: { lastSeenAt: new Date(now) } });
  }
  return { id: session.admin.id, username: session.admin.username, via: "web" };
}

export async function signOut(actor: Actor, token: string | undefined): Promise<void> {
  if (token) await getDb().session.deleteMany({ where: { id: hashToken(token) } });
  await recordActivity(actor, { action: "auth.sign-out", outcome: "success", summary: "Signed out" });
}

/**
 * Changes an admin's password after checking the current one; every session of that admin,
 * including the current one, ends (the caller signs in again).
 */
export async function changePassword(actor: Actor, current: string, next: string): Promise<void> {
  const db = getDb();
  const admin = await db.admin.findUnique({ where: { id: actor.id } });
  if (!admin || !(await verifyPassword(current, admin.passwordHash))) {
    throw new AppError("unauthorized", "Current password is wrong.", { field: "current" });
  }
  await db.$transaction([
    db.admin.update({ where: { id: admin.id }, data: { passwordHash: await hashPassword(next), passwordGen: { increment: 1 } } }),
    db.session.deleteMany({ where: { adminId: admin.id } }),
  ]);
  await recordActivity(actor, { action: "admin.password", outcome: "success", summary: `Changed password of "${admin.username}"; all sessions ended` });
}

/**
 * Re-checks the password of the acting admin (before revealing a token or exporting secrets).
 * Shares the sign-in throttle of that user (counted before the check, one check at a time):
 * throws AppError("rate_limited") while locked; returns false for a wrong password.
 */
export async function confirmPassword(actor: Actor, password: string): Promise<boolean> {
  const user = userKey(actor.username);
  return serialized(user, async () => {
    const now = new Date();
    const locked = await admitAttempt([user], now);
    if (locked) throw new AppError("rate_limited", lockedMessage("Too many wrong passwords.", locked, now));
    const admin = await getDb().admin.findUnique({ where: { id: actor.id } });
    const ok = await verifyPassword(password, admin?.passwordHash);
    if (ok) await settleSuccess(user, null);
    return ok;
  });
}

/**
 * Re-authentication before a destructive action on another admin or a backup download: the web
 * admin's password is re-checked through confirmPassword (the sign-in throttle: a wrong password
 * counts, a lock refuses). A refusal is logged under `action` and thrown as AppError unauthorized
 * on the field "current" (rate_limited while locked). The CLI operator already holds the database: no check.
 */
export async function requireReauth(actor: Actor, password: string | undefined, refused: { action: string; summary: string }): Promise<void> {
  if (actor.via === "cli") return;
  if (password && (await confirmPassword(actor, password))) return;
  await recordActivity(actor, { action: refused.action, outcome: "failure", summary: `${refused.summary}: password not confirmed`, errorCode: "unauthorized" });
  throw new AppError("unauthorized", "That is not your password. Nothing was changed.", { field: "current" });
}

/**
 * Sets another admin's password without their old one (Settings → Admins after the acting admin
 * re-entered their own password, and the CLI `admin reset-password`). Every session of the target
 * ends. AppError not_found; conflict for the signed-in admin's own account (change it under "Your
 * password", which asks for the current one).
 */
export async function resetPassword(actor: Actor, username: string, password: string): Promise<void> {
  const db = getDb();
  const admin = await db.admin.findUnique({ where: { username } });
  if (!admin) throw new AppError("not_found", `No admin named "${username}".`, { field: "username" });
  if (actor.id === admin.id) throw new AppError("conflict", "Change your own password under Settings → Your password (it asks for the current one).", { field: "username" });
  await db.$transaction([
    db.admin.update({ where: { id: admin.id }, data: { passwordHash: await hashPassword(password), passwordGen: { increment: 1 } } }),
    db.session.deleteMany({ where: { adminId: admin.id } }),
  ]);
  await recordActivity(actor, { action: "admin.password", outcome: "success", summary: `Reset password of "${username}"; all sessions ended` });
}

/** Start-up housekeeping: expired sessions and throttle rows whose window and lock are over. */
export async function pruneSessions(): Promise<void> {
  await getDb().session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  await pruneThrottle(new Date(), true);
}
