import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import type { ProfileInput } from "../profiles/schema";
import { CLIENT, GOOGLE_SA_JSON, TENANT, fixtureProfile, SECRET } from "@/tests/fixtures/profiles";
import { listActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { diagnoseProfile } from "../doctor/service";
import { getProfileByName, listProfiles, updateProfile, createProfile } from "../profiles/dal";
import { sealSecret } from "../crypto/keyring";
import { getDb } from "../db/client";
import { exportProfile, exportProfiles, importProfile } from "./service";
import { bulkExportRequestSchema, createBulkPaths, exportProfilesZip } from "./bulk";
import { strFromU8, unzipSync } from "fflate";
import { runCliCaptured } from "@/tests/helpers/cli";

const run = (...argv: string[]) => runCliCaptured(argv);

const cli: Actor = { id: "cli:test", username: "cli:test", via: "cli" };
const web: Actor = { id: "no-such-admin", username: "alice", via: "web" };
const db = useTestDb();

const config = (scope: string) =>
  [
    "# iMail OAuth Configuration - Delegated (SMTP)",
    `CLIENT_ID           = ${CLIENT}`,
    `TENANT_ID           = ${TENANT}`,
    "TOKEN_URL           =",
    "https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token",
    "DELEGATED_USER      = sender@contoso.com",
    `DELEGATED_PASSWORD  = ${SECRET.delegatedPassword}`,
    `DELEGATED_SCOPE     = ${scope}`,
    "",
  ].join("\r\n");

describe("import → doctor → fix → export (DB-backed)", () => {
  it("imports a config, the doctor flags its scope, a fix clears it, the export carries the fix", async () => {
    const p = await importProfile(cli, { text: config("https://graph.microsoft.com/SMTP.Send offline_access"), name: "imported delegated" });
    expect(p.kind).toBe("m365-delegated");
    expect(p.importFormat).toBe("imail-config");
    expect(p.secretsSet).toEqual({ password: true });

    const before = await diagnoseProfile(cli, p.id, { now: new Date("2026-03-15T12:00:00Z") });
    expect(before.findings.find((f) => f.ruleId === "delegated-scope-not-outlook")).toMatchObject({ severity: "error", code: "535 5.7.139" });
    expect(before.hasErrors).toBe(true);

    if (p.settings.kind !== "m365-delegated") throw new Error("expected a delegated profile");
    await updateProfile(cli, p.id, { settings: { ...p.settings, scope: "https://outlook.office365.com/SMTP.Send offline_access" }, secrets: {}, clearSecrets: [], version: p.version });
    const after = await diagnoseProfile(cli, p.id, { now: new Date("2026-03-15T12:00:00Z") });
    expect(after.hasErrors).toBe(false);

    const plain = await exportProfile(cli, p.id, "imail-config", { includeSecrets: false });
    expect(plain.content).toMatch(/^# DELEGATED_SCOPE = https:\/\/outlook\.office365\.com\/SMTP\.Send offline_access$/m);
    expect(plain.content).toMatch(/^DELEGATED_PASSWORD\s+= <DELEGATED_PASSWORD>$/m);
    expect(plain.content).not.toContain(SECRET.delegatedPassword);

    const full = await exportProfile(cli, p.id, "imail-config", { includeSecrets: true });
    expect(full.content).toContain(`DELEGATED_PASSWORD  = ${SECRET.delegatedPassword}`);
    const log = await listActivity(cli, { profileId: p.id, action: "export" });
    expect(log.items[0].summary).toMatch(/WITH secrets/);
    const imports = await listActivity(cli, { action: "import" });
    expect(imports.items.some((i) => i.outcome === "success" && /imported delegated/.test(i.summary))).toBe(true);
  });

  it("refuses secrets on the web without the password, and logs the refusal", async () => {
    const p = await getProfileByName(cli, "imported delegated");
    await expect(exportProfile(web, p.id, "imail-config", { includeSecrets: true, password: "wrong" })).rejects.toMatchObject({ code: "unauthorized" });
    const log = await listActivity(cli, { profileId: p.id, action: "export", outcome: "failure" });
    expect(log.items.length).toBe(1);
    // Without secrets no password is needed.
    await expect(exportProfile(web, p.id, "imcfg1", { includeSecrets: false })).resolves.toMatchObject({ includedSecrets: false });
  });

  it("nothing is half-imported: an invalid file creates no profile and logs the failure", async () => {
    const before = (await listProfiles(cli)).total;
    await expect(importProfile(cli, { text: config("a,b") })).rejects.toMatchObject({ code: "invalid_input", userMessage: expect.stringMatching(/Line 8 \(DELEGATED_SCOPE\)/) });
    await expect(importProfile(cli, { text: config("https://outlook.office365.com/SMTP.Send"), name: "imported delegated" })).rejects.toMatchObject({ code: "conflict" });
    expect((await listProfiles(cli)).total).toBe(before);
    const failures = await listActivity(cli, { action: "import", outcome: "failure" });
    expect(failures.items.length).toBe(2);
  });

  it("refuses a format the kind does not have", async () => {
    const p = await createProfile(cli, fixtureProfile("log-only", "log only"));
    await expect(exportProfile(cli, p.id, "ibmi-cl", { includeSecrets: false })).rejects.toMatchObject({ code: "unsupported" });
  });
});

describe("CLI: profile import, doctor, export", () => {

  it("imports with --set, runs the doctor (exit 1 on errors), exports to a file", async () => {
    const file = `${db.dir}/office365.json`;
    fs.writeFileSync(file, JSON.stringify({ type: "microsoft_app", tenant_id: TENANT, client_id: CLIENT, client_secret: SECRET.smtpAppClientSecret, scope: "https://outlook.office365.com/.default", domain: "contoso.com" }, null, 1));
    const dry = await run("profile", "import", file, "--dry-run");
    // No mailbox: the IBM i SMTP server decides the sender, so the file is importable (as incomplete).
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/The file can be imported/);
    expect(dry.out).toMatch(/warning: Incomplete: Mailbox \(XOAUTH2 user\) \(mailbox\) is not set/);
    const imported = await run("profile", "import", file, "--name", "ibmi app", "--set", "mailbox=sender@contoso.com", "--set", "ibmiAliasDomain=contoso.net");
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/Imported profile "ibmi app" \(m365-app-smtp/);

    const doctor = await run("doctor", "ibmi app");
    expect(doctor.code).toBe(1);
    expect(doctor.out).toMatch(/JSON domain ≠ ALIASDMN/);
    const json = await run("doctor", "ibmi app", "--json");
    expect(JSON.parse(json.out).findings.some((f: { ruleId: string }) => f.ruleId === "ibmi-domain-aliasdmn-mismatch")).toBe(true);

    const out = `${db.dir}/SMTPOAUTH.clle`;
    const exported = await run("export", "ibmi app", "--format", "ibmi-clle", "--out", out);
    expect(exported.code).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toMatch(/ALIASDMN\('contoso\.net'\)/);
    const secretJson = await run("export", "ibmi app", "--format", "ibmi-json", "--include-secrets");
    expect(JSON.parse(secretJson.out).client_secret).toBe(SECRET.smtpAppClientSecret);
    const list = await run("export", "ibmi app");
    expect(list.out).toMatch(/ibmi-clle/);
    const bad = await run("export", "ibmi app", "--format", "imail-config");
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/not available/);
  });
});

