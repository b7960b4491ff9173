import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors";
import { joinClStatements, lintCl } from "@/lib/export/cl-lint";
import { EXPORT_FORMATS, renderExport } from "@/lib/export/formats";
import { readImailEntries } from "@/lib/export/imail-config";
import { parseImport, readImport } from "@/lib/export/import";
import { NOW, storedSettings } from "@/tests/fixtures/stored-settings";
import type { ExportFormatId, ExportInput } from "@/lib/export/types";
import { CONTROL_CHARS, PROFILE_KINDS, profileSettingsSchema, type ProfileKind, type ProfileSettings } from "@/lib/profiles/schema";
import { fixtureProfile } from "@/tests/fixtures/profiles";

/**
 * Issue 12.5: no setting may start a new line, key, command or statement in any export.
 * Property: for every kind, any setting string field set to a value built from hostile fragments
 * either is refused by the profile schema, or — once stored — renders in every export format of
 * that kind (with and without secrets) with the same structure as a harmless value: the same
 * lines, the same keys (iMailOAuth.config, .properties, -D list, JSON), the same CL commands
 * (and a clean CL lint), the same PowerShell statements. A renderer may refuse a value (AppError);
 * it may never write it in a way that changes the structure.
 */

/** Where each string setting gets the hostile text, so that the rest of the value is valid. */
const TEMPLATE: Record<string, (x: string) => string> = {
  name: (x) => `n${x}`,
  description: (x) => x,
  tenantId: (x) => `contoso${x}.onmicrosoft.com`,
  clientId: (x) => `client${x}`,
  tokenUrl: (x) => `https://idp.example.net/${x}`,
  graphEndpoint: (x) => `https://graph.microsoft.com/v1.0/users/{FROM_ADDRESS}/sendMail${x}`,
  scope: (x) => `https://outlook.office365.com/.default${x}`,
  loginUser: (x) => `a${x}@contoso.com`,
  fromAddress: (x) => `f${x}@contoso.com`,
  senderAddress: (x) => `s${x}@contoso.com`,
  replyTo: (x) => `r${x}@contoso.com`,
  mailbox: (x) => `m${x}@contoso.com`,
  impersonateUser: (x) => `i${x}@example.org`,
  mailUser: (x) => `u${x}@example.net`,
  ibmiTestRecipient: (x) => `t${x}@example.org`,
  serviceAccountEmail: (x) => `sa${x}@p.iam.gserviceaccount.com`,
  domain: (x) => `d${x}.example.org`,
  ibmiAliasDomain: (x) => `a${x}.example.org`,
  smtpHost: (x) => `smtp${x}.example.net`,
  imapHost: (x) => `imap${x}.example.net`,
  ibmiConfigFolder: (x) => `/home/${x}`,
  ibmiJsonPath: (x) => `/oauth/${x}`,
  ibmiUserProfile: (x) => `U${x}`,
  ibmiAlias: (x) => `a${x}`,
  username: (x) => `user${x}`,
  serviceAccountClientId: (x) => `1098765432${x}`,
  privateKeyId: (x) => `k${x}`,
  projectId: (x) => `p${x}`,
  authUri: (x) => `https://accounts.example.net/${x}`,
  authProviderCertUrl: (x) => `https://certs.example.net/${x}`,
  clientCertUrl: (x) => `https://certs.example.net/robot/${x}`,
  universeDomain: (x) => `u${x}`,
};

/** Fragments that start a line, key, option, command or statement in one of the formats. */
const HOSTILE = [
  "\nTOKEN_URL = https://evil.example/token",
  "\r\nCLIENT_ID = evil",
  "\rDELEGATED_USER=evil@evil.example",
  "\u2028",
  "\u2029",
  "\u0085",
  "\u000b",
  "\f",
  "\t",
  "\u0000",
  "x*/DLTLIB/**/PRODLIB/*",
  "*/ DLTLIB LIB(PRODLIB) /*",
  "*/",
  "/*",
  ";-Dimail.oauth.tokenUrl=https://evil.example/",
  ";",
  "'",
  "''",
  "\u2019",
  '"',
  "`",
  "$(Remove-Item C:\\ -Recurse)",
  "${env:PATH}",
  "\n# ",
  "#",
  "!",
  "=",
  ":",
  "\\",
  "\\n",
  "\\u000a",
  "+",
  "-",
  " ",
  ")",
  "(",
  "}",
  "{",
  ",",
  '","evil":"',
  "\nCHGSMTPA OAUTH('/evil.json' *ENABLE)",
  "\nADDENVVAR ENVVAR(X) VALUE('1')",
  "\nRemove-Mailbox -Identity ceo@contoso.com",
];
const hostileText = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE) }, { weight: 1, arbitrary: fc.string({ maxLength: 4 }) }, { weight: 1, arbitrary: fc.constantFrom("a", "b", "1", ".", "/") }), {
    minLength: 1,
    maxLength: 5,
  })
  .map((parts) => parts.join(""));

