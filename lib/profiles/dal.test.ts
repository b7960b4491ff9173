import { describe, expect, it } from "vitest";
import { rawDatabaseBytes, useTestDb } from "@/tests/helpers/test-db";
import { FIXTURE_SECRETS, SECRET, fixtureProfile } from "@/tests/fixtures/profiles";
import { PROFILE_KINDS } from "./schema";
import { createProfile, deleteProfile, duplicateProfile, getProfile, getProfileByName, listProfiles, loadProfileWithSecrets, updateProfile } from "./dal";
import { listActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";

const alice: Actor = { id: "a1", username: "alice", via: "web" };
const bob: Actor = { id: "b1", username: "bob", via: "web" };
const db = useTestDb();

describe("profile DAL on a real migrated SQLite file", () => {
  it("creates one profile of every kind and reads it back without secrets", async () => {
    for (const kind of PROFILE_KINDS) {
      const created = await createProfile(alice, fixtureProfile(kind));
      expect(created.kind).toBe(kind);
      expect(JSON.stringify(created)).not.toMatch(/Fixture/);
      const again = await getProfile(alice, created.id);
      expect(again.settings).toEqual(created.settings);
    }
    const list = await listProfiles(alice);
    expect(list.total).toBe(PROFILE_KINDS.length);
  });

  it("keeps secrets out of the raw database file, encrypted per record", async () => {
    const bytes = rawDatabaseBytes(db).toString("latin1");
    for (const secret of FIXTURE_SECRETS) expect(bytes.includes(secret), secret.slice(0, 12)).toBe(false);
  });

  it("derives service-account details and thumbprints", async () => {
    const g = await getProfileByName(alice, "fixture google-service-account");
    expect(g.settings.kind === "google-service-account" && g.settings.serviceAccountEmail).toBe("ibmi-smtp-service@omc-test-project.iam.gserviceaccount.com");
    const c = await getProfileByName(alice, "fixture m365-app-smtp");
    expect(c.certificate?.sha1Hex).toMatch(/^[0-9A-F]{40}$/);
    expect(c.secretsSet).toEqual({ privateKey: true });
  });

  it("keeps a secret when the edit leaves it blank, replaces or clears it on request", async () => {
    const p = await getProfileByName(alice, "fixture m365-delegated");
    const input = fixtureProfile("m365-delegated");
    const saved = await updateProfile(alice, p.id, { ...input, settings: { ...input.settings, description: "changed" }, secrets: {}, version: p.version });
    expect(saved.version).toBe(p.version + 1);
    expect((await loadProfileWithSecrets(alice, p.id)).secrets.password).toBe(SECRET.delegatedPassword);

    const replaced = await updateProfile(alice, p.id, { ...input, secrets: { password: "New-Password-For-Test-1" }, version: saved.version });
    expect((await loadProfileWithSecrets(alice, p.id)).secrets.password).toBe("New-Password-For-Test-1");

    const publicClient = { ...input.settings, publicClient: true } as typeof input.settings;
    await updateProfile(alice, p.id, { settings: publicClient, secrets: {}, clearSecrets: ["clientSecret"], version: replaced.version });
    const after = await loadProfileWithSecrets(alice, p.id);
    expect(after.secrets.clientSecret).toBeUndefined();
    expect(after.profile.secretsSet).toEqual({ password: true });
  });

  it("refuses a stale edit and names who changed it", async () => {
    const p = await getProfileByName(alice, "fixture log-only");
    const input = fixtureProfile("log-only");
    await updateProfile(alice, p.id, { ...input, settings: { ...input.settings, description: "first" }, version: p.version });
    await expect(updateProfile(bob, p.id, { ...input, settings: { ...input.settings, description: "second" }, version: p.version })).rejects.toThrow(/changed by alice/);
    expect((await getProfile(alice, p.id)).description).toBe("first");
  });

  it("requires the secrets a kind needs, naming the field", async () => {
    const input = fixtureProfile("m365-app-graph", "no secret");
    await expect(createProfile(alice, { ...input, secrets: {} })).rejects.toMatchObject({ field: "secrets.clientSecret" });
  });

  it("refuses a private key that does not match the certificate", async () => {
    const { OTHER_CERT_KEY } = await import("@/tests/fixtures/profiles");
    const input = fixtureProfile("m365-app-smtp", "mismatch");
    await expect(createProfile(alice, { ...input, secrets: { privateKey: OTHER_CERT_KEY } })).rejects.toThrow(/does not belong to the certificate/);
  });

  it("refuses duplicate names", async () => {
    await expect(createProfile(alice, fixtureProfile("log-only"))).rejects.toMatchObject({ code: "conflict", field: "settings.name" });
  });

  it("duplicates with secrets re-encrypted, and deletes", async () => {
    const p = await getProfileByName(alice, "fixture smtp-basic");
    const copy = await duplicateProfile(alice, p.id);
    expect(copy.name).toBe("fixture smtp-basic copy");
    expect((await loadProfileWithSecrets(alice, copy.id)).secrets.password).toBe(SECRET.basicPassword);
    await deleteProfile(alice, copy.id);
    await expect(getProfile(alice, copy.id)).rejects.toMatchObject({ code: "not_found" });
  });

  it("records every change in the activity log without secret values", async () => {
    const log = await listActivity(alice, { pageSize: 500 });
    const actions = new Set(log.items.map((i) => i.action));
    expect(actions).toEqual(new Set(["profile.create", "profile.update", "profile.duplicate", "profile.delete"]));
    expect(JSON.stringify(log)).not.toMatch(/Fixture|New-Password/);
  });

  it("searches by name and account, and paginates", async () => {
    expect((await listProfiles(alice, { query: "contoso" })).total).toBeGreaterThan(0);
    const page = await listProfiles(alice, { pageSize: 3, page: 2 });
    expect(page.items).toHaveLength(3);
  });
});

describe("profile names are unique regardless of letter case (the CLI addresses profiles by name)", () => {
  it("refuses a case variant on create, rename and duplicate, naming the profile that has it", async () => {
    const payroll = await createProfile(alice, fixtureProfile("log-only", "Payroll Mail"));
    for (const variant of ["payroll mail", "PAYROLL MAIL", " Payroll mail"]) {
      await expect(createProfile(alice, fixtureProfile("log-only", variant))).rejects.toMatchObject({
        code: "conflict",
        field: "settings.name",
        userMessage: 'A profile named "Payroll Mail" already exists (profile names are unique regardless of letter case). Choose another name.',
      });
    }
    const other = await createProfile(alice, fixtureProfile("log-only", "Other Mail"));
    await expect(updateProfile(alice, other.id, { settings: { ...other.settings, name: "PAYROLL mail" }, secrets: {}, clearSecrets: [], version: other.version })).rejects.toMatchObject({ code: "conflict" });
    await expect(duplicateProfile(alice, other.id, "payroll MAIL")).rejects.toMatchObject({ code: "conflict" });
    // The same spelling is refused as before, and a profile may change its own name's case.
    await expect(createProfile(alice, fixtureProfile("log-only", "Payroll Mail"))).rejects.toMatchObject({ userMessage: 'A profile named "Payroll Mail" already exists. Choose another name.' });
    const renamed = await updateProfile(alice, payroll.id, { settings: { ...payroll.settings, name: "PAYROLL MAIL" }, secrets: {}, clearSecrets: [], version: payroll.version });
    expect(renamed.name).toBe("PAYROLL MAIL");
  });

  it("finds a profile by its name in any case", async () => {
    const p = await getProfileByName(alice, "payroll mail");
    expect(p.name).toBe("PAYROLL MAIL");
    await expect(getProfileByName(alice, "payroll")).rejects.toMatchObject({ code: "not_found" });
  });
});