describe("bulk export (exportProfiles / export --all)", () => {
  const names = ["bulk a", "bulk b", "bulk c", "bulk d", "bulk e"];

  it("exports every matching profile in batches, one activity entry per batch, secrets included", async () => {
    for (const n of names) await createProfile(cli, fixtureProfile("m365-delegated", n));
    await createProfile(cli, fixtureProfile("m365-app-smtp", "bulk smtp app"));
    const before = (await listActivity(cli, { action: "export", pageSize: 500 })).total;
    const { plan, batches } = await exportProfiles(cli, "imail-config", { query: "bulk" }, { includeSecrets: true, batchSize: 2 });
    expect(plan).toMatchObject({ format: "imail-config", matching: 5, otherKinds: 1 });
    const got = [];
    for await (const b of batches) got.push(b);
    expect(got.map((b) => b.length)).toEqual([2, 2, 1]);
    const items = got.flat();
    expect(items.map((i) => i.profileName)).toEqual(names);
    for (const i of items) {
      if (!i.ok) throw new Error(`unexpected failure ${i.error.userMessage}`);
      expect(i.filename).toBe("iMailOAuth.config");
      expect(i.content).toContain(`DELEGATED_PASSWORD  = ${SECRET.delegatedPassword}`);
    }
    const log = await listActivity(cli, { action: "export", pageSize: 500 });
    expect(log.total - before).toBe(3);
    expect(log.items[0].summary).toMatch(/Bulk export batch 3: 1 of 1 profile\(s\) \("bulk e" … "bulk e"\) as iMailOAuth\.config WITH secrets/);
  });

  it("a web admin must confirm the password once; the refusal is logged and nothing is read", async () => {
    await expect(exportProfiles(web, "imail-config", { query: "bulk" }, { includeSecrets: true, password: "wrong" })).rejects.toMatchObject({ code: "unauthorized", field: "password" });
    const refused = await listActivity(cli, { action: "export", outcome: "failure" });
    expect(refused.items[0].summary).toMatch(/Refused to export 5 profile\(s\) as iMailOAuth\.config with secrets/);
    // Placeholders need no password.
    const { batches } = await exportProfiles(web, "imail-config", { query: "bulk" }, { includeSecrets: false });
    for await (const b of batches) for (const i of b) expect(i.ok && i.content).toMatch(/= <DELEGATED_PASSWORD>/);
  });

  it("a profile whose secrets cannot be opened fails alone, the others are exported", async () => {
    const broken = await getProfileByName(cli, "bulk c");
    // Sealed for another record id: authentication fails exactly as for a tampered value.
    await getDb().profile.update({ where: { id: broken.id }, data: { secrets: await sealSecret("{}", "another-id") } });
    const { batches } = await exportProfiles(cli, "imail-config", { query: "bulk" }, { includeSecrets: true });
    const items = [];
    for await (const b of batches) items.push(...b);
    expect(items.filter((i) => i.ok).map((i) => i.profileName)).toEqual(["bulk a", "bulk b", "bulk d", "bulk e"]);
    const failed = items.find((i) => !i.ok);
    expect(failed).toMatchObject({ profileName: "bulk c", error: { code: "secret_undecryptable" } });
    const log = await listActivity(cli, { action: "export", outcome: "failure" });
    expect(log.items[0].summary).toMatch(/4 of 5 profile\(s\).*1 failed/);
  });

  it("CLI export --all writes one folder per profile, refuses a non-empty directory, exits 1 on a failure", async () => {
    const dir = `${db.dir}/bulk-out`;
    const usage = await run("export", "--all", "--format", "imail-config");
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/--out DIR/);
    const badKind = await run("export", "--all", "--format", "imail-config", "--out", dir, "--kind", "m365");
    expect(badKind.code).toBe(2);
    expect(badKind.err).toMatch(/--kind m365 is not a profile kind/);

    const res = await run("export", "--all", "--format", "imail-config", "--search", "bulk", "--out", dir, "--include-secrets");
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/failed: bulk c: /);
    expect(res.err).toMatch(/1 selected profile\(s\) skipped/);
    expect(res.out).toMatch(/Wrote 4 of 5 profile\(s\) as iMailOAuth\.config to .*bulk-out \(contains secrets; files are mode 0600\); 1 failed/);
    const file = `${dir}/bulk a/iMailOAuth.config`;
    expect(fs.readFileSync(file, "utf8")).toContain(SECRET.delegatedPassword);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const again = await run("export", "--all", "--format", "imail-config", "--search", "bulk", "--out", dir);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/is not empty.*--force/);
    const forced = await run("export", "--all", "--format", "imail-config", "--search", "bulk", "--kind", "m365-delegated", "--out", dir, "--force");
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(/Wrote 5 of 5 profile\(s\).*placeholders/);
    expect(fs.readFileSync(file, "utf8")).toMatch(/= <DELEGATED_PASSWORD>/);
    const none = await run("export", "--all", "--format", "ibmi-cl", "--search", "bulk", "--kind", "m365-delegated", "--out", `${db.dir}/empty-out`);
    expect(none.code).toBe(0);
    expect(none.err).toMatch(/Nothing to export/);
  });
});