/** The string settings a kind has: those a harmless value is kept for. */
const fieldsOf = (kind: ProfileKind) =>
  Object.keys(TEMPLATE).filter((f) => {
    const r = profileSettingsSchema.safeParse({ ...storedSettings(kind), [f]: TEMPLATE[f]("ok") });
    return r.success && (r.data as Record<string, unknown>)[f] !== undefined;
  });

function exportInput(kind: ProfileKind, settings: ProfileSettings, withSecrets: boolean): ExportInput {
  if (!withSecrets) return { settings, now: NOW };
  return { settings, secrets: fixtureProfile(kind).secrets, cachedToken: { accessToken: "eyJ0eXAiOiJKV1QifQ.e30.", expiresAt: new Date("2026-03-15T13:00:00Z") }, now: NOW };
}

/** PowerShell statements without their literals and comments: what the script does. */
function psSkeleton(text: string): string[] {
  return text.split("\n").map((line) => {
    let out = "";
    let quote = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quote) {
        if (/['\u2018\u2019\u201A\u201B]/.test(ch)) {
          if (/['\u2018\u2019\u201A\u201B]/.test(line[i + 1] ?? "")) i++;
          else {
            quote = false;
            out += "'";
          }
        }
        continue;
      }
      if (ch === "#") break;
      if (/['\u2018\u2019\u201A\u201B]/.test(ch)) {
        quote = true;
        out += "'";
        continue;
      }
      out += ch;
    }
    return out.trimEnd();
  });
}

const keysOf = (o: unknown): string[] => (o && typeof o === "object" && !Array.isArray(o) ? Object.entries(o).flatMap(([k, v]) => [k, ...keysOf(v).map((x) => `${k}.${x}`)]) : []);

/** The structure of an export that no setting may change. */
function structure(format: ExportFormatId, content: string): unknown {
  const lines = content.split(/\r\n|\r|\n|\u2028|\u2029|\u0085/);
  switch (format) {
    case "imail-config":
      return { lines: lines.length, keys: [...readImailEntries(content).entries.keys()].sort() };
    case "system-properties":
    case "java-properties-list":
      return { lines: lines.length, keys: Object.keys(readImport(content, { format: "system-properties" }).raw).sort() };
    case "ibmi-json":
    case "profile-json":
      return { lines: lines.length, keys: keysOf(JSON.parse(content)).sort() };
    case "ibmi-cl":
    case "ibmi-clle": {
      const issues = lintCl(content, { clle: format === "ibmi-clle" });
      const commands = joinClStatements(content).statements.map((s) => s.text.match(/^[A-Z]+/i)?.[0]);
      // The key-in list has one command or comment per line; the CLLE member wraps long values.
      return { issues, commands, ...(format === "ibmi-cl" ? { lines: lines.length } : {}) };
    }
    case "exchange-powershell":
      return { lines: lines.length, statements: psSkeleton(content) };
    case "imcfg1":
      return { lines: lines.length };
  }
}

function checkAllExports(kind: ProfileKind, injected: ProfileSettings, harmless: ProfileSettings): void {
  for (const format of EXPORT_FORMATS.filter((f) => f.kinds.includes(kind))) {
    for (const withSecrets of [false, true]) {
      const expected = structure(format.id, renderExport(format.id, exportInput(kind, harmless, withSecrets)).content);
      let content: string;
      try {
        content = renderExport(format.id, exportInput(kind, injected, withSecrets)).content;
      } catch (error) {
        // Refusing a value it cannot carry is allowed; crashing is not.
        if (isAppError(error) && error.code === "invalid_input") continue;
        throw error;
      }
      expect(structure(format.id, content), `${format.id} (${withSecrets ? "with" : "without"} secrets)`).toEqual(expected);
    }
  }
}

describe("export injection (issue 12.5)", () => {
  it.each(PROFILE_KINDS)("%s: no setting can start a new line, key, command or statement in any export", (kind) => {
    const fields = fieldsOf(kind);
    const base = storedSettings(kind);
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...fields), hostileText, (field, text) => {
        const value = TEMPLATE[field](text);
        const parsed = profileSettingsSchema.safeParse({ ...base, [field]: value });
        if (!parsed.success) return;
        const stored = (parsed.data as Record<string, unknown>)[field];
        // Whatever the schema keeps is free of control characters (line breaks only in the description).
        if (typeof stored === "string" && field !== "description") expect(stored).not.toMatch(CONTROL_CHARS);
        const harmless = profileSettingsSchema.parse({ ...base, [field]: TEMPLATE[field]("ok") });
        accepted++;
        checkAllExports(kind, parsed.data, harmless);
      }),
      { numRuns: 300, seed: Number(process.env.FC_SEED ?? 20261130) },
    );
    // The property must exercise exports, not only the schema's refusals.
    expect(accepted).toBeGreaterThan(20);
  });

  it("refuses control characters in every setting string, naming the field", () => {
    for (const kind of PROFILE_KINDS) {
      const base = storedSettings(kind);
      for (const field of fieldsOf(kind).filter((f) => f !== "description")) {
        for (const ch of ["\n", "\r", "\u0000", "\u001b", "\u007f", "\u0085", "\u2028", "\t"]) {
          const r = profileSettingsSchema.safeParse({ ...base, [field]: TEMPLATE[field](`x${ch}y`) });
          expect(r.success, `${kind}.${field} accepted U+${ch.charCodeAt(0).toString(16)}`).toBe(false);
        }
      }
    }
    const r = profileSettingsSchema.safeParse({ ...storedSettings("m365-delegated"), tokenUrl: "https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token\nTOKEN_URL = https://evil.example/token" });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toContain("tokenUrl: Token URL must be one line: it contains a line break (U+000A)");
    // The description may have lines (a textarea), but no other control characters.
    expect(profileSettingsSchema.safeParse({ ...storedSettings("log-only"), description: "first\nsecond" }).success).toBe(true);
    expect(profileSettingsSchema.safeParse({ ...storedSettings("log-only"), description: "bell\u0007" }).success).toBe(false);
  });

  it("the reported attacks: a second TOKEN_URL through a .properties \\n escape, a CL comment closed by the alias, a line break in the JSON path", () => {
    const props = [
      "imail.oauth.mode=DELEGATE",
      "imail.oauth.clientId=3f2e1d0c-b9a8-4765-8432-10fedcba9876",
      "imail.oauth.tenantId=7c0a6a1e-1d2b-4c3d-8e9f-0a1b2c3d4e5f",
      "imail.oauth.tokenUrl=https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token\\nTOKEN_URL = https://evil.example/token",
      "imail.oauth.user=sender@contoso.com",
      "imail.oauth.password=pw",
    ].join("\n");
    let refused: unknown;
    try {
      parseImport(props, { format: "system-properties", name: "inj" });
    } catch (error) {
      refused = error;
    }
    expect(isAppError(refused) && refused.userMessage).toMatch(/imail\.oauth\.tokenUrl.*Token URL must be one line/s);

    const alias = storedSettings("m365-app-smtp", "p", { ibmiAlias: "x*/DLTLIB/**/PRODLIB/*" });
    for (const format of ["ibmi-cl", "ibmi-clle"] as const) {
      const out = renderExport(format, { settings: alias, now: NOW }).content;
      expect(lintCl(out, { clle: format === "ibmi-clle" })).toEqual([]);
      expect(joinClStatements(out).statements.some((s) => /DLTLIB/i.test(s.text.split("'").filter((_, i) => i % 2 === 0).join("")))).toBe(false);
      // The value is still shown (quoted in ALIAS, neutralised in the comment).
      expect(out).toContain("ALIAS('x*/DLTLIB/**/PRODLIB/*')");
    }
    expect(profileSettingsSchema.safeParse({ ...storedSettings("m365-app-smtp"), ibmiJsonPath: "/oauth/o.json\nDLTLIB LIB(PRODLIB)" }).success).toBe(false);
  });
});
