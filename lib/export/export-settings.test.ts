import { describe, expect, it } from "vitest";
import { APP_CERT_PEM, fixtureProfile } from "@/tests/fixtures/profiles";
import { profileSettingsSchema, type ProfileKind, type ProfileSettings } from "../profiles/schema";
import { EXPORT_FORMATS, renderExport } from "./formats";
import { joinClStatements, lintCl } from "./cl-lint";
import { NOW, storedSettings } from "@/tests/fixtures/stored-settings";
import type { ExportFormatId, ExportInput } from "./types";

/** Another valid value for each setting (valid for every kind that has the field). */
const OTHER_VALUE: Record<string, unknown> = {
  name: "Other name",
  description: "another description",
  tenantId: "11111111-2222-4333-8444-555555555555",
  clientId: "99999999-8888-4777-8666-555555555555",
  tokenUrl: "https://login.example.net/token",
  credentialType: (s: Record<string, unknown>) => (s.credentialType === "certificate" ? { credentialType: "secret" } : { credentialType: "certificate", certificatePem: APP_CERT_PEM }),
  certificatePem: "skip",
  thumbprintHeader: ["x5t", "x5t#S256"],
  loginUser: "other.login@contoso.com",
  publicClient: "toggle",
  scope: "https://outlook.office365.com/SMTP.Send https://mail.google.com/ offline_access mail.send",
  fromAddress: "other.from@contoso.com",
  senderAddress: "other.sender@contoso.com",
  replyTo: "other.reply@contoso.com",
  smtpHost: "smtp.other.example",
  smtpPort: 2525,
  smtpSecurity: ["tls", "starttls"],
  imapHost: "imap.other.example",
  imapPort: 1993,
  imapSecurity: ["starttls", "tls"],
  graphEndpoint: "https://graph.example.net/v1.0/users/{FROM_ADDRESS}/sendMail",
  saveToSentItems: "toggle",
  mailbox: "other.mailbox@contoso.com",
  domain: "fabrikam.com",
  exchangeAuthorization: ["mailbox-permission", "rbac"],
  useSmtp: "toggle",
  useImap: "toggle",
  impersonateUser: "other.user@fabrikam.com",
  serviceAccountEmail: "other-sa@other-project.iam.gserviceaccount.com",
  serviceAccountClientId: "123456789012345678901",
  privateKeyId: "ffffffffffffffffffffffffffffffffffffffff",
  projectId: "other-project",
  authUri: "https://accounts.example.net/o/oauth2/auth",
  authProviderCertUrl: "https://certs.example.net/oauth2/v1/certs",
  clientCertUrl: "https://certs.example.net/robot/other",
  universeDomain: "example.net",
  grantType: ["client_credentials", "password"],
  clientAuth: ["client_secret_basic", "client_secret_post"],
  username: "other-user",
  mailUser: "other.mail@example.net",
  ibmiConfigFolder: "/other/folder",
  ibmiJsonPath: "/other/path/creds.json",
  ibmiAliasDomain: "alias.example.com",
  ibmiUserProfile: "OTHERUSR",
  ibmiAlias: "otheralias",
  ibmiTimeZone: "Asia/Tokyo",
  ibmiTestRecipient: "it.ops@fabrikam.com",
  ibmiOauthDebugLog: "toggle",
  secretExpiresAt: "2031-01-31",
};

function mutate(s: ProfileSettings, field: string): ProfileSettings | null {
  const current = (s as Record<string, unknown>)[field];
  let next = OTHER_VALUE[field];
  if (next === "skip") return null;
  if (next === "toggle") next = typeof current === "boolean" ? !current : undefined;
  if (Array.isArray(next)) next = next.find((v) => v !== current);
  if (next === undefined) return null;
  const patch = typeof next === "function" ? next(s) : { [field]: next };
  const r = profileSettingsSchema.safeParse({ ...s, ...patch });
  if (!r.success) throw new Error(`${s.kind}.${field}: ${r.error.issues[0].message}`);
  return r.data;
}

const OPTIONAL_IBMI = ["ibmiAliasDomain", "ibmiAlias", "ibmiUserProfile", "ibmiJsonPath", "ibmiTestRecipient", "ibmiConfigFolder"];

/** The fixture, and the fixture without its optional IBM i settings (so defaults show). */
function bases(kind: ProfileKind): ProfileSettings[] {
  const full = storedSettings(kind);
  const bare = Object.fromEntries(Object.entries(full).filter(([k]) => !OPTIONAL_IBMI.includes(k)));
  return [full, profileSettingsSchema.parse(bare)];
}

