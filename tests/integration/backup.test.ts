import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { fixtureProfile, SECRET } from "@/tests/fixtures/profiles";
import { resetEnvForTests } from "@/lib/env";
import { createProfile, listProfiles, loadProfileWithSecrets } from "@/lib/profiles/dal";
import { backupDatabase, restoreDatabase } from "@/lib/db/backup";
import { disconnectDb } from "@/lib/db/client";
import { forgetMasterKeyForTests, getMasterKey } from "@/lib/crypto/keyring";
import { randomBytes } from "node:crypto";

const db = useTestDb();
const actor = { id: "t", username: "t", via: "cli" as const };

describe("online backup and restore", () => {
  it("backs up a consistent copy while writes go on, and a restored console decrypts everything", async () => {
    const base = fixtureProfile("m365-delegated");
    for (let i = 0; i < 40; i++) await createProfile(actor, { ...base, settings: { ...base.settings, name: `before ${i}` } });
    // Keep writing while the backup runs.
    let writing = true;
    const writer = (async () => {
      let i = 0;
      while (writing && i < 400) await createProfile(actor, { ...base, settings: { ...base.settings, name: `during ${i++}` } });
      return i;
    })();
    const out = path.join(db.dir, "backups", "console-backup.db");
    const info = await backupDatabase(out);
    writing = false;
    const written = await writer;
    expect(info.profiles).toBeGreaterThanOrEqual(40);
    expect(info.profiles).toBeLessThanOrEqual(40 + written);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    await expect(backupDatabase(out)).rejects.toMatchObject({ field: "out" });

    // More changes after the backup, then restore: the console is back to the snapshot.
    await createProfile(actor, { ...base, settings: { ...base.settings, name: "after backup" } });
    const key = await getMasterKey();
    await disconnectDb();
    const restored = await restoreDatabase(out, key);
    expect(restored.profiles).toBe(info.profiles);
    expect(fs.existsSync(restored.previous)).toBe(true);
    forgetMasterKeyForTests();
    const list = await listProfiles(actor, { pageSize: 500 });
    expect(list.total).toBe(info.profiles);
    expect(list.items.some((p) => p.name === "after backup")).toBe(false);
    for (const p of list.items) expect((await loadProfileWithSecrets(actor, p.id)).secrets.password).toBe(SECRET.delegatedPassword);
  }, 120_000);

  it("refuses a backup made with another key, and non-database files", async () => {
    const out = path.join(db.dir, "backups", "second.db");
    await backupDatabase(out);
    await expect(restoreDatabase(out, randomBytes(32))).rejects.toMatchObject({ code: "key_mismatch" });
    const junk = path.join(db.dir, "junk.db");
    fs.writeFileSync(junk, "not a database");
    await expect(restoreDatabase(junk, await getMasterKey())).rejects.toMatchObject({ code: "invalid_input" });
    resetEnvForTests();
  });
});
