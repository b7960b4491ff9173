import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { CLIENT, TENANT, fixtureProfile, SECRET } from "@/tests/fixtures/profiles";
import { listActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { diagnoseProfile } from "../doctor/service";
import { getProfileByName, listProfiles, updateProfile, createProfile } from "../profiles/dal";
import { exportProfile, importProfile } from "./service";
import { runCli } from "@/cli/main";

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
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l), readStdin: async () => "" });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("imports with --set, runs the doctor (exit 1 on errors), exports to a file", async () => {
    const file = `${db.dir}/office365.json`;
    fs.writeFileSync(file, JSON.stringify({ type: "microsoft_app", tenant_id: TENANT, client_id: CLIENT, client_secret: SECRET.smtpAppClientSecret, scope: "https://outlook.office365.com/.default", domain: "contoso.com" }, null, 1));
    const dry = await run("profile", "import", file, "--dry-run");
    expect(dry.code).toBe(2);
    expect(dry.out).toMatch(/mailbox is required/);
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
