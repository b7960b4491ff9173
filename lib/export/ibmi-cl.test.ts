import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintCl } from "./cl-lint";
import { clString, formatClleCommand, renderIbmiCl, renderIbmiClle } from "./ibmi-cl";
import { renderExchangePowerShell, psString } from "./exchange-powershell";
import { renderExport, EXPORT_FORMATS, listExportFormats } from "./formats";
import { NOW, storedSettings } from "@/tests/fixtures/stored-settings";

const ibmiKinds = ["m365-app-smtp", "google-service-account"] as const;
// A mailbox with an apostrophe and long values: the worst case for quoting and 80-column wrapping.
const awkward = (kind: (typeof ibmiKinds)[number]) =>
  storedSettings(kind, "A very long profile name for testing the wrapping", {
    ibmiJsonPath: "/very/long/ifs/path/to/the/oauth/credentials/directory/for/obrien/office365-credentials.json",
    ibmiUserProfile: "OBRIEN",
    ibmiAlias: "o.brien",
    ...(kind === "m365-app-smtp" ? { mailbox: "o'brien@contoso.com" } : { impersonateUser: "o'brien@example.org" }),
  });

describe("CL lint", () => {
  it("accepts IBM's own client-setup commands from the reference document", () => {
    for (const f of ["reference-ibmi-cl-microsoft.txt", "reference-ibmi-cl-google.txt"]) {
      const text = fs.readFileSync(path.join(__dirname, "__fixtures__", f), "utf8");
      const commands = text
        .split("\n")
        .map((l) => l.replace(/\u00A0/g, " ").replace(/<--.*$/, "").trim())
        .filter((l) => /^[A-Z]{3,}\s/.test(l) && !l.endsWith(":"));
      expect(commands.length).toBeGreaterThanOrEqual(10);
      expect(lintCl(commands.join("\n"))).toEqual([]);
    }
  });

  it.each([
    ["unknown command", "ADDENVAR ENVVAR(X) VALUE('1')", /unknown command ADDENVAR/],
    ["unknown keyword", "ADDENVVAR ENVVAR(X) VALU('1')", /unknown keyword VALU/],
    ["unbalanced quote", "SNDSMTPEMM RCP(('a@b.c' *PRI)) NOTE('it's')", /unbalanced quotes/],
    ["missing parenthesis", "CHGSMTPA FWDHUBSVR('x'", /unbalanced parentheses/],
    ["extra parenthesis", "CHGSMTPA FWDHUBSVR('x'))", /unbalanced parentheses/],
    ["bad EXEC", "ADDUSRSMTP USRPRF(A)\nMONMSG MSGID(CPF0000) EXEC(CHGUSRSMT USRPRF(A))", /unknown command CHGUSRSMT/],
  ])("finds %s", (_n, src, expected) => {
    expect(lintCl(src).map((i) => i.message).join("\n")).toMatch(expected);
  });

  it("enforces the CLLE rules: 80 columns, PGM…ENDPGM, MONMSG after a command", () => {
    expect(lintCl(`PGM\nCHGSMTPA FWDHUBSVR('${"x".repeat(80)}')\nENDPGM`, { clle: true }).map((i) => i.message).join()).toMatch(/columns/);
    expect(lintCl("CHGSMTPA AUTOSTART(*YES)", { clle: true }).map((i) => i.message).join()).toMatch(/starts with PGM.*ends with ENDPGM|ends with ENDPGM/);
    expect(lintCl("PGM\nMONMSG MSGID(CPF0000)\nENDPGM", { clle: true }).map((i) => i.message).join()).toMatch(/MONMSG must follow/);
  });
});

