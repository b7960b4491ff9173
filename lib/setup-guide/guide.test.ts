import { describe, expect, it } from "vitest";
import { PROFILE_KINDS } from "../profiles/schema";
import { storedSettings } from "@/tests/fixtures/stored-settings";
import { runDoctor } from "../doctor/run";
import type { Finding } from "../doctor/types";
import { getSetupGuide, type ActivityFacts } from "./guide";
import { STEP } from "./step-ids";

const none: ActivityFacts = { tokenAcquired: false, sendSucceeded: false, imapSucceeded: false };

describe("guided setup", () => {
  it.each(PROFILE_KINDS)("%s: unique step ids, each from the known list, nothing verified without proof", (kind) => {
    const g = getSetupGuide(storedSettings(kind), none);
    const ids = g.steps.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => (Object.values(STEP) as string[]).includes(id))).toBe(true);
    expect(g.steps.some((s) => s.status === "verified")).toBe(false);
    expect(g.verified).toBe(0);
    for (const s of g.steps) expect(s.status).toBe(s.verifiedBy === null ? "manual" : "pending");
  });

  it("delegated: Azure steps in order, with the profile's values", () => {
    const g = getSetupGuide(storedSettings("m365-delegated"), none);
    expect(g.steps.map((s) => s.id).slice(0, 5)).toEqual([STEP.consoleProfile, STEP.azureRegisterApp, STEP.azureApiPermissions, STEP.azureAdminConsent, STEP.azureClientSecret]);
    const reg = g.steps.find((s) => s.id === STEP.azureRegisterApp)!;
    expect(reg.values).toContainEqual({ label: "Application (client) ID (CLIENT_ID)", value: "3f2e1d0c-b9a8-4765-8432-10fedcba9876" });
    expect(reg.values).toContainEqual({ label: "Token URL", value: "https://login.microsoftonline.com/7c0a6a1e-1d2b-4c3d-8e9f-0a1b2c3d4e5f/oauth2/v2.0/token" });
    // The fixture sends from noreply@ while logging in as sender@: the Send As step appears.
    expect(g.steps.find((s) => s.id === STEP.exchangeSendAs)?.instructions.join()).toMatch(/sender@contoso\.com.*noreply@contoso\.com/);
    const pub = getSetupGuide(storedSettings("m365-delegated", "p", { publicClient: true }), none);
    expect(pub.steps.map((s) => s.id)).toContain(STEP.azurePublicClient);
    expect(pub.steps.map((s) => s.id)).not.toContain(STEP.azureClientSecret);
  });

  it("Google: domain-wide delegation is filled with the client id and scope", () => {
    const g = getSetupGuide(storedSettings("google-service-account"), none);
    const dwd = g.steps.find((s) => s.id === STEP.googleDwd)!;
    expect(dwd.values).toEqual(expect.arrayContaining([{ label: "Client ID", value: "109876543210987654321" }, { label: "OAuth scopes", value: "https://mail.google.com/" }]));
    expect(g.steps.map((s) => s.id)).toEqual(expect.arrayContaining([STEP.googleProject, STEP.googleGmailApi, STEP.googleServiceAccount, STEP.ibmiDcm, STEP.ibmiJsonFile, STEP.ibmiSmtpSetup]));
  });

  it("app SMTP for IBM i: RBAC, service principal, DCM and a client secret for the IBM i when the console uses a certificate", () => {
    const ids = getSetupGuide(storedSettings("m365-app-smtp"), none).steps.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining([STEP.exchangeServicePrincipal, STEP.exchangeRbac, STEP.azureCertificate, STEP.azureClientSecret, STEP.ibmiDcm]));
    expect(ids).not.toContain(STEP.exchangeMailboxPermission);
  });

  it("marks steps verified from the activity facts", () => {
    const token = getSetupGuide(storedSettings("m365-app-graph"), { ...none, tokenAcquired: true });
    expect(token.steps.find((s) => s.id === STEP.azureRegisterApp)?.status).toBe("verified");
    expect(token.steps.find((s) => s.id === STEP.azureApiPermissions)?.status).toBe("pending");
    const sent = getSetupGuide(storedSettings("m365-app-graph"), { ...none, sendSucceeded: true });
    expect(sent.steps.filter((s) => s.verifiedBy).every((s) => s.status === "verified")).toBe(true);
    expect(sent.steps.find((s) => s.id === STEP.imailConfig)?.status).toBe("manual");
    expect(sent.verified).toBe(sent.verifiable);
    const imap = getSetupGuide(storedSettings("m365-auth-code", "a", { useSmtp: false }), { ...none, imapSucceeded: true });
    expect(imap.steps.find((s) => s.id === STEP.exchangeImap)?.status).toBe("verified");
  });

  it("auth code: the callback URL is filled in as redirect URI", () => {
    const g = getSetupGuide(storedSettings("m365-auth-code"), none, { callbackUrl: "https://console.example.com/api/oauth/callback" });
    expect(g.steps.find((s) => s.id === STEP.azureRedirectUri)?.values).toEqual([{ label: "Redirect URI", value: "https://console.example.com/api/oauth/callback" }]);
  });

  it("uses the doctor's facts: a step the doctor finds fault with is not verified, whatever proof there is", () => {
    // IBM i app SMTP follows RBAC for Applications: the token must NOT carry SMTP.SendAsApp.
    const settings = storedSettings("m365-app-smtp");
    const sent = { ...none, tokenAcquired: true, sendSucceeded: true };
    const findings = runDoctor({
      settings: settings as unknown as Parameters<typeof runDoctor>[0]["settings"],
      secretsSet: { privateKey: true },
      certificate: null,
      now: new Date("2026-03-15T12:00:00Z"),
      claims: { decoded: true, aud: "https://outlook.office365.com", roles: ["SMTP.SendAsApp"], tid: "7c0a6a1e-1d2b-4c3d-8e9f-0a1b2c3d4e5f", appid: "3f2e1d0c-b9a8-4765-8432-10fedcba9876" },
    });
    expect(findings.map((f) => f.ruleId)).toContain("claims-smtp-rbac-sendasapp");
    const g = getSetupGuide(settings, sent, { findings });
    const perms = g.steps.find((s) => s.id === STEP.azureApiPermissions)!;
    expect(perms.title).toMatch(/no SMTP\.SendAsApp/);
    expect(perms.status).toBe("attention");
    expect(perms.findings.map((f) => f.ruleId)).toEqual(["claims-smtp-rbac-sendasapp"]);
    expect(g.verified).toBeLessThan(g.verifiable);
    // Acknowledged, the finding no longer holds the step back.
    const acked: Finding[] = findings.map((f) => ({ ...f, acknowledged: { by: "alice", at: "2026-03-15T12:00:00.000Z", note: "" } }));
    expect(getSetupGuide(settings, sent, { findings: acked }).steps.find((s) => s.id === STEP.azureApiPermissions)?.status).toBe("verified");
  });

  it("manual steps count in the progress and are done only when ticked off", () => {
    const settings = storedSettings("m365-app-smtp");
    const all = { ...none, tokenAcquired: true, sendSucceeded: true };
    const g = getSetupGuide(settings, all);
    const manual = g.steps.filter((s) => s.verifiedBy === null);
    expect(manual.map((s) => s.id)).toEqual(expect.arrayContaining([STEP.ibmiDcm, STEP.ibmiJsonFile, STEP.ibmiSmtpSetup]));
    // Everything the console can verify is verified, yet the IBM i steps are open: not "all done".
    expect(g.verified).toBe(g.verifiable);
    expect(g.done).toBe(g.total - manual.filter((s) => !s.optional).length);
    expect(manual.every((s) => s.status === "manual")).toBe(true);
    const checks = Object.fromEntries(manual.map((s) => [s.id, { by: "alice", at: "2026-03-15T12:00:00.000Z" }]));
    const ticked = getSetupGuide(settings, all, { checks });
    expect(ticked.steps.filter((s) => s.verifiedBy === null).every((s) => s.status === "checked" && s.check?.by === "alice")).toBe(true);
    expect(ticked.done).toBe(ticked.total);
    // A tick on a step the console verifies is ignored: proof decides there.
    const bogus = getSetupGuide(settings, none, { checks: { [STEP.azureRegisterApp]: { by: "alice", at: "2026-03-15T12:00:00.000Z" } } });
    expect(bogus.steps.find((s) => s.id === STEP.azureRegisterApp)?.status).toBe("pending");
  });
});

