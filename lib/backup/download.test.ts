import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { fixtureProfile, SECRET } from "@/tests/fixtures/profiles";
import { createProfile } from "@/lib/profiles/dal";
import { createAdmin, listAdmins, resolveSession, signIn } from "@/lib/auth/admins";
import { listActivity } from "@/lib/activity/dal";
import { createBackupDownload } from "./download";

const db = useTestDb();
const PASSWORD = "Backup-Download-Pass-1";

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe("backup download (Settings → Download backup)", () => {
  it("needs the admin's password (counted), then streams a SQLite snapshot with encrypted secrets and leaves no file behind", async () => {
    await createAdmin({ username: "setup" }, "backup-admin", PASSWORD);
    const s = await signIn("backup-admin", PASSWORD, { ip: "192.0.2.1" });
    const actor = (await resolveSession(s.sessionToken))!;
    await createProfile(actor, fixtureProfile("m365-delegated", "backup payroll"));

    await expect(createBackupDownload(actor, "wrong-password")).rejects.toMatchObject({ code: "unauthorized", field: "current" });
    expect((await listAdmins(actor))[0].recentFailures).toBe(1);
    expect((await listActivity(actor, { action: "backup", outcome: "failure" })).items[0].summary).toBe("Refused to download a backup: password not confirmed");

    const backup = await createBackupDownload(actor, PASSWORD, new Date("2026-11-30T12:00:00.000Z"));
    expect(backup.filename).toBe("console-2026-11-30T12-00-00-000Z.db");
    const bytes = await readAll(backup.stream);
    expect(bytes.length).toBe(backup.bytes);
    expect(bytes.subarray(0, 16).toString("latin1")).toBe("SQLite format 3\0");
    for (const secret of [SECRET.delegatedPassword, SECRET.delegatedClientSecret, PASSWORD]) expect(bytes.includes(Buffer.from(secret))).toBe(false);

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "omc-dl-")), "b.db");
    fs.writeFileSync(file, bytes);
    const copy = new Database(file, { readonly: true });
    try {
      const tables = (copy.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
      expect(tables).toEqual(expect.arrayContaining(["Profile", "Admin", "Activity", "TokenCacheEntry", "Setting"]));
      const row = copy.prepare("SELECT secrets FROM Profile WHERE name = ?").get("backup payroll") as { secrets: string };
      expect(row.secrets).toMatch(/^v1\./);
    } finally {
      copy.close();
    }
    // Nothing left in DATA_DIR: the snapshot was unlinked as soon as it was opened.
    expect(fs.readdirSync(db.dir).filter((f) => f.startsWith(".backup-download-"))).toEqual([]);
    expect((await listActivity(actor, { action: "backup", outcome: "success" })).items[0]).toMatchObject({ actor: "backup-admin" });
    expect((await listAdmins(actor))[0].recentFailures).toBe(0);
  });
});
