import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GOOGLE_SA_JSON, SECRET, TENANT, CLIENT } from "@/tests/fixtures/profiles";
import { AppError } from "../errors";
import { profileSettingsSchema } from "../profiles/schema";
import { renderExport } from "./formats";
import { readImailEntries } from "./imail-config";
import { GOOGLE_PRIVATE_KEY_PLACEHOLDER } from "./ibmi-json";
import { detectImportFormat, diagnoseImailConfig, diagnoseImport, parseImport, readImport } from "./import";
import { NOW, storedSettings } from "@/tests/fixtures/stored-settings";
import type { ImportFormatId, ImportOptions } from "./types";
import { describeImportIssue, importIssuesOf, type ImportIssue } from "./import-issues";

function issuesOf(fn: () => unknown): ImportIssue[] {
  try {
    fn();
  } catch (error) {
    return importIssuesOf(error);
  }
  throw new Error("expected the import to be refused");
}

const fixtures = path.join(__dirname, "__fixtures__");
const ref = (name: string) => fs.readFileSync(path.join(fixtures, name), "utf8");
const referenceDir = path.resolve(__dirname, "../../../shared/reference");

/** Key → value of an iMail config, ignoring comments, layout and the token cache. */
function imailPairs(text: string): Record<string, string> {
  const { entries } = readImailEntries(text);
  return Object.fromEntries([...entries].filter(([k]) => !/TOKEN$|EXPIRY_TIME$/.test(k) || k === "TOKEN_URL").map(([k, e]) => [k, e.value]));
}

/**
 * A reference example with its placeholders replaced by real values, as an admin's real file would
 * be: the layout (wrapped values, trailing blanks, non-breaking spaces) stays byte for byte.
 */
function filledRef(name: string): string {
  return ref(name)
    .replace(/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxxx?/g, (m, offset, all: string) => (all.lastIndexOf("CLIENT_ID", offset) > all.lastIndexOf("TENANT_ID", offset) ? CLIENT : TENANT))
    .replace("<tenant_id>", TENANT)
    .replace("<client_id>", CLIENT)
    .replace("<client_secret>", SECRET.smtpAppClientSecret)
    .replace("your-client-secret", SECRET.graphClientSecret)
    .replace("your-password", "Real pw 1")
    .replace("sender@yourdomain.com", "sender@contoso.com")
    .replace("yourdomain.onmicrosoft.com", "contoso.onmicrosoft.com");
}

/** Normalises non-breaking spaces the way the JSON reader does, then parses. */
const json = (text: string) => JSON.parse(text.replace(/\u00A0/g, " "));

