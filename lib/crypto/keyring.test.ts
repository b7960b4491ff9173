import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { fixtureProfile } from "@/tests/fixtures/profiles";
import { resetEnvForTests } from "@/lib/env";
import { createProfile, getProfileByName, loadProfileWithSecrets } from "@/lib/profiles/dal";
import { forgetMasterKeyForTests, initMasterKey } from "./keyring";

const db = useTestDb();
const actor = { id: "t", username: "t", via: "cli" as const };

function useKey(key: string | undefined) {
  if (key === undefined) delete process.env.CONSOLE_MASTER_KEY;
  else process.env.CONSOLE_MASTER_KEY = key;
  resetEnvForTests();
  forgetMasterKeyForTests();
}

describe("master key", () => {
  it("generates DATA_DIR/master.key (0600) on a fresh database", async () => {
    useKey(undefined);
    const info = await initMasterKey();
    expect(info).toMatchObject({ source: "file", created: true });
    const file = path.join(db.dir, "master.key");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await createProfile(actor, fixtureProfile("smtp-basic"));
  });

  it("reuses the file on the next start", async () => {
    useKey(undefined);
    expect(await initMasterKey()).toMatchObject({ source: "file", created: false });
  });

  it("refuses a wrong key and changes nothing", async () => {
    const before = fs.readFileSync(db.file);
    useKey(randomBytes(32).toString("base64"));
    await expect(initMasterKey()).rejects.toMatchObject({ code: "key_mismatch" });
    expect(fs.readFileSync(db.file).equals(before)).toBe(true);
  });

  it("refuses a missing key file when data is encrypted, and does not create a new one", async () => {
    const file = path.join(db.dir, "master.key");
    const saved = fs.readFileSync(file);
    fs.rmSync(file);
    useKey(undefined);
    await expect(initMasterKey()).rejects.toThrow(/master key file .* is missing/);
    expect(fs.existsSync(file)).toBe(false);
    fs.writeFileSync(file, saved, { mode: 0o600 });
    useKey(undefined);
    await initMasterKey();
    const { id } = await getProfileByName(actor, "fixture smtp-basic");
    expect((await loadProfileWithSecrets(actor, id)).secrets.password).toBeDefined();
  });

  it("rejects a malformed CONSOLE_MASTER_KEY with a clear message", async () => {
    useKey("dG9vIHNob3J0");
    await expect(initMasterKey()).rejects.toThrow(/CONSOLE_MASTER_KEY/);
  });
});
