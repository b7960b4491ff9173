import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { fixtureProfile, SECRET } from "@/tests/fixtures/profiles";
import { createProfile, getProfile, loadProfileWithSecrets, updateProfile } from "@/lib/profiles/dal";

useTestDb();
const alice = { id: "a", username: "alice", via: "web" as const };
const bob = { id: "b", username: "bob", via: "web" as const };

describe("concurrent edits", () => {
  it("50 parallel edits to different profiles are all saved", async () => {
    const base = fixtureProfile("m365-delegated");
    const created = await Promise.all(Array.from({ length: 50 }, (_, i) => createProfile(alice, { ...base, settings: { ...base.settings, name: `parallel ${i}` } })));
    await Promise.all(created.map((p, i) => updateProfile(i % 2 ? alice : bob, p.id, { ...base, settings: { ...base.settings, name: p.name, description: `edit ${i}` }, secrets: {}, version: p.version })));
    for (const [i, p] of created.entries()) {
      const after = await loadProfileWithSecrets(alice, p.id);
      expect(after.profile.description).toBe(`edit ${i}`);
      expect(after.profile.version).toBe(2);
      expect(after.secrets.password).toBe(SECRET.delegatedPassword);
    }
  });

  it("two admins saving the same version at once: one wins, the other is told who and when", async () => {
    const base = fixtureProfile("log-only", "contested");
    const p = await createProfile(alice, base);
    const results = await Promise.allSettled([
      updateProfile(alice, p.id, { ...base, settings: { ...base.settings, description: "alice's edit" }, version: p.version }),
      updateProfile(bob, p.id, { ...base, settings: { ...base.settings, description: "bob's edit" }, version: p.version }),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toMatchObject({ code: "stale_version" });
    expect(refused[0].reason.userMessage).toMatch(/changed by (alice|bob) at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    const final = await getProfile(alice, p.id);
    expect(final.version).toBe(2);
    expect(["alice's edit", "bob's edit"]).toContain(final.description);
    expect(final.updatedBy).toBe(final.description.startsWith("alice") ? "alice" : "bob");
  });
});