describe("reference documents: the examples are copied verbatim", () => {
  const docs: Array<[string, string]> = [
    ["reference-imail-app.config", "imail-outlook365-oauth-setup-guide.txt"],
    ["reference-ibmi-office365.json", "ibm-i-smtp-oauth2.txt"],
    ["reference-ibmi-gmail.json", "ibm-i-smtp-oauth2.txt"],
  ];
  it.skipIf(!fs.existsSync(referenceDir)).each(docs)("%s appears in %s", (fixture, doc) => {
    const text = fs.readFileSync(path.join(referenceDir, doc), "utf8");
    expect(text.includes(ref(fixture).replace(/\n$/, ""))).toBe(true);
  });
  it.skipIf(!fs.existsSync(referenceDir))("the DELEGATE example is the guide's two code blocks joined", () => {
    const text = fs.readFileSync(path.join(referenceDir, "imail-outlook365-oauth-setup-guide.txt"), "utf8");
    const [first, second] = ref("reference-imail-delegate.config").split(/(?=# DELEGATED_SCOPE)/);
    expect(text.includes(first)).toBe(true);
    expect(text.includes(second)).toBe(true);
  });
});

describe("iMailOAuth.config: the guide's examples", () => {
  it("reads the DELEGATE example: mode rule, wrapped TOKEN_URL, wrapped comments ignored", () => {
    const r = readImport(ref("reference-imail-delegate.config"));
    expect(r.format).toBe("imail-config");
    expect(r.kind).toBe("m365-delegated");
    expect(r.settings).toMatchObject({
      clientId: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxxx",
      tokenUrl: "https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token",
      loginUser: "sender@yourdomain.com",
      publicClient: true,
    });
    expect(r.settings.scope).toBeUndefined(); // DELEGATED_SCOPE is commented out
    expect(r.secrets).toEqual({ password: "your-password" });
    expect(r.sources.tokenUrl.line).toBe(8);
    // "---" and "offline_access" are the printed wraps of comment lines 15 and 20.
    expect(r.warnings.filter((w) => /wrapped rest of that comment/.test(w.message)).map((w) => w.line)).toEqual([16, 21]);
  });

  it("reads the APP example (trailing blanks, wrapped TOKEN_URL and ENDPOINT)", () => {
    const r = readImport(ref("reference-imail-app.config"));
    expect(r.kind).toBe("m365-app-graph");
    expect(r.settings).toMatchObject({
      scope: "https://graph.microsoft.com/.default",
      graphEndpoint: "https://graph.microsoft.com/v1.0/users/{FROM_ADDRESS}/sendMail",
      tokenUrl: "https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token",
    });
    expect(r.secrets).toEqual({ clientSecret: "your-client-secret" });
    expect(r.fatal).toBeUndefined();
  });

  it("refuses the examples' placeholders by line (your-password, sender@yourdomain.com, GUIDs), and imports once they are supplied", () => {
    const delegate = issuesOf(() => parseImport(ref("reference-imail-delegate.config")));
    expect(delegate.map((i) => [i.key, i.remedy?.kind])).toEqual([
      ["CLIENT_ID", "placeholder"],
      ["TENANT_ID", "placeholder"],
      ["DELEGATED_USER", "placeholder"],
      ["DELEGATED_PASSWORD", "placeholder"],
    ]);
    expect(delegate.map((i) => i.line)).toEqual([6, 7, 12, 13]);
    const d = parseImport(ref("reference-imail-delegate.config"), { overrides: { clientId: CLIENT, tenantId: TENANT, loginUser: "sender@contoso.com", "secrets.password": "Real pw 1" } });
    expect(d.input.settings).toMatchObject({ kind: "m365-delegated", loginUser: "sender@contoso.com", clientId: CLIENT, publicClient: true });
    const app = issuesOf(() => parseImport(ref("reference-imail-app.config")));
    expect(app.map((i) => i.key)).toEqual(["CLIENT_ID", "TENANT_ID", "CLIENT_SECRET"]);
    const a = parseImport(ref("reference-imail-app.config"), { overrides: { clientId: CLIENT, tenantId: TENANT, "secrets.clientSecret": SECRET.graphClientSecret } });
    expect(a.input.settings).toMatchObject({ kind: "m365-app-graph" });
    expect(a.input.settings).not.toHaveProperty("fromAddress");
  });

  it("imports the APP example without a From address (iMail fills {FROM_ADDRESS}): CRLF, wrapped values and all, with the incomplete note", () => {
    for (const text of [filledRef("reference-imail-app.config"), filledRef("reference-imail-app.config").replace(/\n/g, "\r\n")]) {
      const a = parseImport(text);
      expect(a.input.settings).toMatchObject({ kind: "m365-app-graph", clientId: CLIENT, tenantId: TENANT, graphEndpoint: "https://graph.microsoft.com/v1.0/users/{FROM_ADDRESS}/sendMail" });
      expect(a.input.settings).not.toHaveProperty("fromAddress");
      expect(a.input.secrets).toEqual({ clientSecret: SECRET.graphClientSecret });
      expect(a.warnings.filter((w) => /^Incomplete: From address \(fromAddress\) is not set/.test(w.message))).toHaveLength(1);
    }
  });

  it.each([
    ["reference-imail-delegate.config", {}],
    ["reference-imail-app.config", {}],
    ["reference-imail-app.config", { fromAddress: "noreply@contoso.com" }],
  ] as const)("round trip: export(import(%s)) has the same keys and values (%o)", (file, extra) => {
    // The example with its placeholders filled in, as an admin's real file would be.
    const filled = filledRef(file);
    const parsed = parseImport(filled, { overrides: { ...extra } });
    const settings = profileSettingsSchema.parse(parsed.input.settings);
    const out = renderExport("imail-config", { settings, secrets: parsed.input.secrets, now: NOW });
    expect(imailPairs(out.content)).toEqual(imailPairs(filled));
  });

  it("exported files of every iMail kind round-trip, with and without a client secret", () => {
    for (const settings of [storedSettings("m365-delegated"), storedSettings("m365-delegated", "pub", { publicClient: true, scope: "https://outlook.office.com/SMTP.Send offline_access" }), storedSettings("m365-app-graph")]) {
      const secrets = { password: "pw with spaces = and #", clientSecret: SECRET.graphClientSecret };
      const first = renderExport("imail-config", { settings, secrets, now: NOW }).content;
      const parsed = parseImport(first, { name: settings.name, overrides: settings.kind === "m365-app-graph" && settings.fromAddress ? { fromAddress: settings.fromAddress } : {} });
      const second = renderExport("imail-config", { settings: profileSettingsSchema.parse(parsed.input.settings), secrets: parsed.input.secrets, now: NOW }).content;
      expect(imailPairs(second)).toEqual(imailPairs(first));
    }
  });
});

describe("iMailOAuth.config: reading rules", () => {
  const base = `CLIENT_ID = ${CLIENT}\nTENANT_ID = ${TENANT}\nTOKEN_URL = https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token\n`;

  it("accepts CRLF, BOM, tabs and any spacing around =", () => {
    const text = `\uFEFF# c\r\nCLIENT_ID=${CLIENT}\r\nTENANT_ID\t=\t${TENANT}\r\nTOKEN_URL   =https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token\r\nDELEGATED_USER =a@b.com\r\nDELEGATED_PASSWORD= p=w \r\n`;
    const r = parseImport(text);
    expect(r.input.settings).toMatchObject({ clientId: CLIENT, tenantId: TENANT, loginUser: "a@b.com" });
    expect(r.input.secrets).toEqual({ password: "p=w" });
  });

  it("DELEGATED_USER wins over CLIENT_SECRET, and the ignored APP keys are reported", () => {
    const r = parseImport(`${base}DELEGATED_USER = a@b.com\nDELEGATED_PASSWORD = x\nCLIENT_SECRET = s\nSCOPE = https://graph.microsoft.com/.default\n`);
    expect(r.input.settings).toMatchObject({ kind: "m365-delegated", publicClient: false });
    expect(r.warnings).toContainEqual({ line: 7, message: expect.stringMatching(/SCOPE is ignored: DELEGATED_USER is present/) });
  });

  it("reports unknown keys, duplicates and wrong case with line numbers", () => {
    const r = readImport(`${base}FOO = bar\nclient_id = ${CLIENT}\nDELEGATED_USER = a@b.com\nDELEGATED_USER = c@d.com\n`, { format: "imail-config" });
    expect(r.warnings).toEqual(
      expect.arrayContaining([
        { line: 4, message: expect.stringMatching(/Unknown key FOO/) },
        { line: 5, message: expect.stringMatching(/client_id should be written CLIENT_ID/) },
        { line: 7, message: expect.stringMatching(/DELEGATED_USER repeats line 6/) },
      ]),
    );
    expect(r.settings.loginUser).toBe("c@d.com");
  });

  it("joins a wrapped scope with a space and a wrapped URL without one", () => {
    const r = readImport(`${base}DELEGATED_USER = a@b.com\nDELEGATED_SCOPE = https://outlook.office365.com/SMTP.Send\noffline_access\n`, { format: "imail-config" });
    expect(r.settings.scope).toBe("https://outlook.office365.com/SMTP.Send offline_access");
    const u = readImport(`CLIENT_SECRET = s\nENDPOINT = https://graph.microsoft.com/v1.0/users/\n{FROM_ADDRESS}/sendMail\nSCOPE = x\n`, { format: "imail-config" });
    expect(u.settings.graphEndpoint).toBe("https://graph.microsoft.com/v1.0/users/{FROM_ADDRESS}/sendMail");
  });

  it("accepts a file pasted with its Markdown fences and drops the token cache with a warning", () => {
    const r = readImport("```\n" + `${base}DELEGATED_USER = a@b.com\nDELEGATED_TOKEN = abc\nDELEGATED_EXPIRY_TIME = 2026-01-01-10.00.00\n` + "```\n", { format: "imail-config" });
    expect(r.kind).toBe("m365-delegated");
    expect(r.warnings.some((w) => w.line === 6 && /token cache/.test(w.message))).toBe(true);
  });

  it("diagnose path: shows the doctor's findings on a config that would not validate", () => {
    const d = diagnoseImailConfig(`CLIENT_ID = ${CLIENT}\nTENANT_ID = ${TENANT}\nTOKEN_URL = https://login.microsoftonline.com/$TENANT_ID/oauth2/v2.0/token\nDELEGATED_USER = a@b.com\nDELEGATED_PASSWORD = x\nDELEGATED_SCOPE = https://graph.microsoft.com/.default\n`, { now: NOW });
    expect(d.kind).toBe("m365-delegated");
    const shell = d.findings.find((f) => f.ruleId === "token-url-shell-placeholder");
    expect(shell).toMatchObject({ severity: "error", code: "AADSTS900023", line: 3, key: "TOKEN_URL" });
    expect(d.findings.find((f) => f.ruleId === "delegated-scope-not-outlook")).toMatchObject({ line: 6, code: "535 5.7.139" });
    expect(d.importError).toMatch(/Line 3 \(TOKEN_URL\).*\{TENANT_ID\}/);
  });

  it("diagnose path: the mode-rule failures come back as findings, not exceptions", () => {
    expect(diagnoseImailConfig(`${base}`, { now: NOW }).findings.map((f) => f.ruleId)).toContain("imail-mode-neither");
    const app = diagnoseImailConfig(`${base}CLIENT_SECRET = s\nSCOPE = https://graph.microsoft.com/.default\n`, { now: NOW });
    expect(app.findings.find((f) => f.ruleId === "imail-app-scope-endpoint")?.problem).toMatch(/^SCOPE and ENDPOINT are required for application authentication: ENDPOINT is missing/);
    expect(app.importError).toMatch(/SCOPE and ENDPOINT are required for application authentication/);
  });
});

describe("IBM i JSON and Google key: the reference samples", () => {
  it("reads the microsoft_app sample (non-breaking-space indentation from the web page)", () => {
    const r = readImport(ref("reference-ibmi-office365.json"));
    expect(r.format).toBe("ibmi-json");
    expect(r.kind).toBe("m365-app-smtp");
    expect(r.settings).toMatchObject({ tenantId: "<tenant_id>", scope: "https://outlook.office365.com/.default", domain: "yourdomain.onmicrosoft.com" });
    expect(r.warnings.some((w) => /Non-breaking spaces/.test(w.message))).toBe(true);
  });

  it("imports the microsoft_app sample once the placeholders are supplied (yourdomain.onmicrosoft.com included), without a mailbox", () => {
    const issues = issuesOf(() => parseImport(ref("reference-ibmi-office365.json")));
    expect(issues.map((i) => [i.key, i.line, i.remedy?.kind])).toEqual([
      ["tenant_id", 3, "placeholder"],
      ["client_id", 4, "placeholder"],
      ["domain", 7, "placeholder"],
      ["client_secret", 5, "placeholder"],
    ]);
    const r = parseImport(ref("reference-ibmi-office365.json"), {
      overrides: { tenantId: TENANT, clientId: CLIENT, "secrets.clientSecret": SECRET.smtpAppClientSecret, domain: "contoso.onmicrosoft.com" },
    });
    expect(r.input.settings).toMatchObject({ kind: "m365-app-smtp", credentialType: "secret", domain: "contoso.onmicrosoft.com" });
    expect(r.input.settings).not.toHaveProperty("mailbox");
  });

  it("imports the microsoft_app sample byte for byte (non-breaking spaces, CRLF) without a mailbox: the IBM i SMTP server decides the sender", () => {
    for (const text of [filledRef("reference-ibmi-office365.json"), filledRef("reference-ibmi-office365.json").replace(/\n/g, "\r\n")]) {
      expect(text).toContain("\u00A0");
      const r = parseImport(text);
      expect(r.input.settings).toMatchObject({ kind: "m365-app-smtp", tenantId: TENANT, clientId: CLIENT, domain: "contoso.onmicrosoft.com" });
      expect(r.input.settings).not.toHaveProperty("mailbox");
      expect(r.warnings.filter((w) => /^Incomplete: Mailbox \(XOAUTH2 user\) \(mailbox\) is not set/.test(w.message))).toHaveLength(1);
    }
  });

  it("round trip: export(import(microsoft_app)) equals the sample (placeholders filled in, no mailbox)", () => {
    const filled = filledRef("reference-ibmi-office365.json");
    const r = parseImport(filled);
    const out = renderExport("ibmi-json", { settings: profileSettingsSchema.parse(r.input.settings), secrets: r.input.secrets, now: NOW });
    expect(JSON.parse(out.content)).toEqual(json(filled));
    expect(Object.keys(JSON.parse(out.content))).toEqual(Object.keys(json(filled)));
  });

  it("reads the Google sample and asks for the real key and the user to impersonate", () => {
    const r = readImport(ref("reference-ibmi-gmail.json"));
    expect(r.kind).toBe("google-service-account");
    expect(r.settings.domain).toBe("yourdomain.com");
    expect(() => parseImport(ref("reference-ibmi-gmail.json"))).toThrow(/Line 13 \(domain\) is the placeholder "yourdomain.com"/);
    expect(() => parseImport(ref("reference-ibmi-gmail.json"), { overrides: { domain: "contoso.com" } })).toThrow(/\(impersonateUser\) is required/);
    expect(() => parseImport(ref("reference-ibmi-gmail.json"), { overrides: { domain: "contoso.com", impersonateUser: "sender@contoso.com" } })).toThrow(/Line 6 \(client_email\): client_email must be the service account's email/);
    const ok = parseImport(ref("reference-ibmi-gmail.json"), { overrides: { domain: "contoso.com", impersonateUser: "sender@contoso.com", "secrets.serviceAccountKey": GOOGLE_SA_JSON } });
    expect(ok.input.settings).toMatchObject({ domain: "contoso.com", serviceAccountEmail: "ibmi-smtp-service@omc-test-project.iam.gserviceaccount.com" });
  });

  it("round trip: export(import(service_account + domain)) equals the sample (filled in with a real key)", () => {
    const key = JSON.parse(GOOGLE_SA_JSON) as Record<string, string>;
    const filled = JSON.stringify({ ...json(ref("reference-ibmi-gmail.json")), ...key, domain: "contoso.com" }, null, 1);
    const r = parseImport(filled, { overrides: { impersonateUser: "sender@contoso.com" } });
    const out = renderExport("ibmi-json", { settings: profileSettingsSchema.parse(r.input.settings), secrets: r.input.secrets, now: NOW });
    expect(JSON.parse(out.content)).toEqual(JSON.parse(filled));
  });

  it("a downloaded key without domain is a google-key import and needs domain + user", () => {
    expect(detectImportFormat(GOOGLE_SA_JSON)).toBe("google-key");
    const missing = issuesOf(() => parseImport(GOOGLE_SA_JSON)).filter((i) => i.remedy?.kind === "missing");
    expect(missing.map((i) => i.field).sort()).toEqual(["domain", "impersonateUser"]);
    const r = parseImport(GOOGLE_SA_JSON, { overrides: { domain: "example.org", impersonateUser: "sender@example.org" } });
    expect(r.format).toBe("google-key");
    expect(r.input.settings).toMatchObject({ kind: "google-service-account", serviceAccountClientId: "109876543210987654321" });
  });
});

describe("system properties and profile JSON", () => {
  it.each(["system-properties", "java-properties-list"] as const)("round trip through %s for both iMail kinds", (format) => {
    for (const kind of ["m365-delegated", "m365-app-graph"] as const) {
      const settings = storedSettings(kind);
      const secrets = { password: "pässword\\x", clientSecret: SECRET.graphClientSecret };
      const first = renderExport(format, { settings, secrets, now: NOW }).content;
      const parsed = parseImport(first, { name: settings.name });
      expect(parsed.format).toBe("system-properties");
      const again = renderExport(format, { settings: profileSettingsSchema.parse(parsed.input.settings), secrets: parsed.input.secrets, now: NOW }).content;
      expect(again).toBe(first);
    }
  });

  it("accepts the -D list wrapped in its ADDENVVAR command", () => {
    const list = renderExport("java-properties-list", { settings: storedSettings("m365-app-graph"), secrets: { clientSecret: "it''s" }, now: NOW }).content.trim();
    const cmd = `ADDENVVAR ENVVAR(QIBM_RPG_JAVA_PROPERTIES) VALUE('${list.replace(/'/g, "''")}') LEVEL(*JOB)`;
    expect(parseImport(cmd, { format: "system-properties" }).input.secrets).toEqual({ clientSecret: "it''s" });
  });

  it("round trip through the profile JSON for every kind, secrets only when included", () => {
    for (const kind of ["m365-delegated", "m365-app-graph", "m365-app-smtp", "m365-auth-code", "google-service-account", "oauth2-generic", "smtp-basic", "log-only"] as const) {
      const settings = storedSettings(kind);
      const noSecrets = renderExport("profile-json", { settings, now: NOW }).content;
      expect(JSON.parse(noSecrets).secrets).toBeUndefined();
      const r = readImport(noSecrets);
      expect(profileSettingsSchema.parse(r.settings)).toEqual(settings);
    }
  });
});

describe("malformed inputs: every error names the line or field and what was expected", () => {
  const ok = `CLIENT_ID = ${CLIENT}\nTENANT_ID = ${TENANT}\nTOKEN_URL = https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token\n`;
  const user = "DELEGATED_USER = a@b.com\nDELEGATED_PASSWORD = pw\n";
  const msApp = (o: Record<string, unknown>) => JSON.stringify({ type: "microsoft_app", tenant_id: TENANT, client_id: CLIENT, client_secret: "s", scope: "https://outlook.office365.com/.default", domain: "contoso.com", ...o }, null, 1);
  const key = JSON.parse(GOOGLE_SA_JSON) as Record<string, unknown>;
  const cases: Array<[string, string, ImportOptions & { format?: ImportFormatId }, RegExp]> = [
    ["iMail: neither user nor secret", ok, {}, /Either DELEGATED_USER or CLIENT_SECRET must be configured/],
    ["iMail: APP without SCOPE", `${ok}CLIENT_SECRET = s\nENDPOINT = https://graph.microsoft.com/v1.0/users/{FROM_ADDRESS}/sendMail\n`, {}, /line 4: SCOPE and ENDPOINT are required for application authentication/],
    ["iMail: APP without ENDPOINT", `${ok}CLIENT_SECRET = s\nSCOPE = https://graph.microsoft.com/.default\n`, {}, /SCOPE and ENDPOINT are required/],
    ["iMail: a line that is not KEY = VALUE", `just some text\n${ok}`, { format: "imail-config" }, /Line 1: expected KEY = VALUE/],
    ["iMail: $TENANT_ID", ok.replace("{TENANT_ID}", "$TENANT_ID") + user, {}, /Line 3 \(TOKEN_URL\).*\{TENANT_ID\}.*AADSTS900023/],
    ["iMail: ${TENANT_ID}", ok.replace("{TENANT_ID}", "${TENANT_ID}") + user, {}, /Line 3 \(TOKEN_URL\)/],
    ["iMail: CLIENT_ID not a GUID", ok.replace(CLIENT, "my-app") + user, {}, /Line 1 \(CLIENT_ID\).*GUID/],
    ["iMail: TENANT_ID invalid", ok.replace(TENANT, "not a tenant") + user, {}, /Line 2 \(TENANT_ID\).*Directory \(tenant\) ID/],
    ["iMail: DELEGATED_USER not an email", ok + "DELEGATED_USER = alice\nDELEGATED_PASSWORD = pw\n", {}, /Line 4 \(DELEGATED_USER\).*email/],
    ["iMail: no DELEGATED_PASSWORD", ok + "DELEGATED_USER = a@b.com\n", {}, /Password \(secrets\.password\) is required/],
    ["iMail: documentation placeholder", ok.replace(CLIENT, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx") + user, {}, /Line 1 \(CLIENT_ID\) is the placeholder/],
    ["iMail: APP with a placeholder secret", `${ok}CLIENT_SECRET = your-client-secret\nSCOPE = https://graph.microsoft.com/.default\nENDPOINT = https://graph.microsoft.com/v1.0/users/{FROM_ADDRESS}/sendMail\n`, {}, /Line 4 \(CLIENT_SECRET\) is the placeholder "your-client-secret"/],
    ["iMail: http token URL", ok.replace("https://", "http://") + user, {}, /Line 3 \(TOKEN_URL\).*https/],
    ["iMail: scope with commas", ok + user + "DELEGATED_SCOPE = a,b\n", {}, /Line 6 \(DELEGATED_SCOPE\).*spaces, not commas/],
    ["iMail: unknown placeholder in ENDPOINT", `${ok}CLIENT_SECRET = s\nSCOPE = https://graph.microsoft.com/.default\nENDPOINT = https://graph.microsoft.com/v1.0/users/{USER}/sendMail\n`, { overrides: { fromAddress: "a@b.com" } }, /Line 6 \(ENDPOINT\).*\{USER\}/],
    ["iMail: secret placeholder", ok + user + "CLIENT_SECRET = <CLIENT_SECRET>\n", {}, /Line 6 \(CLIENT_SECRET\) is the placeholder/],
    ["override: unknown field", ok + user, { overrides: { colour: "blue" } }, /m365-delegated profiles have no field "colour"/],
    ["override: unknown secret", ok + user, { overrides: { "secrets.pin": "1" } }, /Unknown secret "pin"/],
    ["override: kind", ok + user, { overrides: { kind: "log-only" } }, /kind cannot be set/],
    ["empty file", "   \n", {}, /The file is empty/],
    ["unrecognised text", "hello world\n", {}, /Cannot tell the format/],
    ["JSON: syntax error", '{\n "type": "microsoft_app",\n "tenant_id": \n}', {}, /line [34]/],
    ["JSON: not an object", "[1, 2]", { format: "ibmi-json" }, /JSON object/],
    ["JSON: type missing", '{ "tenant_id": "x" }', { format: "ibmi-json" }, /"type" \(line 1\) must be "microsoft_app" or "service_account" but is missing/],
    ["JSON: unknown type", '{ "type": "authorized_user" }', { format: "ibmi-json" }, /found "authorized_user"/],
    ["microsoft_app: no domain", msApp({ domain: undefined }), { overrides: { mailbox: "a@contoso.com" } }, /\(domain\) is required: the domain IBM i requires/],
    ["microsoft_app: bad domain", msApp({ domain: "not a domain" }), { overrides: { mailbox: "a@contoso.com" } }, /Line 7 \(domain\).*domain name/],
    ["microsoft_app: client_id not a GUID", msApp({ client_id: "abc" }), { overrides: { mailbox: "a@contoso.com" } }, /Line 4 \(client_id\).*GUID/],
    ["microsoft_app: tenant_id not a string", msApp({ tenant_id: 42 }), { overrides: { mailbox: "a@contoso.com" } }, /"tenant_id" \(line 3\) must be a string/],
    ["microsoft_app: no domain", msApp({ domain: undefined }), {}, /\(domain\) is required/],
    ["microsoft_app: no client_secret", msApp({ client_secret: undefined }), { overrides: { mailbox: "a@contoso.com" } }, /Client secret \(secrets\.clientSecret\) is required/],
    ["service_account: elided private key", JSON.stringify({ ...key, private_key: GOOGLE_PRIVATE_KEY_PLACEHOLDER, domain: "example.org" }, null, 1), { overrides: { impersonateUser: "a@example.org" } }, /Line 5 \(private_key\): Private key could not be parsed/],
    ["service_account: consumer user", GOOGLE_SA_JSON, { overrides: { domain: "gmail.com", impersonateUser: "someone@gmail.com" } }, /impersonateUser.*Google Workspace users/],
    ["service_account: no client_email", JSON.stringify({ ...key, client_email: undefined, domain: "example.org" }), { overrides: { impersonateUser: "a@example.org" } }, /client_email/],
    ["properties: mode missing", "imail.oauth.clientId=x\n", { format: "system-properties" }, /Unknown OAuth mode: imail\.oauth\.mode must be DELEGATE or APP \(it is not set\)/],
    ["properties: mode wrong", "imail.oauth.mode=BOTH\n", { format: "system-properties" }, /line 1: Unknown OAuth mode.*found "BOTH"/],
    ["-D list: bad option", "-Dimail.oauth.mode=APP;imail.oauth.clientId=x;", { format: "system-properties" }, /Option 2: expected -Dkey=value/],
    ["properties: bad port", `imail.oauth.mode=DELEGATE\nimail.oauth.clientId=${CLIENT}\nimail.oauth.tenantId=${TENANT}\nimail.oauth.user=a@b.com\nimail.oauth.password=x\nimail.smtp.port=seventy\n`, {}, /Line 6 \(imail\.smtp\.port\).*number/],
    ["profile JSON: wrong format", '{ "format": "other", "settings": {} }', {}, /"format" must be "oauth-mail-console\/profile"/],
    ["profile JSON: unsupported version", '{ "format": "oauth-mail-console/profile", "version": 2, "settings": { "kind": "log-only" } }', {}, /"version" 2 is not supported/],
    ["profile JSON: unknown kind", '{ "settings": { "kind": "exchange-ews" } }', {}, /settings\.kind must be one of/],
    ["profile JSON: invalid field", JSON.stringify({ settings: { kind: "log-only", name: "x", fromAddress: "nope" } }), {}, /settings\.fromAddress: From address must be an email/],
    ["profile JSON: secrets not an object", JSON.stringify({ settings: { kind: "log-only", name: "x", fromAddress: "a@b.com" }, secrets: "pw" }), {}, /"secrets" must be an object/],
  ];

  it("has at least 30 cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it.each(cases)("%s", (_name, text, options, expected) => {
    let caught: unknown;
    try {
      parseImport(text, options);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    const e = caught as AppError;
    expect(e.code).toBe("invalid_input");
    expect(e.userMessage).toMatch(expected);
    // Names where: a line, a key or a field.
    expect(e.userMessage).toMatch(/line \d+|option \d+|\b[A-Z_]{4,}\b|\b[a-z]+[A-Z][A-Za-z]+\b|"[a-z_]+"|--set|file is empty|Cannot tell the format|secrets|settings\./i);
  });
});

describe("import issues carry a structured remedy, worded by each surface", () => {
  const ok = `CLIENT_ID = ${CLIENT}\nTENANT_ID = ${TENANT}\n`;

  it("a missing value: the CLI says --set, the console says enter it below, the log neither", () => {
    const [issue] = issuesOf(() => parseImport(`${ok}DELEGATED_USER = a@b.com\n`)).filter((i) => i.field === "secrets.password");
    expect(issue).toMatchObject({ field: "secrets.password", label: "Password", remedy: { kind: "missing", field: "secrets.password" } });
    expect(describeImportIssue(issue, "cli")).toBe("secrets.password is required: this profile needs it but the file has none; supply it with --set secrets.password=…");
    expect(describeImportIssue(issue, "web")).toBe("Password is required: this profile needs it but the file has none; enter it under “Values the file does not contain”");
    expect(describeImportIssue(issue, "log")).toBe("Password (secrets.password) is required: this profile needs it but the file has none");
  });

  it("a placeholder: named by its line, the real value asked for on each surface", () => {
    const [issue] = issuesOf(() => parseImport(ok.replace(CLIENT, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx") + "DELEGATED_USER = a@b.com\nDELEGATED_PASSWORD = pw\n"));
    expect(issue).toMatchObject({ field: "clientId", line: 1, key: "CLIENT_ID", remedy: { kind: "placeholder", field: "clientId" } });
    expect(describeImportIssue(issue, "cli")).toMatch(/^Line 1 \(CLIENT_ID\) is the placeholder "x{8}-.*"; supply the real value with --set clientId=…$/);
    expect(describeImportIssue(issue, "web")).toMatch(/; enter the real value below or correct the file$/);
  });

  it("no message that lib writes carries a surface's wording", () => {
    for (const text of [ok, `${ok}DELEGATED_USER = a@b.com\n`, GOOGLE_SA_JSON, ok.replace(CLIENT, "<client_id>") + "DELEGATED_USER = a@b.com\nDELEGATED_PASSWORD = pw\n"]) {
      for (const i of issuesOf(() => parseImport(text))) expect(i.message).not.toMatch(/--set|enter it|below/);
    }
  });
});

describe("the client secret's expiry date (monitoring, issue 15)", () => {
  it("an import with a client secret but no expiry date asks for it; with the date it does not", () => {
    const cfg = `TENANT_ID = 7c0a6a1e-1d2b-4c3d-8e9f-0a1b2c3d4e5f\nCLIENT_ID = 3f2e1d0c-b9a8-4765-8432-10fedcba9876\nCLIENT_SECRET = s3cret-value\nSCOPE = https://graph.microsoft.com/.default\nENDPOINT = https://graph.microsoft.com/v1.0/users/{FROM_ADDRESS}/sendMail\n`;
    const without = parseImport(cfg, { format: "imail-config", overrides: { fromAddress: "noreply@contoso.com" } });
    expect(without.warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/expiry date \(secretExpiresAt\) is not set: add the Expires date/));
    expect(diagnoseImport(cfg, { format: "imail-config", overrides: { fromAddress: "noreply@contoso.com" } }).warnings.map((w) => w.message).join()).toMatch(/secretExpiresAt/);
    const withDate = parseImport(cfg, { format: "imail-config", overrides: { fromAddress: "noreply@contoso.com", secretExpiresAt: "2027-06-30" } });
    expect(withDate.warnings.map((w) => w.message).join()).not.toMatch(/expiry date is not set/);
  });
});
