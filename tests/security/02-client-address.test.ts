import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { getDb } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { createAdmin, signIn, unlockSignIn } from "@/lib/auth/admins";
import { localOperator } from "@/lib/auth/actor";
import { parseTrustProxy, resolveClientIp } from "@/lib/http/client-ip";

// Issue 12 point 2: X-Forwarded-For was trusted (a rotating header dodged the address lock, a
// forged one locked the real admin out, 12 KB headers became throttle keys, never pruned), and
// five failures locked every admin behind a shared jump host.
useTestDb();
const PASSWORD = "Correct-Horse-Battery-9";

describe("security 12.2: client address, per-user lock, per-address limit, unlock", () => {
  it("ignores X-Forwarded-For unless TRUST_PROXY; validates addresses; per-user lock spares other admins on the same address; unlock; prunes old rows", async () => {
    const none = parseTrustProxy(undefined);
    expect(resolveClientIp("::ffff:192.0.2.10", "203.0.113.9", none)).toBe("192.0.2.10");
    expect(resolveClientIp("192.0.2.10", "x".repeat(12_000), none)).toBe("192.0.2.10");
    // One trusted hop: the address the proxy saw; a client-prepended value is not read.
    expect(resolveClientIp("10.0.0.2", "6.6.6.6, 198.51.100.4", parseTrustProxy("1"))).toBe("198.51.100.4");
    const cidr = parseTrustProxy("10.0.0.0/8, loopback");
    expect(resolveClientIp("127.0.0.1", "6.6.6.6, 198.51.100.4, 10.1.2.3", cidr)).toBe("198.51.100.4");
    expect(resolveClientIp("192.0.2.50", "198.51.100.4", cidr)).toBe("192.0.2.50");
    expect(resolveClientIp("127.0.0.1", "<script>", cidr)).toBe("unknown");
    expect(() => parseTrustProxy("10.0.0.0/99")).toThrow(/not an IP address or CIDR/);

    // A non-address never becomes a throttle key.
    await signIn("nobody", "x", { ip: "y".repeat(12_000) }).catch(() => undefined);
    const keys = (await getDb().loginThrottle.findMany()).map((r) => r.key);
    expect(keys).toContain("ip:unknown");
    expect(keys.every((k) => k.length < 100)).toBe(true);

    // Shared jump host: alice's typos lock alice only.
    await createAdmin({ username: "test" }, "alice", PASSWORD);
    await createAdmin({ username: "test" }, "bob", PASSWORD);
    const jump = "192.0.2.44";
    for (let i = 0; i < 5; i++) await expect(signIn("alice", "typo-typo-typo", { ip: jump })).rejects.toMatchObject({ code: "unauthorized" });
    await expect(signIn("alice", PASSWORD, { ip: jump })).rejects.toMatchObject({ code: "rate_limited" });
    expect((await signIn("bob", PASSWORD, { ip: jump })).admin.username).toBe("bob");
    expect(await unlockSignIn(localOperator(), { username: "alice" })).toBe(1);
    expect((await signIn("alice", PASSWORD, { ip: jump })).admin.username).toBe("alice");

    // The address limit still stops a spray from one address; unlock --ip lifts it.
    process.env.LOGIN_MAX_FAILURES_PER_IP = "6";
    resetEnvForTests();
    const sprayer = "198.51.100.66";
    for (let i = 0; i < 6; i++) await signIn(`user${i}`, "x", { ip: sprayer }).catch(() => undefined);
    await expect(signIn("bob", PASSWORD, { ip: sprayer })).rejects.toMatchObject({ code: "rate_limited" });
    await expect(unlockSignIn(localOperator(), { ip: "nonsense" })).rejects.toMatchObject({ code: "invalid_input", field: "ip" });
    expect(await unlockSignIn(localOperator(), { ip: sprayer })).toBe(1);
    expect((await signIn("bob", PASSWORD, { ip: sprayer })).admin.username).toBe("bob");
    delete process.env.LOGIN_MAX_FAILURES_PER_IP;
    resetEnvForTests();

    // Rows whose window and lock are over are pruned.
    const old = new Date(Date.now() - 24 * 3600_000);
    await getDb().loginThrottle.create({ data: { key: "ip:203.0.113.99", failures: 3, windowStart: old, lockedUntil: old } });
    const { pruneSessions } = await import("@/lib/auth/admins");
    await pruneSessions();
    expect(await getDb().loginThrottle.findUnique({ where: { key: "ip:203.0.113.99" } })).toBeNull();
  });
});
