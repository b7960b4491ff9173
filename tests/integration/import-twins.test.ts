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
    ["reference-imail-app.config", ["CLIENT_ID", "TENANT_ID"]],
    ["reference-ibmi-office365.json", ["tenant_id", "client_id", "client_secret"]],
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
