import "server-only";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { getDb } from "../db/client";
import { getEnv } from "../env";
import { AppError } from "../errors";
import { recordActivity } from "../activity/dal";
import type { Actor } from "./actor";
import { hashPassword, verifyPassword } from "./password";

/** Admin accounts, sessions and sign-in throttling: the only auth code that touches the db. */

export type AdminDto = { id: string; username: string; createdAt: string };

export async function hasAnyAdmin(): Promise<boolean> {
  return (await getDb().admin.count()) > 0;
}

export async function listAdmins(_actor: Actor): Promise<AdminDto[]> {
  const rows = await getDb().admin.findMany({ orderBy: { username: "asc" }, select: { id: true, username: true, createdAt: true } });
  return rows.map((r) => ({ id: r.id, username: r.username, createdAt: r.createdAt.toISOString() }));
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

// ---------------------------------------------------------------------------------------------
// Sign-in throttling: per user and per IP, N failures within a window lock for a period.

type ThrottleKey = `user:${string}` | `ip:${string}`;

async function lockedUntil(keys: ThrottleKey[], now: Date): Promise<Date | null> {
  const rows = await getDb().loginThrottle.findMany({ where: { key: { in: keys } } });
  const until = rows.map((r) => r.lockedUntil).filter((d): d is Date => d !== null && d > now);
  return until.length ? new Date(Math.max(...until.map((d) => d.getTime()))) : null;
}

async function recordFailure(keys: ThrottleKey[], now: Date): Promise<void> {
  const env = getEnv();
  const db = getDb();
  for (const key of keys) {
    const row = await db.loginThrottle.findUnique({ where: { key } });
    const windowExpired = !row || now.getTime() - row.windowStart.getTime() > env.LOGIN_WINDOW_MINUTES * 60_000;
    const failures = windowExpired ? 1 : row.failures + 1;
    const lock = failures >= env.LOGIN_MAX_FAILURES ? new Date(now.getTime() + env.LOGIN_LOCK_MINUTES * 60_000) : null;
    await db.loginThrottle.upsert({
      where: { key },
      create: { key, failures, windowStart: now, lockedUntil: lock },
      update: { failures: lock ? 0 : failures, windowStart: windowExpired || lock ? now : row!.windowStart, lockedUntil: lock ?? row?.lockedUntil ?? null },
    });
  }
}

export type SignInResult = { admin: AdminDto; sessionToken: string; expiresAt: Date };

/**
 * Verifies a username and password and opens a session. Throws AppError("unauthorized") with
 * one message for unknown user and wrong password, or "rate_limited" while locked out.
 */
export async function signIn(username: string, password: string, meta: { ip: string; userAgent?: string }): Promise<SignInResult> {
  const now = new Date();
  const keys: ThrottleKey[] = [`user:${username.toLowerCase()}`, `ip:${meta.ip}`];
  const locked = await lockedUntil(keys, now);
  if (locked) {
    const minutes = Math.max(1, Math.ceil((locked.getTime() - now.getTime()) / 60_000));
    await recordActivity({ username }, { action: "auth.sign-in", outcome: "failure", summary: `Sign-in refused for "${username}" from ${meta.ip}: locked after repeated failures`, errorCode: "rate_limited" });
    throw new AppError("rate_limited", `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`);
  }
  const db = getDb();
  const admin = await db.admin.findUnique({ where: { username } });
  const ok = await verifyPassword(password, admin?.passwordHash);
  if (!admin || !ok) {
    await recordFailure(keys, now);
    await recordActivity({ username }, { action: "auth.sign-in", outcome: "failure", summary: `Failed sign-in for "${username}" from ${meta.ip}`, errorCode: "unauthorized" });
    throw new AppError("unauthorized", "Wrong username or password.");
  }
  await db.loginThrottle.deleteMany({ where: { key: keys[0] } });
  const session = await openSession(admin.id, admin.passwordGen, meta);
  await recordActivity({ username }, { action: "auth.sign-in", outcome: "success", summary: `Signed in from ${meta.ip}` });
  return { admin: { id: admin.id, username: admin.username, createdAt: admin.createdAt.toISOString() }, ...session };
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
 * or idle) or predates a password change. Touches lastSeenAt at most once a minute.
 */
export async function resolveSession(token: string | undefined): Promise<Actor | null> {
  if (!token || token.length > 200) return null;
  const db = getDb();
  const id = hashToken(token);
  const session = await db.session.findUnique({ where: { id }, include: { admin: { select: { id: true, username: true, passwordGen: true } } } });
  if (!session) return null;
  const now = Date.now();
  const idleLimit = getEnv().SESSION_IDLE_MINUTES * 60_000;
  if (session.expiresAt.getTime() <= now || now - session.lastSeenAt.getTime() > idleLimit || session.passwordGen !== session.admin.passwordGen) {
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
 * Shares the sign-in throttle: repeated wrong passwords lock this admin like failed sign-ins.
 * Throws AppError("rate_limited") while locked; returns false for a wrong password.
 */
export async function confirmPassword(actor: Actor, password: string): Promise<boolean> {
  const now = new Date();
  const keys: ThrottleKey[] = [`user:${actor.username.toLowerCase()}`];
  const locked = await lockedUntil(keys, now);
  if (locked) {
    const minutes = Math.max(1, Math.ceil((locked.getTime() - now.getTime()) / 60_000));
    throw new AppError("rate_limited", `Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`);
  }
  const admin = await getDb().admin.findUnique({ where: { id: actor.id } });
  const ok = await verifyPassword(password, admin?.passwordHash);
  if (!ok) await recordFailure(keys, now);
  return ok;
}

/** Sets a password without the old one (CLI `admin create` for an existing user is refused; this is for the CLI `admin reset-password`). */
export async function resetPassword(actor: Actor, username: string, password: string): Promise<void> {
  const db = getDb();
  const admin = await db.admin.findUnique({ where: { username } });
  if (!admin) throw new AppError("not_found", `No admin named "${username}".`, { field: "username" });
  await db.$transaction([
    db.admin.update({ where: { id: admin.id }, data: { passwordHash: await hashPassword(password), passwordGen: { increment: 1 } } }),
    db.session.deleteMany({ where: { adminId: admin.id } }),
  ]);
  await recordActivity(actor, { action: "admin.password", outcome: "success", summary: `Reset password of "${username}"; all sessions ended` });
}

export async function pruneSessions(): Promise<void> {
  await getDb().session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
}
