import { describe, expect, it } from "vitest";
import { storedSettings } from "@/tests/fixtures/stored-settings";
import { getSetupGuide } from "../setup-guide/guide";
import type { ProfileKind, ProfileSettings } from "../profiles/schema";
import { RULES, hasErrors, runDoctor } from "./run";
import type { DoctorInput } from "./types";

const NOW = new Date("2026-03-15T12:00:00Z");
const TENANT = "7c0a6a1e-1d2b-4c3d-8e9f-0a1b2c3d4e5f";
const CLIENT = "3f2e1d0c-b9a8-4765-8432-10fedcba9876";

const SECRETS: Record<ProfileKind, DoctorInput["secretsSet"]> = {
  "m365-delegated": { password: true, clientSecret: true },
  "m365-app-graph": { clientSecret: true },
  "m365-app-smtp": { privateKey: true },
  "m365-auth-code": { clientSecret: true },
  "google-service-account": { serviceAccountKey: true },
  "oauth2-generic": { clientSecret: true, password: true },
  "smtp-basic": { password: true },
  "log-only": {},
};

/** A healthy profile of `kind` with `patch` applied to its settings / the input. */
function input(kind: ProfileKind, patch: Record<string, unknown> = {}, extra: Partial<DoctorInput> = {}): DoctorInput {
  const base = storedSettings(kind);
  // Healthy baselines: the delegated fixture sends from another address; make them equal here.
  const healthy: Record<string, unknown> = kind === "m365-delegated" ? { fromAddress: "sender@contoso.com" } : {};
  return { settings: { ...base, ...healthy, ...patch } as DoctorInput["settings"], secretsSet: SECRETS[kind], certificate: null, now: NOW, ...extra };
}
const claims = (c: Record<string, unknown>) => ({ decoded: true, tid: TENANT, appid: CLIENT, exp: NOW.getTime() / 1000 + 3600, ...c });
const imailSource = (fatal?: { message: string }) => ({ format: "imail-config" as const, raw: {}, sources: {}, fatal });

