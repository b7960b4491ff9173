import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { confirmPassword, createAdmin, resolveSession, signIn } from "@/lib/auth/admins";

// Issue 12 point 1: the lockout must hold against a burst of parallel attempts. Before the fix
// every attempt of a burst was checked (the counter was read and rewritten after scrypt), and
// 40 wrong passwords plus the right one in one burst signed in.
useTestDb();
const PASSWORD = "Correct-Horse-Battery-9";

describe("security 12.1: sign-in lockout under concurrency", () => {
  it("checks at most LOGIN_MAX_FAILURES passwords of a burst; the right password at the end of the burst is refused; the re-confirmation prompt holds too", async () => {
    await createAdmin({ username: "test" }, "racer", PASSWORD);
    const burst = [...Array.from({ length: 40 }, (_, i) => signIn("racer", `wrong-password-${i}`, { ip: `198.51.100.${i + 1}` })), signIn("racer", PASSWORD, { ip: "198.51.100.200" })];
    const results = await Promise.allSettled(burst);
    const codes = results.map((r) => (r.status === "fulfilled" ? "signed-in" : (r.reason as { code: string }).code));
    expect(codes.filter((c) => c === "unauthorized")).toHaveLength(5);
    expect(codes.filter((c) => c === "rate_limited")).toHaveLength(36);
    expect(codes).not.toContain("signed-in");

    // The password re-confirmation prompt (reveal token, export with secrets) shares the rule.
    await createAdmin({ username: "test" }, "prompted", PASSWORD);
    const session = await signIn("prompted", PASSWORD, { ip: "198.51.100.201" });
    const actor = (await resolveSession(session.sessionToken))!;
    const prompts = await Promise.allSettled([...Array.from({ length: 30 }, () => confirmPassword(actor, "wrong-password")), confirmPassword(actor, PASSWORD)]);
    expect(prompts.filter((r) => r.status === "fulfilled" && r.value === false)).toHaveLength(5);
    expect(prompts.filter((r) => r.status === "rejected" && (r.reason as { code: string }).code === "rate_limited")).toHaveLength(26);
    expect(prompts.some((r) => r.status === "fulfilled" && r.value === true)).toBe(false);
  });
});