describe("IBM i CL exports", () => {
  it.each(ibmiKinds)("the command list for %s lints clean and follows IBM's order", (kind) => {
    const out = renderIbmiCl({ settings: awkward(kind), now: NOW }).content;
    expect(lintCl(out)).toEqual([]);
    const order = ["ENDTCPSVR", "CHGSMTPA FWDHUBSVR", "ADDUSRSMTP", "QIBM_SMTP_SERVER_PORT", "QIBM_SMTP_MAILHUB_PORT", "QIBM_SMTP_RLY_TLS_FIRST) VALUE(YES_STARTTLS)", "STRTCPSVR", "CHGSMTPA OAUTH(", "SNDSMTPEMM"];
    const at = order.map((s) => out.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(out).toContain("OAUTH('/very/long/ifs/path/to/the/oauth/credentials/directory/for/obrien/office365-credentials.json' *ENABLE)");
    expect(out).toMatch(/RCP\(\('o''brien@(contoso\.com|example\.org)' \*PRI\)\)/);
  });

  it.each(ibmiKinds)("the CLLE member for %s lints clean, stays in 80 columns and is re-runnable", (kind) => {
    const out = renderIbmiClle({ settings: awkward(kind), now: NOW }).content;
    expect(lintCl(out, { clle: true })).toEqual([]);
    expect(Math.max(...out.split("\n").map((l) => l.length))).toBeLessThanOrEqual(80);
    const adds = out.match(/ADDENVVAR[\s\S]*?(?=\n\s*\n)/g) ?? [];
    expect(adds.filter((a) => !a.includes("/*")).every((a) => a.includes("REPLACE(*YES)"))).toBe(true);
    // Commands that fail on a second run are monitored.
    for (const cmd of ["ENDTCPSVR", "STRTCPSVR", "ADDUSRSMTP"]) expect(out).toMatch(new RegExp(`${cmd}[^\\n]*(\\n\\s+[^\\n]*\\+)*\\n[^\\n]*\\n?\\s*(/\\*[^\\n]*\\*/\\n\\s*)?MONMSG`));
    expect(out).toMatch(/EXEC\(CHGUSRSMTP USRPRF\(OBRIEN\)/);
    // Joined again ('+' drops the next line's leading blanks) the strings are intact.
    const joined = out.replace(/\+\n\s*/g, "");
    expect(joined).toContain("SUBJECT('Test from IBM i - profile A very long profile name for testing the wrapping')");
    expect(joined).toContain("OAUTH('/very/long/ifs/path/to/the/oauth/credentials/directory/for/obrien/office365-credentials.json' *ENABLE)");
    expect(joined).toMatch(/RCP\(\('o''brien@/);
  });

  it("formats a command with a string longer than a line by continuing inside the string", () => {
    const lines = formatClleCommand("SNDSMTPEMM", [`NOTE(${clString("word ".repeat(40).trim())})`]);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    expect(lines.slice(0, -1).every((l) => l.endsWith("+"))).toBe(true);
    expect(lintCl(["PGM", ...lines, "ENDPGM"].join("\n"), { clle: true })).toEqual([]);
  });
});

describe("Exchange PowerShell", () => {
  it("quotes values for PowerShell, typographic quotes included", () => {
    expect(psString("O'Brien’s")).toBe("'O''Brien’’s'");
  });

  it("app SMTP: RBAC active for IBM i profiles, mailbox permission otherwise", () => {
    const rbac = renderExchangePowerShell({ settings: storedSettings("m365-app-smtp"), now: NOW }).content;
    expect(rbac).toMatch(/^\s+New-ManagementRoleAssignment -Name 'IBMi-SMTP-RBAC' -Role "Application SMTP\.SendAsApp"/m);
    expect(rbac).toMatch(/^# Add-MailboxPermission/m);
    expect(rbac).toMatch(/New-ServicePrincipal -AppId \$AppId -ObjectId \$ObjectId/);
    expect(rbac).toMatch(/Enterprise Application|ENTERPRISE APPLICATION/);
    const plain = renderExchangePowerShell({ settings: storedSettings("m365-app-smtp", "plain", { ibmiJsonPath: undefined, ibmiAliasDomain: undefined, ibmiUserProfile: undefined }), now: NOW }).content;
    expect(plain).toMatch(/^Add-MailboxPermission -Identity \$Mailbox -User \$ObjectId -AccessRights FullAccess/m);
    expect(plain).toMatch(/^# {2}New-ManagementRoleAssignment|^# if \(-not \(Get-ManagementRoleAssignment/m);
  });

  it("Graph APP: an application access policy and its verification, no SMTP AUTH", () => {
    const out = renderExchangePowerShell({ settings: storedSettings("m365-app-graph"), now: NOW }).content;
    expect(out).toMatch(/New-ApplicationAccessPolicy -AppId \$AppId -PolicyScopeGroupId \$GroupSmtp -AccessRight RestrictAccess/);
    expect(out).toMatch(/Test-ApplicationAccessPolicy -Identity 'noreply@contoso.com' -AppId \$AppId/);
    expect(out).not.toMatch(/Set-CASMailbox/);
  });

  it("delegated: SMTP AUTH for the login user and Send As when the From address differs", () => {
    const out = renderExchangePowerShell({ settings: storedSettings("m365-delegated"), now: NOW }).content;
    expect(out).toMatch(/Set-CASMailbox -Identity \$Mailbox -SmtpClientAuthenticationDisabled \$false/);
    expect(out).toMatch(/Add-RecipientPermission -Identity 'noreply@contoso.com' -Trustee \$Mailbox -AccessRights SendAs/);
  });
});

describe("export registry", () => {
  it("lists a label, description, kinds and extension for every format, and renders each", () => {
    for (const f of EXPORT_FORMATS) {
      expect(f.label && f.description && f.extension && f.kinds.length).toBeTruthy();
      for (const k of f.kinds) expect(renderExport(f.id, { settings: storedSettings(k), now: NOW }).content.length).toBeGreaterThan(50);
    }
    expect(listExportFormats("log-only").map((f) => f.id)).toEqual(["profile-json"]);
  });

  it("refuses unknown formats and kinds without that export", () => {
    expect(() => renderExport("pdf", { settings: storedSettings("log-only"), now: NOW })).toThrow(/Unknown export format "pdf"/);
    expect(() => renderExport("imail-config", { settings: storedSettings("google-service-account"), now: NOW })).toThrow(/not available for google-service-account/);
  });

  it("writes placeholders unless secrets are included, and never leaks a secret into a no-secrets export", () => {
    const s = storedSettings("m365-app-graph");
    const without = renderExport("imail-config", { settings: s, now: NOW });
    expect(without.content).toMatch(/CLIENT_SECRET\s+= <CLIENT_SECRET>/);
    expect(without.warnings.map((w) => w.message).join()).toMatch(/placeholders/);
  });
});
