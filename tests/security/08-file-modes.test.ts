import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { runCliCaptured } from "@/tests/helpers/cli";
import { fixtureProfile, SECRET } from "@/tests/fixtures/profiles";
import { createProfile } from "@/lib/profiles/dal";
import { localOperator } from "@/lib/auth/actor";

// Issue 12 point 8: an existing DATA_DIR kept its mode and console.db was 0644 (a local user read
// the password hashes); `export --out`/`--all` and `backup` wrote secrets through planted links.
const db = useTestDb();
const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe("security 12.8: owner-only data files; no writes through planted links", () => {
  it("tightens DATA_DIR to 0700 and its database, WAL, key and pre-restore copies to 0600 at start; export and backup refuse symbolic links and leave their targets untouched", async () => {
    await createProfile(localOperator(), fixtureProfile("m365-delegated", "fixture generic"));
    const key = path.join(db.dir, "master.key");
    const preRestore = `${db.file}.pre-restore-2026-11-01T00-00-00-000Z`;
    fs.writeFileSync(key, "not a real key\n");
    fs.writeFileSync(preRestore, "old copy");
    for (const f of [db.file, key, preRestore]) fs.chmodSync(f, 0o644);
    fs.chmodSync(db.dir, 0o755);

    // Any CLI command prepares the data directory the way `npm start` does.
    expect((await runCliCaptured(["admin", "list"])).code).toBe(0);
    expect(mode(db.dir)).toBe(0o700);
    for (const f of [db.file, `${db.file}-wal`, `${db.file}-shm`, key, preRestore].filter((x) => fs.existsSync(x))) expect([f, mode(f)]).toEqual([f, 0o600]);

    // A shared folder where another user planted links to a file they own.
    const shared = fs.mkdtempSync(path.join(db.dir, "..", "shared-"));
    const victim = path.join(shared, "victim.txt");
    fs.writeFileSync(victim, "owned by someone else\n");
    const single = path.join(shared, "out.config");
    fs.symlinkSync(victim, single);
    const r1 = await runCliCaptured(["export", "fixture generic", "--format", "imail-config", "--include-secrets", "--out", single]);
    expect(r1.code).not.toBe(0);
    expect(r1.err).toContain("symbolic link");

    const backupLink = path.join(shared, "backup.db");
    fs.symlinkSync(path.join(shared, "dangling-target.db"), backupLink);
    const r2 = await runCliCaptured(["backup", "--out", backupLink]);
    expect(r2.code).not.toBe(0);
    expect(r2.err).toContain("symbolic link");
    expect(fs.existsSync(path.join(shared, "dangling-target.db"))).toBe(false);

    const allDir = path.join(shared, "all");
    fs.mkdirSync(allDir);
    fs.symlinkSync(shared, path.join(allDir, "fixture generic"));
    const r3 = await runCliCaptured(["export", "--all", "--format", "imail-config", "--include-secrets", "--out", allDir, "--force"]);
    expect(r3.code).not.toBe(0);
    expect(`${r3.err}`).toContain("symbolic link");

    expect(fs.readFileSync(victim, "utf8")).toBe("owned by someone else\n");
    for (const f of fs.readdirSync(shared)) {
      const p = path.join(shared, f);
      if (fs.lstatSync(p).isFile()) expect(fs.readFileSync(p, "utf8")).not.toContain(SECRET.delegatedPassword);
    }

    // Without links, the same commands write owner-only files.
    const good = path.join(shared, "good.config");
    expect((await runCliCaptured(["export", "fixture generic", "--format", "imail-config", "--include-secrets", "--out", good])).code).toBe(0);
    expect(mode(good)).toBe(0o600);
    const goodBackup = path.join(shared, "good.db");
    expect((await runCliCaptured(["backup", "--out", goodBackup])).code).toBe(0);
    expect(mode(goodBackup)).toBe(0o600);
  });
});
