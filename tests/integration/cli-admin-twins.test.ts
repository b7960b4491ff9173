import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { runCliCaptured } from "@/tests/helpers/cli";
import { getDb } from "@/lib/db/client";
import { createAdmin, resolveSession, sessionRefOf, signIn } from "@/lib/auth/admins";

/** Issue 16.4: the CLI twins of Settings → Admins and of the Logs page's actor filter. */
useTestDb();
const run = (...argv: string[]) => runCliCaptured(argv);
const PASSWORD = "Cli-Admin-Twins-Pass-1";

describe("admin end-session, admin locks, logs --actor", () => {
  it("ends one session by the reference `admin sessions` prints; refuses a malformed one (exit 2)", async () => {
    await createAdmin({ username: "setup" }, "twin-admin", PASSWORD);
    const one = await signIn("twin-admin", PASSWORD, { ip: "192.0.2.5", userAgent: "TwinBrowser/1" });
    const two = await signIn("twin-admin", PASSWORD, { ip: "192.0.2.6" });
    const ref = sessionRefOf(one.sessionToken)!;
    const listed = await run("admin", "sessions", "--username", "twin-admin");
    expect(listed.out).toMatch(new RegExp(`^${ref}  twin-admin .* from 192\\.0\\.2\\.5  TwinBrowser/1$`, "m"));
    const ended = await run("admin", "end-session", "--ref", ref);
    expect(ended).toMatchObject({ code: 0, out: `Ended session ${ref} of "twin-admin"` });
    expect(await resolveSession(one.sessionToken)).toBeNull();
    expect(await resolveSession(two.sessionToken)).not.toBeNull();
    const bad = await run("admin", "end-session", "--ref", "xyz");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--ref: A session reference is 12 hexadecimal characters/);
    expect((await run("admin", "end-session", "--ref", ref)).code).toBe(1);
  });

  it("lists address locks like the page, and unlocks one with admin unlock --ip", async () => {
    await getDb().loginThrottle.create({ data: { key: "ip:203.0.113.9", failures: 50, windowStart: new Date(), lockedUntil: new Date(Date.now() + 600_000) } });
    const locks = JSON.parse((await run("admin", "locks", "--json")).out) as Array<{ ip: string; failures: number; lockedUntil: string | null }>;
    expect(locks).toEqual([expect.objectContaining({ ip: "203.0.113.9", failures: 50, lockedUntil: expect.any(String) })]);
    expect((await run("admin", "locks")).out).toMatch(/^203\.0\.113\.9 +locked until .*; 50 failures since /);
    expect((await run("admin", "unlock", "--ip", "203.0.113.9")).out).toBe("Unlocked sign-in for address 203.0.113.9");
    expect((await run("admin", "locks")).out).toBe("No client address has failed sign-ins in the current window.");
  });

  it("logs --actor shows only that actor's entries (the Logs page's Actor filter)", async () => {
    const out = JSON.parse((await run("logs", "--actor", "twin-admin", "--json")).out) as { items: Array<{ actor: string; action: string }>; total: number };
    expect(out.total).toBeGreaterThan(0);
    expect(new Set(out.items.map((i) => i.actor))).toEqual(new Set(["twin-admin"]));
    const ended = JSON.parse((await run("logs", "--actor", "cli:" + (await import("node:os")).userInfo().username, "--action", "admin.sign-out-session", "--json")).out) as { total: number };
    expect(ended.total).toBe(1);
  });
});
