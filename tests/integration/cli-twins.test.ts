import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { runCliCaptured } from "@/tests/helpers/cli";
import { fixtureProfile, SECRET } from "@/tests/fixtures/profiles";
import { localOperator, type Actor } from "@/lib/auth/actor";
import { listActivity, recordActivity } from "@/lib/activity/dal";
import { activityFilterOf, parseActivityQuery } from "@/lib/activity/query";
import { createProfile, getProfileByName, loadProfileWithSecrets } from "@/lib/profiles/dal";
import { getConsoleSettings } from "@/lib/settings/dal";

/** Issue 11.16: the CLI twins of the Logs page, the Edit form and the Settings page. */
useTestDb();
const run = (...argv: string[]) => runCliCaptured(argv);
const runWithStdin = (stdin: string, ...argv: string[]) => runCliCaptured(argv, stdin);
const alice: Actor = { id: "a1", username: "alice", via: "web" };
const operator = localOperator();

describe("logs", () => {
  it("filters like the Logs page (same schema): profile, action prefix, outcome ok|failure, since; --json; logs show ID", async () => {
    const a = await createProfile(alice, fixtureProfile("log-only", "logs alpha"));
    await createProfile(alice, fixtureProfile("log-only", "logs beta"));
    await recordActivity(alice, { action: "mail.send", outcome: "failure", profileId: a.id, profileName: a.name, summary: "Send failed: 550 5.1.1 unknown user", errorCode: "550 5.1.1", hint: "Check the recipient.", detail: "C: MAIL FROM:<a@b>\nS: 250 OK\nC: RCPT TO:<x@y>\nS: 550 5.1.1 unknown user" });
    await recordActivity(alice, { action: "mail.send", outcome: "success", profileId: a.id, profileName: a.name, summary: "Sent to me@contoso.com" });

    const failures = await run("logs", "--profile", "LOGS ALPHA", "--outcome", "failure", "--json");
    expect(failures.code).toBe(0);
    const parsed = JSON.parse(failures.out) as { items: Array<{ id: string; action: string; outcome: string; profileName: string }>; total: number };
    expect(parsed.total).toBe(1);
    expect(parsed.items[0]).toMatchObject({ action: "mail.send", outcome: "failure", profileName: "logs alpha" });

    const ok = JSON.parse((await run("logs", "--profile", "logs alpha", "--action", "mail", "--outcome", "ok", "--json")).out) as { items: Array<{ summary: string }> };
    expect(ok.items.map((i) => i.summary)).toEqual(["Sent to me@contoso.com"]);
    // The profile creations are profile.create entries of both profiles.
    const creates = await run("logs", "--action", "profile.create", "--since", new Date(Date.now() - 3600_000).toISOString());
    expect(creates.out).toMatch(/logs alpha/);
    expect(creates.out).toMatch(/logs beta/);
    expect((await run("logs", "--since", "2099-01-01")).out).toBe("No entries match.");

    const shown = await run("logs", "show", parsed.items[0].id);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/failure {2}mail\.send {2}by alice {2}profile logs alpha/);
    expect(shown.out).toMatch(/hint: Check the recipient\.\n--- redacted transcript ---\nC: MAIL FROM/);
    const missing = await run("logs", "show", "no-such-id");
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/No activity entry no-such-id/);
  });

  it("refuses bad filters with the field and what is expected (exit 2), as the page does", async () => {
    const outcome = await run("logs", "--outcome", "maybe");
    expect(outcome.code).toBe(2);
    expect(outcome.err).toMatch(/outcome: Outcome must be ok \(success\), failure or info/);
    const since = await run("logs", "--since", "yesterday");
    expect(since.code).toBe(2);
    expect(since.err).toMatch(/since: Since must be an ISO date/);
    expect((await run("logs", "--profile", "nobody")).code).toBe(1);
    // The page's parser: the same schema; empty selects are "all".
    const page = parseActivityQuery({ outcome: "ok", since: "2026-11-30", until: "2026-11-30", profile: "", action: "" });
    expect(page.success && activityFilterOf(page.data, undefined)).toMatchObject({ outcome: "success", from: new Date("2026-11-30T00:00:00.000Z"), to: new Date("2026-11-30T23:59:59.999Z"), action: undefined });
    expect(parseActivityQuery({ outcome: "maybe" }).success).toBe(false);
  });
});

