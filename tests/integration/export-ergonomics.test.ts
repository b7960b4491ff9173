import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { runCliCaptured } from "@/tests/helpers/cli";
import { FIXTURE_SECRETS, SECRET, TENANT, CLIENT, fixtureProfile } from "@/tests/fixtures/profiles";
import { localOperator, type Actor } from "@/lib/auth/actor";
import { createAdmin } from "@/lib/auth/admins";
import { createProfile, type ProfileDto } from "@/lib/profiles/dal";
import { exportProfile } from "@/lib/export/service";
import { buildSettingsCards } from "@/lib/export/settings-cards";
import { getOAuthRedirectUri } from "@/lib/tokens/authorization";
import { listActivity } from "@/lib/activity/dal";
import { getDb } from "@/lib/db/client";
import { idle } from "@/lib/action-result";

/**
 * Export ergonomics (issue 16.5): the comparison with the file on the target, the webMethods /
 * Airlock settings cards and the QTIMZON time zone, each from the console's entry point and the
 * CLI, which give the same answer; no secret (stored or pasted) in any result or log entry.
 */

const signedIn = vi.hoisted(() => ({ admin: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ requireAdmin: async () => signedIn.admin, getCurrentAdmin: async () => signedIn.admin }));
const { compareWithExportAction } = await import("@/app/(console)/profiles/[profileId]/export/actions");

const db = useTestDb();
const operator = localOperator();
let delegated: ProfileDto;
let authCode: ProfileDto;
let appSmtp: ProfileDto;
let dir: string;
const PASTED_SECRET = "Pasted-Target-Secret-0f9e8d7c";

beforeAll(async () => {
  const a = await createAdmin(operator, "erin", "Correct-Horse-Battery-9");
  signedIn.admin = { id: a.id, username: a.username, via: "web" };
  const d = fixtureProfile("m365-delegated", "ergo delegated");
  delegated = await createProfile(operator, { ...d, settings: { ...d.settings, ibmiTimeZone: "qn0600cst" } as never });
  authCode = await createProfile(operator, fixtureProfile("m365-auth-code", "ergo webmethods"));
  const s = fixtureProfile("m365-app-smtp", "ergo airlock");
  appSmtp = await createProfile(operator, { ...s, settings: { ...s.settings, credentialType: "secret", certificatePem: undefined } as never, secrets: { clientSecret: SECRET.smtpAppClientSecret } });
  dir = path.join(db.dir, "ergo");
  fs.mkdirSync(dir);
});

async function consoleCompare(p: ProfileDto, format: string, text: string) {
  const form = new FormData();
  form.set("format", format);
  form.set("text", text);
  return compareWithExportAction(p.id, idle as never, form);
}

describe("compare with the file on the target", () => {
  it("console and CLI give the same result; CRLF and key order do not count; a different secret says only 'differs'", async () => {
    const plain = await exportProfile(operator, delegated.id, "imail-config", { includeSecrets: true });
    const lines = plain.content.split("\n").filter((l) => l && !l.startsWith("#") && !l.startsWith("CLIENT_SECRET"));
    const pasted = lines
      .reverse()
      .map((l) => (l.startsWith("DELEGATED_PASSWORD") ? `DELEGATED_PASSWORD = ${PASTED_SECRET}` : l.startsWith("CLIENT_ID") ? "CLIENT_ID = 11111111-2222-3333-4444-555555555555" : l))
      .join("\r\n");
    const web = await consoleCompare(delegated, "imail-config", pasted);
    if (web.status !== "success" || !web.data) throw new Error(JSON.stringify(web));
    expect(web.data.identical).toBe(false);
    expect(web.data.counts).toMatchObject({ changed: 2, missing: 1, extra: 0 });
    expect(web.data.rows.find((r) => r.key === "CLIENT_ID")?.message).toBe(`CLIENT_ID differs: export "${CLIENT}", file "11111111-2222-3333-4444-555555555555"`);
    expect(web.data.rows.find((r) => r.key === "DELEGATED_PASSWORD")).toMatchObject({ status: "changed", secret: true });
    expect(web.data.rows.find((r) => r.key === "CLIENT_SECRET")).toMatchObject({ status: "missing", secret: true });

    const file = path.join(dir, "iMailOAuth.config");
    fs.writeFileSync(file, pasted);
    const cli = await runCliCaptured(["export", delegated.name, "--format", "imail-config", "--diff", file, "--json"]);
    expect(cli.code).toBe(1);
    const fromCli = JSON.parse(cli.out);
    expect(fromCli.rows).toEqual(web.data.rows);
    const text = await runCliCaptured(["export", delegated.name, "--format", "imail-config", "--diff", file]);
    expect(text.out).toMatch(/^2 different, 1 missing, 0 extra/);

    for (const out of [JSON.stringify(web), cli.out, text.out, text.err]) {
      for (const s of [PASTED_SECRET, ...FIXTURE_SECRETS]) expect(out).not.toContain(s);
    }
    const log = await listActivity(operator, { profileId: delegated.id, action: "export" });
    expect(log.items[0].summary).toMatch(/^Compared the file on the target with "ergo delegated" as iMailOAuth\.config: 3 difference\(s\) \(changed CLIENT_ID, changed DELEGATED_PASSWORD, missing CLIENT_SECRET\)/);
    const rows = await getDb().activity.findMany({ select: { summary: true, detail: true } });
    for (const r of rows) for (const s of [PASTED_SECRET, SECRET.delegatedPassword]) expect(`${r.summary} ${r.detail ?? ""}`).not.toContain(s);
  });

  it("the export itself is the same (exit 0)", async () => {
    const full = await exportProfile(operator, delegated.id, "system-properties", { includeSecrets: true });
    const file = path.join(dir, "imail.properties");
    fs.writeFileSync(file, full.content.replace(/\n/g, "\r\n"));
    const cli = await runCliCaptured(["export", delegated.name, "--format", "system-properties", "--diff", file]);
    expect(cli.code, cli.out + cli.err).toBe(0);
    expect(cli.out).toMatch(/^Same: /);
    expect(cli.out).not.toContain(SECRET.delegatedPassword);
  });

  it("bad input names the field: empty paste, unknown format, unreadable line (not quoted)", async () => {
    expect(await consoleCompare(delegated, "imail-config", "  ")).toMatchObject({ status: "error", fieldErrors: { text: ["Paste the file that is on the target system"] } });
    expect(await consoleCompare(delegated, "imcfg1", "x")).toMatchObject({ status: "error", fieldErrors: { format: [expect.stringMatching(/^Choose a format to compare/)] } });
    const bad = await consoleCompare(delegated, "imail-config", `CLIENT_ID = x\n\n${PASTED_SECRET}\n`);
    expect(bad).toMatchObject({ status: "error", fieldErrors: { text: ["Line 3 of the pasted file cannot be read as imail-config: expected KEY = VALUE or a # comment"] } });
    expect(JSON.stringify(bad)).not.toContain(PASTED_SECRET);
    const rows = await getDb().activity.findMany({ select: { summary: true } });
    for (const r of rows) expect(r.summary).not.toContain(PASTED_SECRET);
    const file = path.join(dir, "empty.config");
    fs.writeFileSync(file, "");
    const cli = await runCliCaptured(["export", delegated.name, "--format", "imail-config", "--diff", file]);
    expect(cli.code).toBe(2);
    expect(cli.err).toMatch(/--diff .*empty\.config: Paste the file/);
  });
});