describe("bulk export as a ZIP (the console's Export all)", () => {
  it("a folder per profile; names that fold together get the id; secrets only with the password", async () => {
    // Names are unique (regardless of case), but a folder name keeps only file-safe characters: these two fold together.
    await createProfile(cli, fixtureProfile("m365-app-graph", "zip a@b"));
    await createProfile(cli, fixtureProfile("m365-app-graph", "zip a_b"));
    await createProfile(cli, fixtureProfile("m365-app-graph", "zip x..y."));
    const plain = await exportProfilesZip(web, "imail-config", { query: "zip " }, { includeSecrets: false, now: new Date("2026-11-22T10:00:00Z") });
    expect(plain.filename).toBe("imail-config-3-profiles-2026-11-22.zip");
    const files = unzipSync(plain.zip);
    const names = Object.keys(files).sort();
    expect(names).toHaveLength(3);
    expect(names).toContain("zip a_b/iMailOAuth.config");
    expect(names).toContain("zip x..y/iMailOAuth.config");
    expect(names.filter((n) => /^zip a_b-[0-9a-f]{8}\/iMailOAuth\.config$/.test(n))).toHaveLength(1);
    // No path leaves the archive's root.
    expect(names.every((n) => !n.split("/").includes("..") && !n.startsWith("/"))).toBe(true);
    for (const n of names) expect(strFromU8(files[n])).toMatch(/<CLIENT_SECRET>|<APP_CLIENT_SECRET>|= </);
    for (const n of names) expect(strFromU8(files[n])).not.toContain(SECRET.graphClientSecret);

    await expect(exportProfilesZip(web, "imail-config", { query: "zip " }, { includeSecrets: true, password: "wrong" })).rejects.toMatchObject({ code: "unauthorized" });
    const full = await exportProfilesZip(cli, "imail-config", { query: "zip " }, { includeSecrets: true });
    expect(full.filename).toMatch(/-with-secrets\.zip$/);
    expect(Object.values(unzipSync(full.zip)).every((f) => strFromU8(f).includes(SECRET.graphClientSecret))).toBe(true);
    await expect(exportProfilesZip(cli, "ibmi-json", { query: "zip " }, { includeSecrets: false })).rejects.toMatchObject({ code: "invalid_input", field: "format", userMessage: expect.stringMatching(/not available for the kinds of the 3 selected/) });
  });

  it("createBulkPaths keeps the CLI's folders and the ZIP's the same", () => {
    const p = createBulkPaths();
    expect(p({ profileName: " .Payroll: main. ", profileId: "0123456789", filename: "iMailOAuth.config" })).toBe("Payroll_ main/iMailOAuth.config");
    expect(p({ profileName: "payroll_ MAIN", profileId: "abcdef0123", filename: "x" })).toBe("payroll_ MAIN-abcdef01/x");
    expect(p({ profileName: "///", profileId: "ffff", filename: "x" })).toBe("_/x");
  });

  it("the request schema names the field: format, kind, password when secrets are included", () => {
    const bad = bulkExportRequestSchema.safeParse({ format: "zip", kind: "m365", includeSecrets: "on" });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["format", "kind"]));
    const noPassword = bulkExportRequestSchema.safeParse({ format: "imail-config", includeSecrets: "on" });
    expect(noPassword.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["password", "Enter your password to include secrets."]]);
    expect(bulkExportRequestSchema.parse({ format: "imail-config" })).toMatchObject({ format: "imail-config", includeSecrets: false });
  });

  it("Google: the uploaded key's token_uri becomes the token URL, and the IBM i files with and without secrets name the key's URLs", async () => {
    const key = JSON.parse(GOOGLE_SA_JSON) as Record<string, string>;
    const custom: Record<string, string> = {
      ...key,
      token_uri: "https://oauth2.private.example.net/token",
      auth_uri: "https://accounts.private.example.net/o/oauth2/auth",
      auth_provider_x509_cert_url: "https://certs.private.example.net/oauth2/v1/certs",
      client_x509_cert_url: "https://certs.private.example.net/robot/v1/metadata/x509/sa",
      universe_domain: "private.example.net",
    };
    const fixture = fixtureProfile("google-service-account", "google private key");
    const base = { ...fixture, settings: fixture.settings as ProfileInput["settings"] & { kind: "google-service-account" } };
    // The form posts Google's default token URL unless the admin changed it.
    const p = await createProfile(cli, { ...base, settings: { ...base.settings, tokenUrl: "https://oauth2.googleapis.com/token" }, secrets: { serviceAccountKey: JSON.stringify(custom, null, 2) } });
    expect(p.settings.kind === "google-service-account" && p.settings.tokenUrl).toBe("https://oauth2.private.example.net/token");
    const without = JSON.parse((await exportProfile(cli, p.id, "ibmi-json", { includeSecrets: false })).content) as Record<string, string>;
    const withSecrets = JSON.parse((await exportProfile(cli, p.id, "ibmi-json", { includeSecrets: true })).content) as Record<string, string>;
    for (const k of ["token_uri", "auth_uri", "auth_provider_x509_cert_url", "client_x509_cert_url", "universe_domain", "client_email", "client_id", "private_key_id", "project_id"]) {
      expect(without[k], k).toBe(custom[k]);
      expect(withSecrets[k], k).toBe(custom[k]);
    }
    // A token URL the admin set on purpose is kept; the key does not override it.
    const proxied = await createProfile(cli, { ...base, settings: { ...base.settings, name: "google via proxy", tokenUrl: "https://proxy.example.net/token" }, secrets: { serviceAccountKey: JSON.stringify(custom) } });
    expect(proxied.settings.kind === "google-service-account" && proxied.settings.tokenUrl).toBe("https://proxy.example.net/token");
    const proxiedWith = JSON.parse((await exportProfile(cli, proxied.id, "ibmi-json", { includeSecrets: true })).content) as Record<string, string>;
    const proxiedWithout = JSON.parse((await exportProfile(cli, proxied.id, "ibmi-json", { includeSecrets: false })).content) as Record<string, string>;
    expect(proxiedWith.token_uri).toBe(proxiedWithout.token_uri);
    // A key whose token_uri is not https is refused, naming the key's property.
    await expect(createProfile(cli, { ...base, settings: { ...base.settings, name: "google http key" }, secrets: { serviceAccountKey: JSON.stringify({ ...key, token_uri: "http://oauth2.example.net/token" }) } })).rejects.toThrow(/token_uri: Token URL must use https/);
  });
});

