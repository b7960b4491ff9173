import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { getDb } from "@/lib/db/client";
import { listActivity, listActivityActors } from "@/lib/activity/dal";
import { activityFilterOf, parseActivityQuery } from "@/lib/activity/query";
import type { Actor } from "./actor";
import { createAdmin, deleteAdmin, disableAdmin, endSession, listAddressLocks, listAdmins, listSessions, requireReauth, resetPassword, resolveSession, sessionRefOf, signIn, unlockSignIn } from "./admins";

/** Settings → Admins: the lib functions its actions and the CLI twins call (issue 16.4). */

useTestDb();
const PASSWORD = "Admin-Management-Pass-1";
const NEW_PASSWORD = "Reset-By-Another-Admin-2";

async function webActor(username: string, ip = "192.0.2.1"): Promise<{ actor: Actor; token: string }> {
  const s = await signIn(username, PASSWORD, { ip, userAgent: "vitest" });
  const actor = await resolveSession(s.sessionToken);
  return { actor: actor!, token: s.sessionToken };
}

describe("admin management", () => {
  it("ends one session by its reference, leaving the others; a wrong or spent reference is refused", async () => {
    await createAdmin({ username: "setup" }, "root-admin", PASSWORD);
    await createAdmin({ username: "setup" }, "other-admin", PASSWORD);
    const { actor: root } = await webActor("root-admin");
    const a = await webActor("other-admin", "192.0.2.2");
    const b = await webActor("other-admin", "192.0.2.3");
    const ref = sessionRefOf(a.token)!;
    expect((await listSessions(root, "other-admin")).map((s) => s.ref).sort()).toEqual([ref, sessionRefOf(b.token)].sort());
    expect(await endSession(root, ref)).toEqual({ username: "other-admin" });
    expect(await resolveSession(a.token)).toBeNull();
    expect(await resolveSession(b.token)).not.toBeNull();
    await expect(endSession(root, ref)).rejects.toMatchObject({ code: "not_found", field: "ref" });
    await expect(endSession(root, "not-hex")).rejects.toMatchObject({ code: "invalid_input", field: "ref" });
    const log = await listActivity(root, { action: "admin.sign-out-session" });
    expect(log.items[0]).toMatchObject({ actor: "root-admin", summary: `Ended session ${ref} of "other-admin"` });
  });

  it("refuses to disable, delete or reset the signed-in admin's own account, naming why", async () => {
    const { actor: root } = await webActor("root-admin");
    await expect(disableAdmin(root, "root-admin")).rejects.toMatchObject({ code: "conflict", userMessage: expect.stringContaining("your own account") });
    await expect(deleteAdmin(root, "root-admin")).rejects.toMatchObject({ code: "conflict", userMessage: expect.stringContaining("your own account") });
    await expect(resetPassword(root, "root-admin", NEW_PASSWORD)).rejects.toMatchObject({ code: "conflict" });
    expect((await listAdmins(root)).find((a) => a.username === "root-admin")).toMatchObject({ disabled: false });
  });

  it("resets another admin's password: their sessions end, the new password signs in, logged with the actor", async () => {
    const { actor: root } = await webActor("root-admin");
    const other = await webActor("other-admin");
    await resetPassword(root, "other-admin", NEW_PASSWORD);
    expect(await resolveSession(other.token)).toBeNull();
    await expect(signIn("other-admin", PASSWORD, { ip: "192.0.2.9" })).rejects.toMatchObject({ code: "unauthorized" });
    await unlockSignIn(root, { username: "other-admin" });
    await expect(signIn("other-admin", NEW_PASSWORD, { ip: "192.0.2.9" })).resolves.toMatchObject({ admin: { username: "other-admin" } });
    const log = await listActivity(root, { action: "admin.password", actor: "root-admin" });
    expect(log.items[0].summary).toBe('Reset password of "other-admin"; all sessions ended');
  });

  it("re-authentication: a wrong password is refused, logged and counted against the sign-in throttle; the right one passes", async () => {
    const { actor: root } = await webActor("root-admin");
    await expect(requireReauth(root, "wrong-password", { action: "admin.delete", summary: 'Refused to delete admin "other-admin"' })).rejects.toMatchObject({ code: "unauthorized", field: "current" });
    await expect(requireReauth(root, undefined, { action: "admin.delete", summary: "x" })).rejects.toMatchObject({ code: "unauthorized" });
    expect((await listAdmins(root)).find((a) => a.username === "root-admin")?.recentFailures).toBe(1);
    await expect(requireReauth(root, PASSWORD, { action: "admin.delete", summary: "x" })).resolves.toBeUndefined();
    expect((await listAdmins(root)).find((a) => a.username === "root-admin")?.recentFailures).toBe(0);
    const refused = await listActivity(root, { action: "admin.delete", outcome: "failure" });
    expect(refused.items.at(-1)).toMatchObject({ actor: "root-admin", summary: 'Refused to delete admin "other-admin": password not confirmed' });
    // Locked by wrong re-confirmations: refused without checking, as the sign-in is.
    for (let i = 0; i < 5; i++) await requireReauth(root, "wrong-again", { action: "backup", summary: "x" }).catch(() => undefined);
    await expect(requireReauth(root, PASSWORD, { action: "backup", summary: "x" })).rejects.toMatchObject({ code: "rate_limited" });
    await unlockSignIn(root, { username: "root-admin" });
    // The CLI operator holds the database and the key: no password.
    await expect(requireReauth({ id: "cli:ops", username: "cli:ops", via: "cli" }, undefined, { action: "backup", summary: "x" })).resolves.toBeUndefined();
  });

  it("lists client addresses with failures and locks (never user rows), and unlocking one removes it", async () => {
    const { actor: root } = await webActor("root-admin");
    for (const u of ["ghost1", "ghost2", "ghost3"]) await signIn(u, "nope", { ip: "203.0.113.77" }).catch(() => undefined);
    await getDb().loginThrottle.create({ data: { key: "ip:198.51.100.200", failures: 50, windowStart: new Date(), lockedUntil: new Date(Date.now() + 600_000) } });
    const locks = await listAddressLocks(root);
    expect(locks[0]).toMatchObject({ ip: "198.51.100.200", failures: 50, lockedUntil: expect.any(String) });
    expect(locks.find((l) => l.ip === "203.0.113.77")).toMatchObject({ failures: 3, lockedUntil: null });
    expect(locks.some((l) => l.ip.startsWith("user:") || l.ip.includes("ghost"))).toBe(false);
    expect(await unlockSignIn(root, { ip: "198.51.100.200" })).toBe(1);
    expect((await listAddressLocks(root)).some((l) => l.ip === "198.51.100.200")).toBe(false);
  });

  it("filters the activity log by actor (the Logs page and `logs --actor` share the schema)", async () => {
    const { actor: root } = await webActor("root-admin");
    const actors = await listActivityActors(root);
    expect(actors).toEqual(expect.arrayContaining(["root-admin", "other-admin", "setup"]));
    const q = parseActivityQuery({ actor: "other-admin" });
    expect(q.success).toBe(true);
    const log = await listActivity(root, { ...activityFilterOf(q.success ? q.data : { page: 1 }, undefined), pageSize: 500 });
    expect(log.total).toBeGreaterThan(0);
    expect(new Set(log.items.map((i) => i.actor))).toEqual(new Set(["other-admin"]));
    expect(parseActivityQuery({ actor: "x".repeat(101) }).success).toBe(false);
  });

  it("never deletes the last active admin", async () => {
    const { actor: root } = await webActor("root-admin");
    await disableAdmin(root, "other-admin");
    const cli: Actor = { id: "cli:ops", username: "cli:ops", via: "cli" };
    await expect(deleteAdmin(cli, "root-admin")).rejects.toMatchObject({ code: "conflict", userMessage: expect.stringContaining("last active admin") });
    await deleteAdmin(root, "other-admin");
    expect((await listAdmins(root)).map((a) => a.username)).toEqual(["root-admin"]);
  });
});
