import { describe, expect, it } from "vitest";
import { profileSettingsSchema } from "../profiles/schema";
import { fixtureProfile } from "@/tests/fixtures/profiles";
import { tokenScopeFor } from "./scope";

const settingsOf = (kind: Parameters<typeof fixtureProfile>[0]) => profileSettingsSchema.parse(fixtureProfile(kind).settings);

describe("tokenScopeFor", () => {
  it("auth-code: one token (one refresh token) for SMTP and IMAP", () => {
    const s = settingsOf("m365-auth-code");
    expect(tokenScopeFor(s, "smtp")).toBe(tokenScopeFor(s, "imap"));
    expect(tokenScopeFor(s, "smtp")).toContain("offline_access");
  });
  it("delegated: IMAP asks for IMAP.AccessAsUser.All on the same resource", () => {
    const s = settingsOf("m365-delegated");
    expect(tokenScopeFor(s, "smtp")).toBe("https://outlook.office365.com/SMTP.Send offline_access");
    expect(tokenScopeFor(s, "imap")).toBe("https://outlook.office365.com/IMAP.AccessAsUser.All offline_access");
  });
  it("app and Google kinds use the profile scope for every purpose", () => {
    expect(tokenScopeFor(settingsOf("m365-app-graph"), "graph")).toBe("https://graph.microsoft.com/.default");
    expect(tokenScopeFor(settingsOf("m365-app-smtp"), "imap")).toBe("https://outlook.office365.com/.default");
    expect(tokenScopeFor(settingsOf("google-service-account"), "smtp")).toBe("https://mail.google.com/");
  });
});