function rendered(format: ExportFormatId, kind: ProfileKind, settings: ProfileSettings, withSecrets: boolean): string {
  const p = fixtureProfile(kind);
  const input: ExportInput = withSecrets
    ? { settings, secrets: p.secrets, cachedToken: { accessToken: "eyJ0eXAiOiJKV1QifQ.e30.", expiresAt: new Date("2026-03-15T13:00:00Z") }, now: NOW }
    : { settings, now: NOW };
  const r = renderExport(format, input);
  return `${r.filename}\n${r.content}`;
}

/** The settings whose change changes the export (file name or content), with or without secrets. */
function settingsThatChange(format: ExportFormatId, kind: ProfileKind): { changed: Set<string>; tried: Set<string> } {
  const changed = new Set<string>();
  const tried = new Set<string>();
  for (const base of bases(kind)) {
    for (const field of Object.keys(OTHER_VALUE)) {
      const m = mutate(base, field);
      if (!m || !(field in m)) continue;
      tried.add(field);
      for (const secrets of [true, false]) if (rendered(format, kind, base, secrets) !== rendered(format, kind, m, secrets)) changed.add(field);
    }
  }
  return { changed, tried };
}

/**
 * What each export names, per kind: exactly these settings change it (its file name or content,
 * with or without secrets). profile-json carries every setting.
 */
const NAMES: Record<string, string> = {
  "imail-config m365-delegated": "name tenantId clientId tokenUrl loginUser publicClient scope ibmiConfigFolder ibmiTimeZone",
  "imail-config m365-app-graph": "name tenantId clientId tokenUrl scope graphEndpoint ibmiConfigFolder ibmiTimeZone",
  "imcfg1 m365-delegated": "name tenantId clientId loginUser publicClient fromAddress senderAddress replyTo smtpHost smtpPort ibmiConfigFolder",
  "imcfg1 m365-app-graph": "name tenantId clientId fromAddress senderAddress replyTo ibmiConfigFolder",
  "system-properties m365-delegated": "name tenantId clientId tokenUrl loginUser publicClient scope fromAddress smtpHost smtpPort ibmiTimeZone",
  "system-properties m365-app-graph": "name tenantId clientId tokenUrl scope fromAddress graphEndpoint ibmiTimeZone",
  "java-properties-list m365-delegated": "name tenantId clientId tokenUrl loginUser publicClient scope fromAddress smtpHost smtpPort ibmiTimeZone",
  "java-properties-list m365-app-graph": "name tenantId clientId tokenUrl scope fromAddress graphEndpoint ibmiTimeZone",
  "ibmi-json m365-app-smtp": "tenantId clientId scope domain ibmiJsonPath",
  "ibmi-json google-service-account": "tokenUrl domain serviceAccountEmail serviceAccountClientId privateKeyId projectId authUri authProviderCertUrl clientCertUrl universeDomain ibmiJsonPath",
  "ibmi-cl m365-app-smtp": "name smtpHost smtpPort mailbox domain ibmiJsonPath ibmiAliasDomain ibmiUserProfile ibmiAlias ibmiTestRecipient ibmiOauthDebugLog",
  "ibmi-cl google-service-account": "name smtpHost smtpPort impersonateUser domain ibmiJsonPath ibmiAliasDomain ibmiUserProfile ibmiAlias ibmiTestRecipient ibmiOauthDebugLog",
  "ibmi-clle m365-app-smtp": "name smtpHost smtpPort mailbox domain ibmiJsonPath ibmiAliasDomain ibmiUserProfile ibmiAlias ibmiTestRecipient ibmiOauthDebugLog",
  "ibmi-clle google-service-account": "name smtpHost smtpPort impersonateUser domain ibmiJsonPath ibmiAliasDomain ibmiUserProfile ibmiAlias ibmiTestRecipient ibmiOauthDebugLog",
  "exchange-powershell m365-delegated": "name loginUser fromAddress",
  "exchange-powershell m365-app-graph": "name clientId fromAddress senderAddress",
  // IBM i settings switch the Exchange authorization to RBAC for Applications (IBM's recipe).
  "exchange-powershell m365-app-smtp": "name clientId mailbox exchangeAuthorization ibmiJsonPath ibmiAliasDomain ibmiUserProfile",
  "exchange-powershell m365-auth-code": "name mailbox useSmtp useImap",
};

