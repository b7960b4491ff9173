import { describe, expect, it } from "vitest";
import { SECRET } from "@/tests/fixtures/profiles";
import { NOW, storedSettings } from "@/tests/fixtures/stored-settings";
import { COMPARE_FORMATS, compareExportText, renderCompareText, SECRET_MASK } from "./compare";
import { EXPORT_FORMATS, renderExport } from "./formats";
import { fixtureProfile } from "@/tests/fixtures/profiles";

const delegated = storedSettings("m365-delegated");
const secrets = { password: SECRET.delegatedPassword, clientSecret: SECRET.delegatedClientSecret };
const exported = (format: string, settings = delegated, s: Record<string, string> = secrets) => renderExport(format, { settings, secrets: s, now: NOW }).content;
const stored = Object.values(secrets);

function noSecretIn(result: unknown, values: string[]): void {
  const text = JSON.stringify(result);
  for (const v of values) expect(text).not.toContain(v);
}

describe("compareExportText: iMailOAuth.config", () => {
  const expected = exported("imail-config");

  it("the export itself with CRLF, trailing blanks, another key order and a wrapped TOKEN_URL is the same", () => {
    const lines = expected.split("\n").filter((l) => l && !l.startsWith("#"));
    const reordered = [...lines].reverse().map((l) => (l.startsWith("TOKEN_URL") ? `TOKEN_URL =\r\n${l.split("= ")[1]}` : `${l}   `));
    const r = compareExportText("imail-config", expected, reordered.join("\r\n") + "\r\n", stored);
    expect(r.identical, renderCompareText(r, { expected: "export", actual: "file" })).toBe(true);
    expect(r.counts.changed + r.counts.missing + r.counts.extra).toBe(0);
    expect(r.rows.find((x) => x.key === "DELEGATED_PASSWORD")).toMatchObject({ status: "same", secret: true });
    expect(r.ignored).toContain("the order of the keys");
    noSecretIn(r, [SECRET.delegatedPassword]);
  });

  it("names a different value, a missing key and an extra key; a different secret says only that it differs", () => {
    const pasted = expected
      .replace(/^TENANT_ID(\s*)= .*$/m, "TENANT_ID$1= 00000000-0000-0000-0000-000000000000")
      .replace(/^DELEGATED_USER.*\n/m, "")
      .replace(/^DELEGATED_PASSWORD(\s*)= .*$/m, "DELEGATED_PASSWORD$1= Another-Pasted-Password-123")
      .concat("ENDPOINT = https://graph.microsoft.com/v1.0/users/x/sendMail\n");
    const r = compareExportText("imail-config", expected, pasted, stored);
    expect(r.identical).toBe(false);
    expect(r.rows.find((x) => x.key === "TENANT_ID")).toMatchObject({ status: "changed", message: expect.stringMatching(/^TENANT_ID differs: export ".+", file "00000000-0000-0000-0000-000000000000"$/) });
    expect(r.rows.find((x) => x.key === "DELEGATED_USER")).toMatchObject({ status: "missing", message: expect.stringMatching(/^Missing key DELEGATED_USER/) });
    expect(r.rows.find((x) => x.key === "ENDPOINT")).toMatchObject({ status: "extra", message: expect.stringMatching(/^Extra key ENDPOINT/) });
    const pw = r.rows.find((x) => x.key === "DELEGATED_PASSWORD")!;
    expect(pw).toMatchObject({ status: "changed", secret: true, message: "DELEGATED_PASSWORD (secret) differs from the value stored in the console" });
    expect(pw.actual[0].text).toBe(`DELEGATED_PASSWORD = ${SECRET_MASK} (differs)`);
    noSecretIn(r, ["Another-Pasted-Password-123", SECRET.delegatedPassword]);
    noSecretIn(renderCompareText(r, { expected: "e", actual: "f" }), ["Another-Pasted-Password-123", SECRET.delegatedPassword]);
  });

  it("a secret wrapped onto the next line is compared joined and masked on every line", () => {
    const pasted = expected.replace(/^DELEGATED_PASSWORD(\s*)= (.*)$/m, (_m, sp: string, v: string) => `DELEGATED_PASSWORD${sp}= ${v.slice(0, 6)}\n${v.slice(6)}`);
    const r = compareExportText("imail-config", expected, pasted, stored);
    expect(r.rows.find((x) => x.key === "DELEGATED_PASSWORD")).toMatchObject({ status: "same" });
    noSecretIn(r, [SECRET.delegatedPassword, SECRET.delegatedPassword.slice(6)]);
  });

  it("iMail's token cache keys are reported as ignored, their token never shown", () => {
    const token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlLmNvbSJ9.c2lnbmF0dXJlLXBhcnQ";
    const r = compareExportText("imail-config", expected, `${expected}DELEGATED_TOKEN = ${token}\nDELEGATED_EXPIRY_TIME = 2026-11-30-10.00.00\n`, stored);
    expect(r.identical).toBe(true);
    expect(r.rows.find((x) => x.key === "DELEGATED_TOKEN")).toMatchObject({ status: "ignored", secret: true });
    noSecretIn(r, [token]);
  });

  it("the reference guide's file (CRLF, wrapped values, placeholders) against an export: each difference named, nothing echoed", async () => {
    const fs = await import("node:fs");
    const ref = fs.readFileSync(new URL("./__fixtures__/reference-imail-delegate.config", import.meta.url), "utf8").replace(/\n/g, "\r\n");
    const r = compareExportText("imail-config", expected, ref, stored);
    expect(r.rows.find((x) => x.key === "TOKEN_URL")).toMatchObject({ status: "same" });
    expect(r.rows.find((x) => x.key === "CLIENT_ID")).toMatchObject({ status: "changed" });
    expect(r.rows.find((x) => x.key === "DELEGATED_PASSWORD")).toMatchObject({ status: "changed", secret: true });
    noSecretIn(r, ["your-password"]);
  });

  it("refuses an unreadable pasted line naming the line, without quoting it", () => {
    const secretish = "Zx9-unreadable-fragment-of-a-secret";
    expect(() => compareExportText("imail-config", expected, `CLIENT_ID = x\n\n${secretish}\n`, stored)).toThrow(/^Line 3 of the pasted file cannot be read as imail-config: expected KEY = VALUE or a # comment$/);
  });
});

describe("compareExportText: properties, JSON, CL", () => {
  it("system properties: continuation lines and key order do not count; secrets masked", () => {
    const expected = exported("system-properties");
    const lines = expected.split("\n").filter((l) => l && !l.startsWith("#"));
    const pasted = [...lines].reverse().map((l) => (l.startsWith("imail.oauth.tokenUrl=") ? `imail.oauth.tokenUrl=${l.slice(21, 40)}\\\r\n    ${l.slice(40)}` : l)).join("\r\n");
    const r = compareExportText("system-properties", expected, pasted, stored);
    expect(r.identical, renderCompareText(r, { expected: "e", actual: "f" })).toBe(true);
    expect(r.rows.find((x) => x.key === "imail.oauth.password")).toMatchObject({ status: "same", secret: true });
    noSecretIn(r, stored);
  });

  it("IBM i JSON: layout and key order do not count; a different client_secret differs, masked", () => {
    const settings = storedSettings("m365-app-smtp");
    const s = { clientSecret: SECRET.graphClientSecret };
    const expected = exported("ibmi-json", settings, s);
    const obj = JSON.parse(expected) as Record<string, string>;
    const reordered = Object.fromEntries(Object.entries({ ...obj, client_secret: "Pasted~Secret~Value~1234567890" }).reverse());
    const r = compareExportText("ibmi-json", expected, JSON.stringify(reordered, null, 4).replace(/\n/g, "\r\n"), [SECRET.graphClientSecret]);
    expect(r.counts.changed).toBe(1);
    expect(r.rows.find((x) => x.key === "client_secret")).toMatchObject({ status: "changed", secret: true });
    noSecretIn(r, ["Pasted~Secret~Value~1234567890", SECRET.graphClientSecret]);
  });

  it("IBM i CL: runs of blanks and CRLF do not count; a changed command is paired with its line", () => {
    const settings = storedSettings("m365-app-smtp");
    const expected = renderExport("ibmi-cl", { settings, now: NOW }).content;
    const same = expected.split("\n").map((l) => l.replace(/ +/g, "   ")).join("\r\n");
    expect(compareExportText("ibmi-cl", expected, same).identical).toBe(true);
    const lines = expected.split("\n");
    const idx = lines.findIndex((l) => /CHGSMTPA/.test(l));
    lines[idx] = "CHGSMTPA AUTOSTART(*NO)";
    const r = compareExportText("ibmi-cl", expected, lines.join("\n"));
    expect(r.rows.filter((x) => x.status === "changed")).toEqual([expect.objectContaining({ actual: [{ line: idx + 1, text: "CHGSMTPA AUTOSTART(*NO)" }] })]);
  });
});

describe("every comparable format and kind", () => {
  const cases = EXPORT_FORMATS.filter((f) => (COMPARE_FORMATS as readonly string[]).includes(f.id)).flatMap((f) => f.kinds.map((kind) => [f.id, kind] as const));
  it.each(cases)("%s of %s compared with itself (CRLF) is the same, and nothing secret is in the result", (format, kind) => {
    const s = fixtureProfile(kind).secrets;
    const expected = renderExport(format, { settings: storedSettings(kind), secrets: s, now: NOW }).content;
    const r = compareExportText(format as never, expected, expected.replace(/\n/g, "\r\n"), Object.values(s));
    expect(r.identical, renderCompareText(r, { expected: "e", actual: "f" })).toBe(true);
    expect(r.counts.same).toBeGreaterThan(0);
    const text = JSON.stringify(r);
    for (const v of Object.values(s)) for (const line of v.split("\n").filter((l) => l.length >= 20 && !l.startsWith("-----"))) expect(text).not.toContain(line);
  });
});