type Case = { rule: string; positive: DoctorInput; negative: DoctorInput };
const cases: Case[] = [
  { rule: "imail-mode-neither", positive: { ...input("m365-delegated"), settings: { name: "x" }, source: imailSource({ message: "Either DELEGATED_USER or CLIENT_SECRET must be configured" }) }, negative: { ...input("m365-delegated"), source: imailSource() } },
  { rule: "imail-app-scope-endpoint", positive: input("m365-app-graph", { scope: undefined }), negative: input("m365-app-graph") },
  { rule: "imail-unknown-mode", positive: { ...input("m365-delegated"), settings: { name: "x" }, source: { format: "system-properties", raw: {}, sources: {}, fatal: { message: 'Unknown OAuth mode: imail.oauth.mode must be DELEGATE or APP (found "X")' } } }, negative: { ...input("m365-delegated"), source: { format: "system-properties", raw: {}, sources: {} } } },
  { rule: "placeholder-values", positive: input("m365-delegated", { clientId: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" }), negative: input("m365-delegated") },
  { rule: "console-field-missing", positive: input("m365-app-smtp", { mailbox: undefined }), negative: input("m365-app-smtp") },
  { rule: "token-url-shell-placeholder", positive: input("m365-delegated", { tokenUrl: "https://login.microsoftonline.com/$TENANT_ID/oauth2/v2.0/token" }), negative: input("m365-delegated") },
  { rule: "token-url-tenant-placeholder-missing", positive: input("m365-app-graph", { tokenUrl: "https://login.microsoftonline.com/common/oauth2/v2.0/token" }), negative: input("m365-app-graph") },
  { rule: "tenant-id-missing", positive: input("m365-app-smtp", { tenantId: "" }), negative: input("m365-app-smtp") },
  { rule: "national-cloud-mismatch", positive: input("m365-app-smtp", { tokenUrl: "https://login.microsoftonline.us/{TENANT_ID}/oauth2/v2.0/token" }), negative: input("m365-app-smtp", { tokenUrl: "https://login.microsoftonline.us/{TENANT_ID}/oauth2/v2.0/token", scope: "https://outlook.office365.us/.default" }) },
  { rule: "delegated-scope-not-outlook", positive: input("m365-delegated", { scope: "https://graph.microsoft.com/SMTP.Send offline_access" }), negative: input("m365-delegated", { scope: "https://outlook.office.com/SMTP.Send offline_access" }) },
  { rule: "delegated-confidential-without-secret", positive: input("m365-delegated", { publicClient: false }, { secretsSet: { password: true } }), negative: input("m365-delegated", { publicClient: true }, { secretsSet: { password: true } }) },
  { rule: "delegated-password-missing", positive: input("m365-delegated", {}, { secretsSet: { clientSecret: true } }), negative: input("m365-delegated") },
  { rule: "delegated-mfa", positive: input("m365-delegated"), negative: input("m365-app-graph") },
  { rule: "delegated-from-differs", positive: input("m365-delegated", { fromAddress: "noreply@contoso.com" }), negative: input("m365-delegated") },
  { rule: "graph-scope", positive: input("m365-app-graph", { scope: "https://graph.microsoft.com/Mail.Send" }), negative: input("m365-app-graph") },
  { rule: "graph-endpoint-from-placeholder", positive: input("m365-app-graph", { graphEndpoint: "https://graph.microsoft.com/v1.0/users/noreply@contoso.com/sendMail" }), negative: input("m365-app-graph") },
  { rule: "microsoft-app-scope", positive: input("m365-app-smtp", { scope: "https://graph.microsoft.com/.default" }), negative: input("m365-app-smtp") },
  { rule: "microsoft-app-domain-missing", positive: input("m365-app-smtp", { domain: undefined }), negative: input("m365-app-smtp") },
  { rule: "ibmi-domain-aliasdmn-mismatch", positive: input("google-service-account", { ibmiAliasDomain: "other.org" }), negative: input("google-service-account") },
  { rule: "microsoft-app-certificate-on-ibmi", positive: input("m365-app-smtp"), negative: input("m365-app-smtp", { credentialType: "secret" }) },
  { rule: "google-domain-missing", positive: input("google-service-account", { domain: "" }), negative: input("google-service-account") },
  { rule: "google-consumer-account", positive: input("google-service-account", { impersonateUser: "someone@gmail.com" }), negative: input("google-service-account") },
  { rule: "google-user-outside-domain", positive: input("google-service-account", { impersonateUser: "sender@other.org" }), negative: input("google-service-account", { impersonateUser: "sender@mail.example.org" }) },
  { rule: "google-scope", positive: input("google-service-account", { scope: "https://www.googleapis.com/auth/gmail.send" }), negative: input("google-service-account") },
  { rule: "google-key-missing", positive: input("google-service-account", {}, { secretsSet: {} }), negative: input("google-service-account") },
  { rule: "auth-code-scopes", positive: input("m365-auth-code", { scope: "https://outlook.office365.com/SMTP.Send" }), negative: input("m365-auth-code") },
  { rule: "basic-auth-exchange-retired", positive: input("smtp-basic"), negative: input("smtp-basic", { smtpHost: "mail.example.net" }) },
  { rule: "client-secret-expiry", positive: input("m365-app-graph", { secretExpiresAt: "2026-04-01" }), negative: input("m365-app-graph", { secretExpiresAt: "2026-06-01" }) },
  { rule: "certificate-expiry", positive: input("m365-app-smtp", {}, { certificate: { notAfter: "2026-03-20T00:00:00.000Z" } }), negative: input("m365-app-smtp", {}, { certificate: { notAfter: "2036-11-19T10:28:01.000Z" } }) },
  { rule: "client-secret-is-secret-id", positive: input("m365-app-graph", {}, { secretShapes: { clientSecretLooksLikeSecretId: true } }), negative: input("m365-app-graph", {}, { secretShapes: { clientSecretLooksLikeSecretId: false } }) },
  { rule: "claims-tenant-mismatch", positive: input("m365-app-graph", {}, { claims: claims({ tid: "00000000-0000-0000-0000-000000000001", aud: "https://graph.microsoft.com", roles: ["Mail.Send"] }) }), negative: input("m365-app-graph", {}, { claims: claims({ aud: "https://graph.microsoft.com", roles: ["Mail.Send"] }) }) },
  { rule: "claims-client-mismatch", positive: input("m365-app-graph", {}, { claims: claims({ appid: "00000000-0000-0000-0000-000000000002", aud: "https://graph.microsoft.com", roles: ["Mail.Send"] }) }), negative: input("m365-app-graph", {}, { claims: claims({ aud: "https://graph.microsoft.com", roles: ["Mail.Send"] }) }) },
  { rule: "claims-graph-mail-send", positive: input("m365-app-graph", {}, { claims: claims({ aud: "https://graph.microsoft.com", roles: ["User.Read.All"] }) }), negative: input("m365-app-graph", {}, { claims: claims({ aud: "00000003-0000-0000-c000-000000000000", roles: ["Mail.Send"] }) }) },
  { rule: "claims-smtp-app", positive: input("m365-app-smtp", { ibmiJsonPath: undefined, ibmiAliasDomain: undefined, ibmiUserProfile: undefined }, { claims: claims({ aud: "https://outlook.office365.com", roles: [] }) }), negative: input("m365-app-smtp", { ibmiJsonPath: undefined, ibmiAliasDomain: undefined, ibmiUserProfile: undefined }, { claims: claims({ aud: "https://outlook.office365.com", roles: ["SMTP.SendAsApp"] }) }) },
  { rule: "claims-smtp-rbac-sendasapp", positive: input("m365-app-smtp", {}, { claims: claims({ aud: "https://outlook.office365.com", roles: ["SMTP.SendAsApp"] }) }), negative: input("m365-app-smtp", {}, { claims: claims({ aud: "https://outlook.office365.com", roles: [] }) }) },
  { rule: "claims-delegated-smtp-send", positive: input("m365-delegated", {}, { claims: claims({ aud: "https://outlook.office365.com", scp: "IMAP.AccessAsUser.All", upn: "sender@contoso.com" }) }), negative: input("m365-delegated", {}, { claims: claims({ aud: "https://outlook.office365.com", scp: "SMTP.Send", upn: "sender@contoso.com" }) }) },
  { rule: "claims-delegated-user-mismatch", positive: input("m365-delegated", {}, { claims: claims({ aud: "https://outlook.office365.com", scp: "SMTP.Send", upn: "other@contoso.com" }) }), negative: input("m365-delegated", {}, { claims: claims({ aud: "https://outlook.office365.com", scp: "SMTP.Send", upn: "SENDER@contoso.com" }) }) },
  { rule: "claims-expired", positive: input("m365-app-graph", {}, { claims: claims({ aud: "https://graph.microsoft.com", roles: ["Mail.Send"], exp: NOW.getTime() / 1000 - 60 }) }), negative: input("m365-app-graph", {}, { claims: claims({ aud: "https://graph.microsoft.com", roles: ["Mail.Send"] }) }) },
  { rule: "port-security-mismatch", positive: input("m365-delegated", { smtpPort: 465, smtpSecurity: "starttls" }), negative: input("m365-delegated", { smtpPort: 465, smtpSecurity: "tls" }) },
];

describe("doctor rules: one positive and one negative case each", () => {
  it("has a case for every rule", () => {
    expect(cases.map((c) => c.rule).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  it.each(cases.map((c) => [c.rule, c] as const))("%s", (rule, c) => {
    const pos = runDoctor(c.positive).filter((f) => f.ruleId === rule);
    expect(pos.length, `${rule} should fire`).toBeGreaterThan(0);
    for (const f of pos) expect(f.problem && f.why && f.fix && f.stepId && f.title).toBeTruthy();
    expect(runDoctor(c.negative).filter((f) => f.ruleId === rule), `${rule} should stay quiet`).toEqual([]);
  });
});

describe("doctor: specifics", () => {
  it("healthy fixtures of every kind have no errors (except basic auth against Exchange)", () => {
    for (const kind of ["m365-delegated", "m365-app-graph", "m365-auth-code", "google-service-account", "oauth2-generic", "log-only"] as const) {
      expect(runDoctor(input(kind)).filter((f) => f.severity === "error"), kind).toEqual([]);
    }
  });

  it("basic auth: a warning until the end of December 2026 (Microsoft's 27 Jan 2026 timeline), an error once it is off by default", () => {
    const rule = (now: string) => runDoctor(input("smtp-basic", {}, { now: new Date(now) })).find((f) => f.ruleId === "basic-auth-exchange-retired");
    // The old date (30 April 2026) no longer turns it into an error.
    for (const now of ["2026-01-10T00:00:00Z", "2026-05-01T00:00:00Z", "2026-11-30T12:00:00Z", "2026-12-30T12:00:00Z"]) expect(rule(now)?.severity, now).toBe("warning");
    expect(rule("2026-11-30T12:00:00Z")?.problem).toMatch(/end of December 2026 \(in 31 days\)/);
    const after = rule("2027-01-02T00:00:00Z");
    expect(after).toMatchObject({ severity: "error", code: "550 5.7.30" });
    expect(after?.problem).toMatch(/off by default since the end of December 2026.*tenant admin/);
    expect(after?.why).toMatch(/second half of 2027/);
    expect(hasErrors(runDoctor(input("smtp-basic", {}, { now: new Date("2027-01-02T00:00:00Z") })))).toBe(true);
    // Other servers are not Exchange Online.
    expect(runDoctor(input("smtp-basic", { smtpHost: "mail.example.net" }, { now: new Date("2027-01-02T00:00:00Z") })).find((f) => f.ruleId === "basic-auth-exchange-retired")).toBeUndefined();
  });

  it("clouds: only known Microsoft hosts of different clouds are a mismatch; test servers and proxies are not", () => {
    const cloud = (tokenUrl: string, patch: Record<string, unknown> = {}) => runDoctor(input("m365-app-graph", { tokenUrl, ...patch })).find((f) => f.ruleId === "national-cloud-mismatch");
    // Any token host that is not a Microsoft authority says nothing about the cloud.
    for (const host of ["https://127.0.0.1:8443/{TENANT_ID}/token", "https://idp-proxy.corp.example/{TENANT_ID}/oauth2/v2.0/token", "https://login.microsoftonline.com.evil.example/{TENANT_ID}/token"]) {
      expect(cloud(host), host).toBeUndefined();
    }
    expect(cloud("https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token")).toBeUndefined();
    expect(cloud("https://login.microsoftonline.us/{TENANT_ID}/oauth2/v2.0/token", { scope: "https://graph.microsoft.us/.default", graphEndpoint: "https://graph.microsoft.us/v1.0/users/{FROM_ADDRESS}/sendMail" })).toBeUndefined();
    // A known pair that disagrees, either way round, and a resource on an unknown host is no evidence.
    expect(cloud("https://login.microsoftonline.us/{TENANT_ID}/oauth2/v2.0/token")?.problem).toMatch(/login\.microsoftonline\.us is the US Government cloud, but graph\.microsoft\.com is the global cloud/);
    expect(cloud("https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token", { scope: "https://microsoftgraph.chinacloudapi.cn/.default" })).toMatchObject({ field: "settings.scope" });
    expect(cloud("https://login.microsoftonline.us/{TENANT_ID}/oauth2/v2.0/token", { scope: "https://graph.test.example/.default", graphEndpoint: "https://graph.test.example/v1.0/users/{FROM_ADDRESS}/sendMail" })).toBeUndefined();
  });

  it("secret and certificate expiry: error once expired, quiet beyond 30 days", () => {
    expect(runDoctor(input("m365-app-graph", { secretExpiresAt: "2026-03-01" })).find((f) => f.ruleId === "client-secret-expiry")).toMatchObject({ severity: "error", code: "AADSTS7000222" });
    expect(runDoctor(input("m365-app-smtp", {}, { certificate: { notAfter: "2026-03-01T00:00:00.000Z" } })).find((f) => f.ruleId === "certificate-expiry")?.severity).toBe("error");
    expect(runDoctor(input("m365-app-graph", { secretExpiresAt: "2026-04-14" })).find((f) => f.ruleId === "client-secret-expiry")?.severity).toBe("warning");
    expect(runDoctor(input("m365-app-graph", { secretExpiresAt: "2026-04-20" })).find((f) => f.ruleId === "client-secret-expiry")).toBeUndefined();
  });

  it("a hard-coded tenant in TOKEN_URL is only a note", () => {
    const f = runDoctor(input("m365-delegated", { tokenUrl: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token` })).find((x) => x.ruleId === "token-url-tenant-placeholder-missing");
    expect(f?.severity).toBe("info");
  });

  it("the from-address rule explains iMail's retry as the login user", () => {
    const f = runDoctor(input("m365-delegated", { fromAddress: "noreply@contoso.com" })).find((x) => x.ruleId === "delegated-from-differs");
    expect(f?.why).toMatch(/retries as the login user/);
  });

  it("every finding links to a step that the kind's setup guide has", () => {
    const facts = { tokenAcquired: false, sendSucceeded: false, imapSucceeded: false };
    for (const c of cases) {
      const kind = c.positive.settings.kind;
      if (!kind || c.positive.source) continue;
      const guide = getSetupGuide(c.positive.settings as unknown as ProfileSettings, facts);
      const ids = new Set(guide.steps.map((s) => s.id));
      for (const f of runDoctor(c.positive)) expect(ids.has(f.stepId as never), `${f.ruleId} → ${f.stepId} for ${kind}`).toBe(true);
    }
  });

  it("a crashing rule is reported, not thrown", () => {
    const bad = [{ id: "boom", severity: "error" as const, title: "t", why: "w", fix: "f", stepId: "console-profile", check: () => { throw new Error("kaput"); } }];
    expect(runDoctor(input("log-only"), bad)).toMatchObject([{ ruleId: "boom", severity: "info", problem: expect.stringMatching(/kaput/) }]);
  });
});
