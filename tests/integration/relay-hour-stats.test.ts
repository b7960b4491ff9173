import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { operator, profileFor } from "@/tests/helpers/relay";
import { getDb } from "@/lib/db/client";
import { claimMessages, deleteQueueMessage, enqueueMessage, finishAttempt, hourlyStats, type HourBucket } from "@/lib/relay/queue";

// The Relay page's hourly chart reads counters (RelayHourStat, kept by triggers) instead of a
// GROUP BY over the whole queue. They must equal what the rows say, whichever way the rows were
// written (the relay's raw prepared statements, Prisma) or deleted (a message and, by cascade, its attempts).

useTestDb();

/** The chart as it was computed before: straight from the rows. */
async function fromRows(hours: number): Promise<HourBucket[]> {
  const db = getDb();
  const since = new Date(Date.now() - hours * 3600_000);
  since.setUTCMinutes(0, 0, 0);
  const sinceIso = since.toISOString().slice(0, 13);
  const accepted = await db.$queryRawUnsafe<{ h: string; n: bigint | number }[]>(`SELECT substr(receivedAt, 1, 13) AS h, COUNT(*) AS n FROM RelayMessage WHERE receivedAt >= ? GROUP BY h`, sinceIso);
  const attempts = await db.$queryRawUnsafe<{ h: string; outcome: "delivered" | "deferred" | "failed"; n: bigint | number }[]>(`SELECT substr(at, 1, 13) AS h, outcome, COUNT(*) AS n FROM RelayAttempt WHERE at >= ? GROUP BY h, outcome`, sinceIso);
  const buckets = new Map<string, HourBucket>();
  for (let t = since.getTime(); t <= Date.now(); t += 3600_000) {
    const h = new Date(t).toISOString().slice(0, 13);
    buckets.set(h, { hour: `${h}:00Z`, accepted: 0, delivered: 0, deferred: 0, failed: 0 });
  }
  for (const a of accepted) if (buckets.has(a.h)) buckets.get(a.h)!.accepted += Number(a.n);
  for (const a of attempts) if (buckets.has(a.h)) buckets.get(a.h)![a.outcome] += Number(a.n);
  return [...buckets.values()];
}

describe("relay hourly chart counters", () => {
  it("equal the rows after raw and Prisma inserts, attempts of every outcome, and deletes (with their attempts)", async () => {
    const profile = await profileFor("log-only", "hour-stats", {});
    const now = Date.now();
    const base = { deviceId: null, deviceName: "dev", profileId: profile.id, mailFrom: "a@contoso.com", rcptTo: ["b@example.net"], size: 10, sha256: "0", messageId: "<x@test>", subject: "s", clientIp: "127.0.0.1", lifetimeMs: 86_400_000 };
    // Raw path (the listener's enqueue), spread over several hours of the last 7 days.
    const rawIds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = randomUUID();
      rawIds.push(id);
      await enqueueMessage({ ...base, id, receivedAt: new Date(now - (i % 4) * 3600_000 * 7) });
    }
    // Prisma path (as the bench and older code write rows).
    await getDb().relayMessage.createMany({ data: Array.from({ length: 5 }, (_, i) => ({ id: randomUUID(), deviceName: "dev", profileId: profile.id, state: "deferred", mailFrom: "a@contoso.com", rcptTo: "[]", rcptCount: 0, size: 1, messageId: "<y@test>", sha256: "0", receivedAt: new Date(now - i * 3600_000 * 30), expiresAt: new Date(now + 86_400_000) })) });
    // Attempts of each outcome through the worker's path (raw statements).
    const claimed = await claimMessages("w1", 12, 60_000, () => 12);
    expect(claimed.length).toBeGreaterThanOrEqual(9);
    const outcomes = ["delivered", "deferred", "failed"] as const;
    for (const [i, m] of claimed.entries()) await finishAttempt(m.id, "w1", { outcome: outcomes[i % 3], durationMs: 1, summary: "x", transcript: "", nextAttemptAt: new Date(now) });
    expect(await hourlyStats(24 * 7)).toEqual(await fromRows(24 * 7));
    expect(await hourlyStats(24)).toEqual(await fromRows(24));
    const total = (b: HourBucket[]) => b.reduce((n, x) => n + x.accepted + x.delivered + x.deferred + x.failed, 0);
    expect(total(await hourlyStats(24 * 7))).toBeGreaterThan(0);

    // Deleting messages (their attempts go by cascade) takes them out of the chart, as before.
    for (const m of claimed.slice(0, 4)) await deleteQueueMessage(operator, m.id);
    expect(await hourlyStats(24 * 7)).toEqual(await fromRows(24 * 7));
  });
});
