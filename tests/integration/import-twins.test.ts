import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { runCliCaptured } from "@/tests/helpers/cli";
import { CLIENT, SECRET, TENANT } from "@/tests/fixtures/profiles";
import { localOperator, type Actor } from "@/lib/auth/actor";
import { createAdmin } from "@/lib/auth/admins";
import { idle } from "@/lib/action-result";
import type { ImportCheckData } from "@/lib/export/results";

/**
 * The import check is one lib function: the console's Check button and `profile import --dry-run`
 * report the same issues with the same structured remedies, each worded for its surface. The
 * console side runs the real server action with only the session lookup replaced.
 */

const signedIn = vi.hoisted(() => ({ admin: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ requireAdmin: async () => signedIn.admin, getCurrentAdmin: async () => signedIn.admin }));
const { checkImportAction } = await import("@/app/(console)/import/actions");

const db = useTestDb();
const config = (lines: string[]) => [`CLIENT_ID = ${CLIENT}`, `TENANT_ID = ${TENANT}`, ...lines, ""].join("\r\n");

beforeAll(async () => {
  const a = await createAdmin(localOperator(), "alice", "Correct-Horse-Battery-9");
  signedIn.admin = { id: a.id, username: a.username, via: "web" };
  const ok = await runCliCaptured(["profile", "import", "-", "--name", "Payroll"], config(["DELEGATED_USER = payroll@contoso.com", `DELEGATED_PASSWORD = ${SECRET.delegatedPassword}`]));
  expect(ok.code, ok.err).toBe(0);
});

async function consoleCheck(text: string, name = ""): Promise<ImportCheckData> {
  const form = new FormData();
  form.set("text", text);
  form.set("format", "");
  form.set("name", name);
  const r = await checkImportAction(idle, form);
  if (r.status !== "success" || !r.data) throw new Error(JSON.stringify(r));
  return r.data;
}

async function cliCheck(text: string, name?: string): Promise<{ code: number; lines: string[] }> {
  const file = path.join(db.dir, "check.config");
  fs.writeFileSync(file, text);
  const r = await runCliCaptured(["profile", "import", file, "--dry-run", ...(name ? ["--name", name] : [])]);
  return { code: r.code, lines: r.out.split("\n").filter((l) => l.startsWith("cannot import: ")) };
}

describe("console Check and CLI --dry-run are twins", () => {
  it("a missing secret and a name another profile has: same issues, each surface's remedy", async () => {
    const text = config(["DELEGATED_USER = payroll@contoso.com"]);
    const web = await consoleCheck(text, "payroll");
    const cli = await cliCheck(text, "payroll");
    expect(web.importable).toBe(false);
    expect(cli.code).toBe(2);
    expect(web.issues.map((i) => [i.field, i.remedy])).toEqual([
      ["secrets.password", { kind: "missing", field: "secrets.password" }],
      ["name", { kind: "rename" }],
    ]);
    expect(cli.lines).toEqual([
      "cannot import: secrets.password is required: this profile needs it but the file has none; supply it with --set secrets.password=…",
      'cannot import: A profile named "Payroll" already exists; choose another name with --name NAME',
    ]);
    expect(web.issues.map((i) => i.text)).toEqual([
      "Password is required: this profile needs it but the file has none; enter it under “Values the file does not contain”",
      'A profile named "Payroll" already exists; choose another name',
    ]);
    // The console asks for the value on the page and puts each message on its input.
    expect(web.fields.map((f) => f.key)).toContain("secrets.password");
    expect(web.fieldErrors["set.secrets.password"]).toHaveLength(1);
    expect(web.fieldErrors.name).toEqual(['A profile named "Payroll" already exists; choose another name']);
  });

  it("an importable file: both say so", async () => {
    const text = config(["DELEGATED_USER = other@contoso.com", "DELEGATED_PASSWORD = pw"]);
    expect((await consoleCheck(text, "Other")).importable).toBe(true);
    const cli = await cliCheck(text, "Other");
    expect(cli).toEqual({ code: 0, lines: [] });
  });
});

describe("placeholders from the reference files are flagged once", () => {
  // The reference documents' examples, byte for byte (CRLF, trailing spaces, non-breaking spaces).
  const fixtures = path.resolve("lib/export/__fixtures__");
  it.each([
    ["reference-imail-app.config", ["CLIENT_ID", "TENANT_ID", "CLIENT_SECRET"]],
    ["reference-ibmi-office365.json", ["tenant_id", "client_id", "domain", "client_secret"]],
  ])("%s: each placeholder once, as the issue that asks for the real value", async (file, keys) => {
    const text = fs.readFileSync(path.join(fixtures, file), "utf8");
    const web = await consoleCheck(text);
    const cli = await runCliCaptured(["profile", "import", path.join(fixtures, file), "--dry-run"]);
    expect(web.issues.filter((i) => i.remedy?.kind === "placeholder").map((i) => i.key)).toEqual(keys);
    for (const key of keys) {
      // In the CLI's report (warnings, doctor findings, issues) the key's placeholder appears once.
      const mentions = cli.out.split("\n").filter((l) => l.includes(`(${key})`) || l.includes(` ${key} `) || l.includes(`"${key}"`));
      expect(mentions, `${key}:\n${cli.out}`).toHaveLength(1);
      expect(mentions[0]).toMatch(/^cannot import: .*placeholder.*--set /);
    }
    expect(web.warnings.filter((w) => /placeholder/i.test(w.message))).toEqual([]);
    expect(web.findings.filter((f) => f.ruleId === "placeholder-values")).toEqual([]);
  });
});

