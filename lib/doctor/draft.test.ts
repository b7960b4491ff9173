import { describe, expect, it } from "vitest";
import { diagnoseDraft, draftCheckSchema } from "./draft";
import { RULES } from "./run";

const base = { secretsSet: [] as ("clientSecret" | "password")[], clientSecretLooksLikeSecretId: false };
const ids = (hints: { ruleId: string; field: string }[]) => hints.map((h) => `${h.ruleId}@${h.field}`);

describe("live validation runs the doctor's own rules on typed values", () => {
  it("flags 465 with STARTTLS and 587 with implicit TLS on the security field (SMTP and IMAP)", () => {
    const a = diagnoseDraft(draftCheckSchema.parse({ ...base, kind: "m365-delegated", values: { smtpPort: "465", smtpSecurity: "starttls", imapPort: "143", imapSecurity: "tls" } }));
    expect(ids(a)).toEqual(expect.arrayContaining(["port-security-mismatch@settings.smtpSecurity", "port-security-mismatch@settings.imapSecurity"]));
    const b = diagnoseDraft(draftCheckSchema.parse({ ...base, kind: "m365-delegated", values: { smtpPort: "587", smtpSecurity: "tls" } }));
    expect(ids(b)).toContain("port-security-mismatch@settings.smtpSecurity");
    const ok = diagnoseDraft(draftCheckSchema.parse({ ...base, kind: "m365-delegated", values: { smtpPort: "587", smtpSecurity: "starttls", imapPort: "993", imapSecurity: "tls" } }));
    expect(ids(ok).filter((i) => i.startsWith("port-security"))).toEqual([]);
  });

  it("flags a GUID pasted as the secret, $TENANT_ID, placeholders, a scope for the wrong resource, a user outside the domain", () => {
    const d = diagnoseDraft(
      draftCheckSchema.parse({
        secretsSet: ["clientSecret", "password"],
        clientSecretLooksLikeSecretId: true,
        kind: "m365-delegated",
        values: { tenantId: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", tokenUrl: "https://login.microsoftonline.com/$TENANT_ID/oauth2/v2.0/token", scope: "https://graph.microsoft.com/.default" },
      }),
    );
    expect(ids(d)).toEqual(expect.arrayContaining(["client-secret-is-secret-id@secrets.clientSecret", "token-url-shell-placeholder@settings.tokenUrl", "placeholder-values@settings.tenantId", "delegated-scope-not-outlook@settings.scope"]));
    const g = diagnoseDraft(draftCheckSchema.parse({ ...base, kind: "google-service-account", values: { impersonateUser: "sender@other.org", domain: "example.org" } }));
    expect(ids(g)).toContain("google-user-outside-domain@settings.impersonateUser");
  });

  it("is the doctor's rule list (the port rule is one of RULES), and takes no secret values", () => {
    expect(RULES.some((r) => r.id === "port-security-mismatch")).toBe(true);
    const parsed = draftCheckSchema.parse({ ...base, kind: "m365-app-graph", values: {}, clientSecret: "should-be-dropped" } as never);
    expect(JSON.stringify(parsed)).not.toContain("should-be-dropped");
    expect(draftCheckSchema.safeParse({ ...base, kind: "nope", values: {} }).success).toBe(false);
  });
});
