import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The migration that makes profile names unique regardless of case, on a database of the
 * previous version that already holds case variants: the oldest keeps its name, each later one is
 * renamed "<name>-<id prefix>" in the row and in its settings JSON, each rename is logged, and the
 * new unique index then holds.
 */

const migrations = path.resolve("prisma/migrations");
const all = fs.readdirSync(migrations).filter((d) => /^\d{14}_/.test(d)).sort();
const mine = all.find((d) => d.endsWith("_profile_name_key"))!;
const dir = fs.mkdtempSync(path.join(process.env.OMC_TEST_RUN_DIR ?? "/tmp", "name-key-"));
const db = new Database(path.join(dir, "old.db"));
afterAll(() => db.close());

const iso = (s: string) => `${s}.000+00:00`;
function profile(id: string, name: string, createdAt: string) {
  db.prepare(`INSERT INTO "Profile" ("id", "name", "kind", "settings", "createdAt", "updatedAt") VALUES (?, ?, 'log-only', ?, ?, ?)`).run(
    id,
    name,
    JSON.stringify({ kind: "log-only", name, description: "", fromAddress: "a@b.com", ibmiTimeZone: "UTC" }),
    iso(createdAt),
    iso(createdAt),
  );
}

describe(`migration ${mine}`, () => {
  it("renames later case variants, logs each rename, and enforces the rule from then on", () => {
    for (const m of all.slice(0, all.indexOf(mine))) db.exec(fs.readFileSync(path.join(migrations, m, "migration.sql"), "utf8"));
    profile("11111111-aaaa-4aaa-8aaa-000000000001", "payroll", "2026-02-01T10:00:00");
    profile("22222222-bbbb-4bbb-8bbb-000000000002", "Payroll", "2026-01-01T10:00:00");
    profile("33333333-cccc-4ccc-8ccc-000000000003", "PAYROLL", "2026-03-01T10:00:00");
    profile("44444444-dddd-4ddd-8ddd-000000000004", "Alerts", "2026-01-01T10:00:00");

    db.exec(fs.readFileSync(path.join(migrations, mine, "migration.sql"), "utf8"));

    const rows = db.prepare(`SELECT "id", "name", "nameKey", "settings" FROM "Profile" ORDER BY "id"`).all() as { id: string; name: string; nameKey: string; settings: string }[];
    expect(rows.map((r) => [r.name, r.nameKey, JSON.parse(r.settings).name])).toEqual([
      ["payroll-11111111", "payroll-11111111", "payroll-11111111"],
      ["Payroll", "payroll", "Payroll"],
      ["PAYROLL-33333333", "payroll-33333333", "PAYROLL-33333333"],
      ["Alerts", "alerts", "Alerts"],
    ]);
    const log = db.prepare(`SELECT "actor", "profileId", "summary", "at" FROM "Activity" ORDER BY "profileId"`).all() as { actor: string; profileId: string; summary: string; at: string }[];
    expect(log.map((l) => [l.actor, l.profileId, l.summary])).toEqual([
      ["system:migration", "11111111-aaaa-4aaa-8aaa-000000000001", 'Renamed "payroll" to "payroll-11111111": profile names are now unique regardless of case and "Payroll" (older) keeps the name'],
      ["system:migration", "33333333-cccc-4ccc-8ccc-000000000003", 'Renamed "PAYROLL" to "PAYROLL-33333333": profile names are now unique regardless of case and "Payroll" (older) keeps the name'],
    ]);
    // Stored the way Prisma stores DateTime (ISO 8601 with +00:00), so the console reads it.
    expect(log[0].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    expect(() => db.prepare(`INSERT INTO "Profile" ("id", "name", "nameKey", "kind", "settings", "updatedAt") VALUES ('x', 'ALERTS', 'alerts', 'log-only', '{}', '')`).run()).toThrow(/UNIQUE constraint failed: Profile.nameKey/);
  });
});
