import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { resetEnvForTests } from "@/lib/env";
import { getDb } from "@/lib/db/client";
import { changePassword, createAdmin, resolveSession, signIn, signOut } from "./admins";
import { hashPassword, verifyPassword } from "./password";

useTestDb();
const meta = { ip: "198.51.100.7" };
const PASSWORD = "Correct-Horse-Battery-9";

describe("password hashing", () => {
  it("verifies the right password only, and a missing hash as false", async () => {
    const hash = await hashPassword(PASSWORD);
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
    expect(await verifyPassword("wrong", hash)).toBe(false);
    expect(await verifyPassword(PASSWORD, null)).toBe(false);
    expect(await verifyPassword(PASSWORD, "garbage")).toBe(false);
  });
});

describe("admins, sessions and sign-in throttling", () => {
  it("allows first-run setup only once", async () => {
    await createAdmin({ username: "alice" }, "alice", PASSWORD, { onlyIfNone: true });
    await expect(createAdmin({ username: "mallory" }, "mallory", PASSWORD, { onlyIfNone: true })).rejects.toMatchObject({ code: "conflict" });
  });

  it("signs in, resolves the session, signs out", async () => {
    const s = await signIn("alice", PASSWORD, meta);
    const actor = await resolveSession(s.sessionToken);
    expect(actor).toMatchObject({ username: "alice", via: "web" });
    // The cookie value is never stored: only its hash.
    const rows = await getDb().session.findMany();
    expect(JSON.stringify(rows)).not.toContain(s.sessionToken);
    await signOut(actor!, s.sessionToken);
    expect(await resolveSession(s.sessionToken)).toBeNull();
    expect(await resolveSession("forged")).toBeNull();
    expect(await resolveSession(undefined)).toBeNull();
  });

  it("gives one message for unknown users and wrong passwords", async () => {
    await expect(signIn("nobody", PASSWORD, { ip: "203.0.113.1" })).rejects.toThrow("Wrong username or password.");
    await expect(signIn("alice", "wrong-password", { ip: "203.0.113.2" })).rejects.toThrow("Wrong username or password.");
  });

  it("locks a user after N failures, from any IP, even with the right password", async () => {
    await createAdmin({ username: "test" }, "bob", PASSWORD);
    for (let i = 0; i < 5; i++) await expect(signIn("bob", "nope-nope-nope", { ip: `192.0.2.${i + 10}` })).rejects.toMatchObject({ code: "unauthorized" });
    await expect(signIn("bob", PASSWORD, { ip: "192.0.2.99" })).rejects.toMatchObject({ code: "rate_limited" });
  });

  it("locks an IP after LOGIN_MAX_FAILURES_PER_IP failures across users, not after the per-user limit", async () => {
    process.env.LOGIN_MAX_FAILURES_PER_IP = "8";
    resetEnvForTests();
    await createAdmin({ username: "test" }, "carol", PASSWORD);
    const ip = "203.0.113.50";
    for (const u of ["u1", "u2", "u3", "u4", "u5", "u6", "u7"]) await expect(signIn(u, "x", { ip })).rejects.toMatchObject({ code: "unauthorized" });
    // 7 failures from the address: above the per-user limit of 5, below the address limit of 8.
    expect((await signIn("carol", PASSWORD, { ip })).admin.username).toBe("carol");
    await expect(signIn("u8", "x", { ip })).rejects.toMatchObject({ code: "unauthorized" });
    await expect(signIn("carol", PASSWORD, { ip })).rejects.toMatchObject({ code: "rate_limited" });
    expect((await signIn("carol", PASSWORD, { ip: "203.0.113.51" })).admin.username).toBe("carol");
    delete process.env.LOGIN_MAX_FAILURES_PER_IP;
    resetEnvForTests();
  });

  it("ends every session when the password changes", async () => {
    const a = await signIn("alice", PASSWORD, meta);
    const b = await signIn("alice", PASSWORD, { ip: "198.51.100.8" });
    const actor = (await resolveSession(a.sessionToken))!;
    await expect(changePassword(actor, "wrong", "Another-Password-123")).rejects.toMatchObject({ field: "current" });
    await changePassword(actor, PASSWORD, "Another-Password-123");
    expect(await resolveSession(a.sessionToken)).toBeNull();
    expect(await resolveSession(b.sessionToken)).toBeNull();
    expect((await signIn("alice", "Another-Password-123", meta)).admin.username).toBe("alice");
  });

  it("expires sessions after the idle timeout", async () => {
    process.env.SESSION_IDLE_MINUTES = "1";
    resetEnvForTests();
    const s = await signIn("carol", PASSWORD, { ip: "203.0.113.52" });
    await getDb().session.updateMany({ data: { lastSeenAt: new Date(Date.now() - 5 * 60_000) } });
    expect(await resolveSession(s.sessionToken)).toBeNull();
    delete process.env.SESSION_IDLE_MINUTES;
    resetEnvForTests();
  });
});

describe("password re-confirmation", () => {
  it("shares the throttle: repeated wrong passwords lock the admin", async () => {
    await createAdmin({ username: "test" }, "dave", PASSWORD);
    const s = await signIn("dave", PASSWORD, { ip: "198.51.100.70" });
    const dave = (await resolveSession(s.sessionToken))!;
    const { confirmPassword } = await import("./admins");
    expect(await confirmPassword(dave, PASSWORD)).toBe(true);
    for (let i = 0; i < 5; i++) expect(await confirmPassword(dave, "wrong-password")).toBe(false);
    await expect(confirmPassword(dave, PASSWORD)).rejects.toMatchObject({ code: "rate_limited" });
  });
});