describe("settings cards", () => {
  it("webMethods for an authorization-code profile: the guide's labels, derived URLs, no secret", async () => {
    const [card] = buildSettingsCards(authCode.settings, { consoleRedirectUri: getOAuthRedirectUri() });
    expect(card.fields.map((f) => f.label)).toEqual(["Auth URL", "Client ID", "Client Secret", "Scope", "Access Token URL", "Redirect URL", "Authorization request (built-in SMTP services)"]);
    const value = (l: string) => card.fields.find((f) => f.label === l)?.value;
    expect(value("Auth URL")).toBe(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`);
    expect(value("Access Token URL")).toBe(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`);
    expect(value("Client Secret")).toBeNull();
    expect(value("Redirect URL")).toBe("http://<IS host>:<port>/WmRoot/security-oauth-get-authcode.dsp");
    const cli = await runCliCaptured(["export", authCode.name, "--settings-cards", "--json"]);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.out)).toEqual([card]);
    expect(cli.out).not.toContain(SECRET.authCodeClientSecret);
  });

  it("Airlock for a client-credentials SMTP profile: token endpoint authentication and request method as Airlock names them", async () => {
    const [card] = buildSettingsCards(appSmtp.settings);
    const value = (l: string) => card.fields.find((f) => f.label === l)?.value;
    expect(value("Token Endpoint Authentication")).toBe("OAuth 2.0 Basic Auth Client Secret");
    expect(value("Access Token Request Method")).toBe("OAuth 2.0 POST Request");
    expect(value("Token Endpoint URL")).toBe(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`);
    expect(value("Scopes to Request")).toBe("https://outlook.office365.com/.default");
    expect(value("Username")).toBe("sender@contoso.com");
    const cert = buildSettingsCards({ ...appSmtp.settings, credentialType: "certificate" } as never)[0];
    expect(cert.fields.find((f) => f.label === "Token Endpoint Authentication")?.value).toBe("OIDC Private Key JWT Client Authentication");
    const text = await runCliCaptured(["export", appSmtp.name, "--settings-cards"]);
    expect(text.out).toMatch(/Token Endpoint Authentication\s+OAuth 2\.0 Basic Auth Client Secret/);
    expect(text.out).not.toContain(SECRET.smtpAppClientSecret);
    expect((await runCliCaptured(["export", delegated.name, "--settings-cards"])).code).toBe(1);
  });
});

describe("QTIMZON time zone", () => {
  it("a profile keeps the QTIMZON name; the CLI reads names the same way", async () => {
    expect(delegated.settings.ibmiTimeZone).toBe("QN0600CST");
    const ok = await runCliCaptured(["timezone", "qn0600cst"]);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toBe("QN0600CST = UTC−06:00 (America/Chicago, with daylight saving time)");
    const bad = await runCliCaptured(["timezone", "QN2500EST"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/Time zone must be within UTC−12:00 to UTC\+14:00: QN2500EST means UTC−25:00/);
    const update = await runCliCaptured(["profile", "update", delegated.name, "--set", "ibmiTimeZone=Mars/Olympus"]);
    expect(update.code).toBe(2);
    expect(update.err).toMatch(/Time zone must be an IBM i QTIMZON name .*; "Mars\/Olympus" is neither/);
  });
});