const CASES = EXPORT_FORMATS.flatMap((f) => f.kinds.map((kind) => ({ format: f.id, kind, key: `${f.id} ${kind}` })));
const computed = new Map<string, ReturnType<typeof settingsThatChange>>();
const changesOf = (format: ExportFormatId, kind: ProfileKind) => {
  const key = `${format} ${kind}`;
  if (!computed.has(key)) computed.set(key, settingsThatChange(format, kind));
  return computed.get(key)!;
};
const named = (key: string, format: ExportFormatId, kind: ProfileKind): string[] => (format === "profile-json" ? [...changesOf(format, kind).tried] : NAMES[key].split(" "));

describe("every setting an export names changes that export", () => {
  it("the table covers every format and kind", () => {
    expect(CASES.filter((c) => c.format !== "profile-json").map((c) => c.key).sort()).toEqual(Object.keys(NAMES).sort());
  });

  it.each(CASES.filter((c) => c.format !== "profile-json").flatMap((c) => NAMES[c.key].split(" ").map((field) => [c.format, c.kind, field] as const)))(
    "%s for %s: changing %s changes the export",
    (format, kind, field) => {
      expect(changesOf(format, kind).tried.has(field), `${field} could not be changed on ${kind}`).toBe(true);
      expect(changesOf(format, kind).changed.has(field)).toBe(true);
    },
  );

  it.each(CASES.map((c) => [c.format, c.kind, c.key] as const))("%s for %s: no setting it does not name changes it", (format, kind, key) => {
    expect([...changesOf(format, kind).changed].filter((f) => !named(key, format, kind).includes(f))).toEqual([]);
    if (format === "profile-json") expect([...changesOf(format, kind).changed].sort()).toEqual([...changesOf(format, kind).tried].sort());
  });
});

describe("IBM i CL settings (issue 11.6)", () => {
  const kinds = ["m365-app-smtp", "google-service-account"] as const;
  const joined = (text: string) => text.replace(/\+\n\s*/g, "");

  it.each(kinds)("%s: SNDSMTPEMM goes to the test recipient when one is set, else to the sender", (kind) => {
    for (const format of ["ibmi-cl", "ibmi-clle"] as const) {
      const withRecipient = joined(renderExport(format, { settings: storedSettings(kind, "p", { ibmiTestRecipient: "it.ops@fabrikam.com" }), now: NOW }).content);
      expect(withRecipient).toMatch(/SNDSMTPEMM\s+RCP\(\('it\.ops@fabrikam\.com' \*PRI\)\)/);
      const sender = kind === "m365-app-smtp" ? "sender@contoso.com" : "sender@example.org";
      expect(joined(renderExport(format, { settings: storedSettings(kind), now: NOW }).content)).toMatch(new RegExp(`SNDSMTPEMM\\s+RCP\\(\\('${sender.replace(/\./g, "\\.")}' \\*PRI\\)\\)`));
    }
  });

  it.each(kinds)("%s: the OAUTH_LOG_* variables are real commands before STRTCPSVR when the box is on, and absent when it is off", (kind) => {
    for (const format of ["ibmi-cl", "ibmi-clle"] as const) {
      const on = renderExport(format, { settings: storedSettings(kind, "p", { ibmiOauthDebugLog: true }), now: NOW });
      const { statements } = joinClStatements(on.content);
      const names = statements.map((st) => st.text.replace(/\s+/g, " "));
      const log = names.map((t, i) => [t, i] as const).filter(([t]) => /^ADDENVVAR ENVVAR\(OAUTH_LOG_/.test(t));
      expect(log.map(([t]) => t.match(/OAUTH_LOG_\w+/)![0])).toEqual(["OAUTH_LOG_LEVEL", "OAUTH_LOG_DEST", "OAUTH_LOG_FILE"]);
      const start = names.findIndex((t) => t.startsWith("STRTCPSVR"));
      expect(start).toBeGreaterThan(0);
      expect(log.every(([, i]) => i < start)).toBe(true);
      if (format === "ibmi-clle") expect(log.every(([t]) => t.includes("REPLACE(*YES)"))).toBe(true);
      expect(on.warnings.map((w) => w.message).join()).toMatch(/OAuth debug trace is on/);
      expect(lintCl(on.content, { clle: format === "ibmi-clle" })).toEqual([]);
      const off = renderExport(format, { settings: storedSettings(kind, "p", { ibmiOauthDebugLog: false }), now: NOW }).content;
      expect(joinClStatements(off).statements.some((st) => st.text.includes("OAUTH_LOG_"))).toBe(false);
      expect(off).not.toMatch(/ADDENVVAR ENVVAR\(OAUTH_LOG_/);
    }
  });
});
