import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { runCliCaptured } from "@/tests/helpers/cli";
import { getDb } from "@/lib/db/client";
import { createAdmin, resolveSession, signIn } from "@/lib/auth/admins";

// Issue 11 point 16: the admin CLI twins (list, disable/enable/delete, unlock, sessions,
// sign-out) with the console's validation and activity entries.
useTestDb();
const PASSWORD = "Correct-Horse-Battery-9";

async function lastActivity(action: string) {
  return getDb().activity.findFirst({ where: { action }, orderBy: { at: "desc" } });
}

describe("admin CLI twins", () => {
  it("lists admins with last sign-in, lock state and disabled; disable ends sessions and refuses sign-in; enable; delete guards the last active admin", async () => {
    await createAdmin({ username: "test" }, "alice", PASSWORD);
    await createAdmin({ username: "test" }, "bob", PASSWORD);
    const s = await signIn("alice", PASSWORD, { ip: "192.0.2.7" });
    for (let i = 0; i < 5; i++) await signIn("bob", "wrong-password", { ip: "192.0.2.8" }).catch(() => undefined);

    const list = await runCliCaptured(["admin", "list", "--json"]);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.out) as { username: string; lastSignInIp: string | null; lockedUntil: string | null; disabled: boolean; activeSessions: number }[];
    expect(rows.find((r) => r.username === "alice")).toMatchObject({ lastSignInIp: "192.0.2.7", lockedUntil: null, disabled: false, activeSessions: 1 });
    expect(rows.find((r) => r.username === "bob")?.lockedUntil).not.toBeNull();
    expect((await runCliCaptured(["admin", "list"])).out).toMatch(/bob\s+active, locked until/);

    // unlock: exactly one of --username / --ip, validated like the console's form.
    expect((await runCliCaptured(["admin", "unlock"])).code).toBe(2);
    expect((await runCliCaptured(["admin", "unlock", "--ip", "not-an-ip"])).err).toContain("ip: ");
    expect((await runCliCaptured(["admin", "unlock", "--username", "bob"])).out).toBe('Unlocked sign-in for "bob"');
    expect((await lastActivity("admin.unlock"))?.actor).toMatch(/^cli:/);
    expect((await signIn("bob", PASSWORD, { ip: "192.0.2.8" })).admin.username).toBe("bob");

    // disable: sessions end at once, sign-in refused even with the right password.
    expect((await runCliCaptured(["admin", "disable", "--username", "alice"])).code).toBe(0);
    expect(await resolveSession(s.sessionToken)).toBeNull();
    await expect(signIn("alice", PASSWORD, { ip: "192.0.2.7" })).rejects.toMatchObject({ code: "forbidden" });
    expect((await lastActivity("admin.disable"))?.summary).toContain('"alice"');
    // bob is now the last active admin: neither disable nor delete may remove him.
    const refused = await runCliCaptured(["admin", "disable", "--username", "bob"]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("last active admin");
    expect((await runCliCaptured(["admin", "delete", "--username", "bob"])).err).toContain("last active admin");
    expect((await runCliCaptured(["admin", "enable", "--username", "alice"])).out).toBe('Enabled admin "alice"');
    expect((await signIn("alice", PASSWORD, { ip: "192.0.2.7" })).admin.username).toBe("alice");

    const sessions = await runCliCaptured(["admin", "sessions", "--username", "alice", "--json"]);
    expect(JSON.parse(sessions.out)).toHaveLength(1);
    expect(sessions.out).not.toMatch(/[a-f0-9]{64}/);
    expect((await runCliCaptured(["admin", "sign-out", "--username", "alice"])).out).toBe('Ended 1 session of "alice"');

    expect((await runCliCaptured(["admin", "delete", "--username", "bob"])).out).toBe('Deleted admin "bob"');
    expect((await runCliCaptured(["admin", "delete", "--username", "nobody"])).err).toContain('No admin named "nobody"');
    expect((await runCliCaptured(["admin", "disable", "--username", "x"])).err).toContain("username: Username must be at least 3 characters");
  });
});
