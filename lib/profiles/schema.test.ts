import { describe, expect, it } from "vitest";
import { fixtureProfile } from "@/tests/fixtures/profiles";
import { PROFILE_KINDS, profileInputSchema, profileSettingsSchema, secretsRequired, type ProfileKind } from "./schema";

function issuesOf(kind: ProfileKind, patch: Record<string, unknown>): { path: string; message: string }[] {
  const base = fixtureProfile(kind).settings;
  const res = profileSettingsSchema.safeParse({ ...base, ...patch });
  return res.success ? [] : res.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

describe("profile schemas", () => {
  it.each(PROFILE_KINDS)("accepts the fixture for %s and fills defaults", (kind) => {
    const res = profileInputSchema.safeParse(fixtureProfile(kind));
    expect(res.success, JSON.stringify(!res.success && res.error.issues)).toBe(true);
    expect(res.data!.settings.ibmiTimeZone).toBeDefined();
  });

  it("applies the documented defaults", () => {
    const s = profileSettingsSchema.parse({ kind: "m365-delegated", name: "d", tenantId: "contoso.onmicrosoft.com", clientId: "11111111-2222-3333-4444-555555555555", loginUser: "u@contoso.com" });
    expect(s).toMatchObject({ scope: "https://outlook.office365.com/SMTP.Send offline_access", smtpHost: "smtp.office365.com", smtpPort: 587, smtpSecurity: "starttls", imapHost: "outlook.office365.com", imapPort: 993, tokenUrl: "https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token", publicClient: true });
    const g = profileSettingsSchema.parse({ kind: "m365-app-graph", name: "g", tenantId: "contoso.onmicrosoft.com", clientId: "11111111-2222-3333-4444-555555555555", fromAddress: "a@contoso.com" });
    expect(g).toMatchObject({ scope: "https://graph.microsoft.com/.default", graphEndpoint: "https://graph.microsoft.com/v1.0/users/{FROM_ADDRESS}/sendMail", saveToSentItems: true, credentialType: "secret" });
    const a = profileSettingsSchema.parse({ kind: "m365-app-smtp", name: "a", tenantId: "contoso.onmicrosoft.com", clientId: "11111111-2222-3333-4444-555555555555", mailbox: "a@contoso.com", domain: "contoso.com" });
    expect(a).toMatchObject({ scope: "https://outlook.office365.com/.default" });
    const gs = profileSettingsSchema.parse({ kind: "google-service-account", name: "gs", impersonateUser: "a@example.org", domain: "example.org" });
    expect(gs).toMatchObject({ scope: "https://mail.google.com/", smtpHost: "smtp.gmail.com", smtpPort: 587, tokenUrl: "https://oauth2.googleapis.com/token" });
  });

  // One row per invalid field: the kind, the bad value, the field the error must name, and text it must say.
  const cases: [ProfileKind, Record<string, unknown>, string, RegExp][] = [
    ["m365-delegated", { name: "" }, "name", /Name is required/],
    ["m365-delegated", { name: "x".repeat(65) }, "name", /at most 64/],
    ["m365-delegated", { name: "-leading dash" }, "name", /must start with a letter or digit/],
    ["m365-delegated", { tenantId: "not a tenant" }, "tenantId", /Directory \(tenant\) ID GUID/],
    ["m365-delegated", { clientId: "1234" }, "clientId", /must be a GUID/],
    ["m365-delegated", { loginUser: "nobody" }, "loginUser", /email address/],
    ["m365-delegated", { tokenUrl: "https://login.microsoftonline.com/$TENANT_ID/oauth2/v2.0/token" }, "tokenUrl", /\{TENANT_ID\}, not \$TENANT_ID/],
    ["m365-delegated", { tokenUrl: "https://login.microsoftonline.com/${TENANT_ID}/oauth2/v2.0/token" }, "tokenUrl", /not \$\{TENANT_ID\}/],
    ["m365-delegated", { tokenUrl: "http://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token" }, "tokenUrl", /https/],
    ["m365-delegated", { tokenUrl: "https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token" }, "tokenUrl", /unknown placeholder \{TENANT\}/],
    ["m365-delegated", { tokenUrl: "not a url" }, "tokenUrl", /full URL/],
    ["m365-delegated", { scope: "a,b" }, "scope", /spaces, not commas/],
    ["m365-delegated", { smtpPort: 70000 }, "smtpPort", /between 1 and 65535/],
    ["m365-delegated", { smtpPort: "abc" }, "smtpPort", /must be a number/],
    ["m365-delegated", { smtpHost: "smtp://host" }, "smtpHost", /no scheme/],
    ["m365-delegated", { smtpSecurity: "none" }, "smtpSecurity", /starttls/],
    ["m365-delegated", { imapSecurity: "plain" }, "imapSecurity", /tls/],
    ["m365-delegated", { fromAddress: "x" }, "fromAddress", /email address/],
    ["m365-delegated", { replyTo: "x@" }, "replyTo", /email address/],
    ["m365-delegated", { publicClient: "maybe" }, "publicClient", /yes or no/],
    ["m365-delegated", { ibmiTimeZone: "Mars/Olympus" }, "ibmiTimeZone", /IANA/],
    ["m365-delegated", { ibmiConfigFolder: "home/imail" }, "ibmiConfigFolder", /absolute IFS path/],
    ["m365-delegated", { secretExpiresAt: "31/12/2026" }, "secretExpiresAt", /YYYY-MM-DD/],
    ["m365-app-graph", { fromAddress: "not-an-address" }, "fromAddress", /From address must be an email address/],
    ["m365-app-graph", { graphEndpoint: "https://graph.microsoft.com/v1.0/users/$FROM_ADDRESS/sendMail" }, "graphEndpoint", /\{FROM_ADDRESS\}/],
    ["m365-app-graph", { graphEndpoint: "https://graph.microsoft.com/v1.0/users/{TENANT_ID}/sendMail" }, "graphEndpoint", /unknown placeholder/],
    ["m365-app-graph", { credentialType: "certificate" }, "certificatePem", /Certificate is required/],
    ["m365-app-graph", { credentialType: "password" }, "credentialType", /client secret or a certificate/],
    ["m365-app-smtp", { certificatePem: "garbage" }, "certificatePem", /BEGIN CERTIFICATE/],
    ["m365-app-smtp", { mailbox: "no" }, "mailbox", /email address/],
    ["m365-app-smtp", { domain: "nodot" }, "domain", /domain name/],
    ["m365-app-smtp", { ibmiUserProfile: "1BADNAME" }, "ibmiUserProfile", /IBM i name/],
    ["m365-app-smtp", { ibmiAliasDomain: "bad domain" }, "ibmiAliasDomain", /domain name/],
    ["m365-app-smtp", { ibmiAlias: "has space" }, "ibmiAlias", /without spaces/],
    ["m365-app-smtp", { thumbprintHeader: "x5c" }, "thumbprintHeader", /x5t/],
    ["m365-auth-code", { mailbox: "" }, "mailbox", /email address/],
    ["m365-auth-code", { useImap: "sometimes" }, "useImap", /yes or no/],
    ["google-service-account", { impersonateUser: "someone@gmail.com" }, "impersonateUser", /Google Workspace users, not @gmail.com/],
    ["google-service-account", { domain: "" }, "domain", /domain name/],
    ["google-service-account", { tokenUrl: "https://oauth2.googleapis.com/{TENANT_ID}" }, "tokenUrl", /placeholders are not allowed/],
    ["oauth2-generic", { tokenUrl: "ftp://idp/token" }, "tokenUrl", /https/],
    ["oauth2-generic", { grantType: "implicit" }, "grantType", /client_credentials or password/],
    ["oauth2-generic", { clientAuth: "none" }, "clientAuth", /private_key_jwt/],
    ["oauth2-generic", { clientAuth: "private_key_jwt" }, "certificatePem", /private_key_jwt/],
    ["oauth2-generic", { username: undefined }, "username", /Username is required for the password grant/],
    ["oauth2-generic", { clientId: "" }, "clientId", /Client ID is required/],
    ["oauth2-generic", { mailUser: "x" }, "mailUser", /email address/],
    ["oauth2-generic", { smtpHost: undefined }, "smtpHost", /./],
    ["smtp-basic", { username: "" }, "username", /Username is required/],
    ["log-only", { fromAddress: "not-an-email" }, "fromAddress", /email address/],
    ["log-only", { kind: "carrier-pigeon" }, "kind", /Kind must be one of/],
  ];
  it.each(cases)("%s: %j → error on %s", (kind, patch, field, message) => {
    const issues = issuesOf(kind, patch);
    const hit = issues.find((i) => i.path === field);
    expect(hit, `issues: ${JSON.stringify(issues)}`).toBeDefined();
    expect(hit!.message).toMatch(message);
  });

  it("knows which secrets each kind requires", () => {
    const d = profileSettingsSchema.parse(fixtureProfile("m365-delegated").settings);
    expect(secretsRequired(d)).toEqual(["password", "clientSecret"]);
    expect(secretsRequired({ ...d, publicClient: true } as typeof d)).toEqual(["password"]);
    expect(secretsRequired(profileSettingsSchema.parse(fixtureProfile("m365-app-smtp").settings))).toEqual(["privateKey"]);
    expect(secretsRequired(profileSettingsSchema.parse(fixtureProfile("google-service-account").settings))).toEqual(["serviceAccountKey"]);
    expect(secretsRequired(profileSettingsSchema.parse(fixtureProfile("oauth2-generic").settings))).toEqual(["clientSecret", "password"]);
    expect(secretsRequired(profileSettingsSchema.parse(fixtureProfile("log-only").settings))).toEqual([]);
  });
});