describe("files the target system accepts without a console-only field import as incomplete profiles", () => {
  // The reference examples byte for byte (wrapped values, trailing blanks, non-breaking spaces),
  // their placeholders replaced by real values as an admin's file would be, also with CRLF.
  const fixtures = path.resolve("lib/export/__fixtures__");
  const filled = (file: string, crlf: boolean) => {
    const text = fs
      .readFileSync(path.join(fixtures, file), "utf8")
      .replace(/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/g, (m, offset: number, all: string) => (all.lastIndexOf("CLIENT_ID", offset) > all.lastIndexOf("TENANT_ID", offset) ? CLIENT : TENANT))
      .replace("your-client-secret", SECRET.graphClientSecret)
      .replace("<tenant_id>", TENANT)
      .replace("<client_id>", CLIENT)
      .replace("<client_secret>", SECRET.smtpAppClientSecret)
      .replace("yourdomain.onmicrosoft.com", "contoso.onmicrosoft.com");
    return crlf ? text.replace(/\n/g, "\r\n") : text;
  };

  it.each([
    ["reference-imail-app.config", "Graph app", "fromAddress", "imail-config", "{FROM_ADDRESS}", false],
    ["reference-imail-app.config", "Graph app crlf", "fromAddress", "exchange-powershell", "<MAILBOX>", true],
    ["reference-ibmi-office365.json", "IBM i app", "mailbox", "ibmi-json", '"domain": "contoso.onmicrosoft.com"', false],
    ["reference-ibmi-office365.json", "IBM i app crlf", "mailbox", "ibmi-cl", "<MAILBOX>", true],
  ] as const)("%s (%s): imported without --set, marked incomplete, the doctor and the send ask for %s, exports work", async (file, name, field, format, expected, crlf) => {
    const { getProfileByName } = await import("@/lib/profiles/dal");
    const { diagnoseProfile } = await import("@/lib/doctor/service");
    const { exportProfile } = await import("@/lib/export/service");
    const { sendTestMessage } = await import("@/lib/mail/send-test");
    const { listProfiles } = await import("@/lib/profiles/dal");
    const actor = localOperator();
    const text = filled(file, crlf);
    if (file.endsWith(".json")) expect(text).toContain("\u00A0");
    else expect(text).toMatch(/TOKEN_URL {6}= {2}\r?\nhttps:/);

    const check = await consoleCheck(text, name);
    expect(check.importable).toBe(true);
    // Said once: the import's note, not also a doctor finding.
    expect(check.warnings.filter((w) => w.message.includes(`(${field}) is not set`))).toHaveLength(1);
    expect(check.findings.filter((f) => f.ruleId === "console-field-missing")).toEqual([]);
    // The Import page offers an input for it (optional: the import goes ahead without it).
    expect(check.fields.map((f) => f.key)).toContain(field);

    const r = await runCliCaptured(["profile", "import", "-", "--name", name], text);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(new RegExp(`Marked incomplete \\(no ${field}\\): set it with: npm run cli -- profile update "${name}" --set ${field}=…`));
    expect(r.err.split("\n").filter((l) => l.includes(`(${field}) is not set`))).toHaveLength(1);

    const p = await getProfileByName(actor, name);
    expect(p.status).toBe("incomplete");
    expect(p.statusDetail).toContain(`(${field}) is not set`);
    expect(p.settings).not.toHaveProperty(field);
    const list = await listProfiles(actor, { statuses: ["incomplete"], query: name });
    expect(list.items.map((i) => i.name)).toContain(name);

    const doctor = await diagnoseProfile(actor, p.id);
    const finding = doctor.findings.filter((f) => f.ruleId === "console-field-missing");
    expect(finding).toHaveLength(1);
    expect(finding[0].field).toBe(`settings.${field}`);

    const out = await exportProfile(actor, p.id, format, { includeSecrets: false });
    expect(out.content).toContain(expected);

    await expect(sendTestMessage(actor, p.id, { to: "someone@contoso.com", subject: "t", body: "b" })).rejects.toMatchObject({ code: "invalid_input", field: `settings.${field}` });
    await expect(sendTestMessage(actor, p.id, { to: "someone@contoso.com", subject: "t", body: "b" })).rejects.toThrow(/is not set on profile .*enter a From address/);

    // Setting the field makes the profile complete: untested, no finding.
    const { updateProfile } = await import("@/lib/profiles/dal");
    const updated = await updateProfile(actor, p.id, { settings: { ...p.settings, [field]: "sender@contoso.com" }, secrets: {}, clearSecrets: [], version: p.version });
    expect(updated.status).toBe("untested");
    expect((await diagnoseProfile(actor, p.id)).findings.filter((f) => f.ruleId === "console-field-missing")).toEqual([]);
  });
});