describe("profile update", () => {
  it("changes settings with the form's validation and the same activity entry; secrets only from standard input", async () => {
    await createProfile(alice, fixtureProfile("m365-app-graph", "update me"));
    const ok = await run("profile", "update", "update me", "--set", "fromAddress=payroll@contoso.com", "--set", "saveToSentItems=no", "--set", "secretExpiresAt=2027-06-30");
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/Updated "update me" to version 2: fromAddress, saveToSentItems, secretExpiresAt/);
    const p = await getProfileByName(operator, "update me");
    expect(p.settings).toMatchObject({ fromAddress: "payroll@contoso.com", saveToSentItems: false, secretExpiresAt: "2027-06-30" });
    const entry = (await listActivity(operator, { profileId: p.id, action: "profile.update" })).items[0];
    expect(entry.actor).toBe(operator.username);

    // Clearing an optional field, as an empty form field does.
    expect((await run("profile", "update", "update me", "--set", "secretExpiresAt=")).code).toBe(0);
    expect((await getProfileByName(operator, "update me")).settings).not.toHaveProperty("secretExpiresAt");

    const bad = await run("profile", "update", "update me", "--set", "fromAddress=not-an-address");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/fromAddress.*From address must be an email address/);
    const unknown = await run("profile", "update", "update me", "--set", "mailbox=x@y.com");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/m365-app-graph profiles have no field "mailbox"/);
    const secretOnArgv = await run("profile", "update", "update me", "--set", "clientSecret=oops");
    expect(secretOnArgv.code).toBe(2);
    expect(secretOnArgv.err).toMatch(/is a secret: pass it on standard input with --secret-stdin clientSecret/);
    expect((await run("profile", "update", "update me")).code).toBe(2);

    const newSecret = "Rotated~Secret~Value~0042";
    const rotated = await runWithStdin(`${newSecret}\n`, "profile", "update", "update me", "--secret-stdin", "clientSecret");
    expect(rotated.code).toBe(0);
    expect(rotated.out).not.toContain(newSecret);
    const { secrets } = await loadProfileWithSecrets(operator, p.id);
    expect(secrets.clientSecret).toBe(newSecret);
    expect(secrets.clientSecret).not.toBe(SECRET.graphClientSecret);
    const log = await listActivity(operator, { profileId: p.id });
    expect(JSON.stringify(log)).not.toContain(newSecret);
  });
});

describe("settings get|set", () => {
  it("reads and changes one setting with the Settings page's validation and activity entry", async () => {
    const all = await run("settings", "get");
    expect(all.out).toMatch(/^logRetentionDays +90$/m);
    expect((await run("settings", "get", "logRetentionDays")).out).toBe("90");
    const set = await run("settings", "set", "logRetentionDays", "30");
    expect(set).toMatchObject({ code: 0, out: "logRetentionDays = 30" });
    expect((await getConsoleSettings()).logRetentionDays).toBe(30);
    const entry = (await listActivity(operator, { action: "settings.update" })).items[0];
    expect(entry).toMatchObject({ actor: operator.username, summary: "Settings changed: logRetentionDays 90 → 30" });
    const tooSmall = await run("settings", "set", "logRetentionDays", "0");
    expect(tooSmall.code).toBe(2);
    expect(tooSmall.err).toMatch(/logRetentionDays: Keep logs at least 1 day/);
    const unknown = await run("settings", "set", "colour", "blue");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/Unknown setting "colour" \(settings: tokenRefreshMarginMinutes/);
    expect((await getConsoleSettings()).logRetentionDays).toBe(30);
  });
});
