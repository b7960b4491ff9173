import { describe, expect, it } from "vitest";
import { sendTargetOf, imapTargetOf } from "../mail/targets";
import { renderExport } from "../export/formats";
import { NOW, storedSettings } from "@/tests/fixtures/stored-settings";
import { accountOf, profileSettingsSchema, type ProfileKind } from "./schema";
import { incompleteDetail, missingConsoleFields } from "./completeness";

/**
 * iMail's APP config names no From address and IBM i's office365.json no mailbox: the schema
 * accepts these kinds without them, the profile is incomplete, the send target asks for a From
 * address, and every export of the kind still renders (with the placeholder the target expects).
 */

const without = (kind: ProfileKind, field: string) => {
  const s = { ...storedSettings(kind) } as Record<string, unknown>;
  delete s[field];
  return profileSettingsSchema.parse(s);
};

describe("console-only fields", () => {
  it.each([
    ["m365-app-graph", "fromAddress"],
    ["m365-app-smtp", "mailbox"],
  ] as const)("%s validates without %s and is incomplete until it is set", (kind, field) => {
    const s = without(kind, field);
    expect(missingConsoleFields(s).map((m) => m.field)).toEqual([field]);
    expect(incompleteDetail(s)).toContain(`(${field}) is not set`);
    expect(accountOf(s)).toBe("");
    expect(missingConsoleFields(storedSettings(kind))).toEqual([]);
    expect(incompleteDetail(storedSettings(kind))).toBe("");
    const target = sendTargetOf(s);
    expect(target.transport).not.toBeNull();
    if (target.transport === null) return;
    expect(target).toMatchObject({ defaultFrom: "", missing: { field } });
    expect(target.fromHelp).toMatch(/enter the mailbox to send as here/i);
  });

  it("other kinds keep their sender required (log-only needs its From address)", () => {
    const s = { ...storedSettings("log-only") } as Record<string, unknown>;
    delete s.fromAddress;
    expect(profileSettingsSchema.safeParse(s).success).toBe(false);
    const a = { ...storedSettings("m365-auth-code") } as Record<string, unknown>;
    delete a.mailbox;
    expect(profileSettingsSchema.safeParse(a).success).toBe(false);
  });

  it("an IBM i profile without a mailbox has no IMAP target (no user to sign in as)", () => {
    expect(imapTargetOf(without("m365-app-smtp", "mailbox"))).toBeNull();
  });

  it.each([
    ["m365-app-graph", "fromAddress", "imail-config", /ENDPOINT\s*=\s*https:\/\/graph\.microsoft\.com\/v1\.0\/users\/\{FROM_ADDRESS\}\/sendMail/, false],
    ["m365-app-graph", "fromAddress", "system-properties", /\{FROM_ADDRESS\}/, false],
    ["m365-app-graph", "fromAddress", "exchange-powershell", /\$Mailbox = '<MAILBOX>'/, true],
    ["m365-app-smtp", "mailbox", "ibmi-json", /"domain"/, false],
    ["m365-app-smtp", "mailbox", "ibmi-cl", /<MAILBOX>/, true],
    ["m365-app-smtp", "mailbox", "ibmi-clle", /<MAILBOX>/, true],
    ["m365-app-smtp", "mailbox", "exchange-powershell", /\$Mailbox = '<MAILBOX>'/, true],
  ] as const)("%s without %s: %s still renders", (kind, field, format, expected, warns) => {
    const out = renderExport(format, { settings: without(kind, field), now: NOW });
    expect(out.content).toMatch(expected);
    expect(out.content).not.toMatch(/undefined/);
    expect(out.warnings.some((w) => w.message.includes("<MAILBOX>"))).toBe(warns);
  });
});
