import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { getDb } from "../db/client";
import type { Actor } from "../auth/actor";
import { recordActivity } from "./dal";
import { getProfileHealth } from "./health";

const alice: Actor = { id: "a1", username: "alice", via: "web" };
useTestDb();

const P1 = "11111111-1111-4111-8111-111111111111";
const P2 = "22222222-2222-4222-8222-222222222222";
const P3 = "33333333-3333-4333-8333-333333333333";

async function entry(profileId: string, action: string, outcome: "success" | "failure" | "info", summary: string) {
  await recordActivity(alice, { action, outcome, profileId, profileName: profileId.slice(0, 4), summary, durationMs: 42 });
  // Distinct timestamps, so the order is the order of the calls.
  await new Promise((r) => setTimeout(r, 3));
}

describe("getProfileHealth on a real migrated SQLite file", () => {
  it("returns the last N send/IMAP outcomes per profile, oldest first, in one query", async () => {
    for (let i = 0; i < 25; i++) await entry(P1, i % 2 ? "imap.test" : "mail.send", i % 5 === 0 ? "failure" : "success", `p1 #${i}`);
    await entry(P2, "mail.send", "failure", "p2 failed");
    await entry(P2, "token.acquire", "success", "not a send");
    await entry(P2, "profile.update", "info", "not a send");
    await entry(P2, "mail.send", "success", "p2 ok");

    const spy: string[] = [];
    const db = getDb();
    const original = db.$queryRaw.bind(db);
    // Count the queries: one for any number of profiles.
    (db as unknown as { $queryRaw: typeof db.$queryRaw }).$queryRaw = ((...args: Parameters<typeof db.$queryRaw>) => {
      spy.push("q");
      return original(...args);
    }) as typeof db.$queryRaw;
    let health;
    try {
      health = await getProfileHealth(alice, [P1, P2, P3, P1], 20);
    } finally {
      (db as unknown as { $queryRaw: typeof db.$queryRaw }).$queryRaw = original;
    }
    expect(spy).toHaveLength(1);

    expect(Object.keys(health).sort()).toEqual([P1, P2, P3]);
    const p1 = health[P1];
    expect(p1.total).toBe(20);
    expect(p1.outcomes.map((o) => o.summary)).toEqual(Array.from({ length: 20 }, (_, k) => `p1 #${k + 5}`));
    // #5, #10, #15, #20 failed among #5..#24.
    expect(p1.ok).toBe(16);
    expect(p1.outcomes[0]).toMatchObject({ action: "imap.test", ok: false, durationMs: 42 });
    expect(Date.parse(p1.outcomes[0].at)).toBeLessThan(Date.parse(p1.outcomes[19].at));

    expect(health[P2].outcomes.map((o) => [o.summary, o.ok])).toEqual([
      ["p2 failed", false],
      ["p2 ok", true],
    ]);
    expect(health[P3]).toEqual({ outcomes: [], ok: 0, total: 0 });
  });

  it("honours a smaller limit and copes with no ids", async () => {
    const health = await getProfileHealth(alice, [P1], 3);
    expect(health[P1].outcomes.map((o) => o.summary)).toEqual(["p1 #22", "p1 #23", "p1 #24"]);
    expect(await getProfileHealth(alice, [])).toEqual({});
  });
});
