import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { fixtureProfile } from "@/tests/fixtures/profiles";
import { runCliCaptured } from "@/tests/helpers/cli";
import { listActivity } from "@/lib/activity/dal";
import type { Actor } from "@/lib/auth/actor";
import { acknowledgeFindings, unacknowledgeFindings } from "@/lib/doctor/acknowledgements";
import { diagnoseProfile } from "@/lib/doctor/service";
import { createProfile, getProfile, updateProfile } from "@/lib/profiles/dal";
import type { ProfileInput } from "@/lib/profiles/schema";
import { checkSetupStep, loadProfileSetupGuide } from "@/lib/setup-guide/service";
import { STEP } from "@/lib/setup-guide/step-ids";

useTestDb();
const alice: Actor = { id: "a1", username: "alice", via: "web" };
const run = (...argv: string[]) => runCliCaptured(argv);

async function usGovGraphProfile(name: string) {
  const p = fixtureProfile("m365-app-graph", name);
  // GCC High authority, global Graph resource: a real cloud mismatch (warning).
  return createProfile(alice, { ...p, settings: { ...p.settings, tokenUrl: "https://login.microsoftonline.us/{TENANT_ID}/oauth2/v2.0/token" } as ProfileInput["settings"] });
}

describe("doctor acknowledgements (issue 11.9)", () => {
  it("a test token host is no cloud mismatch", async () => {
    const p = fixtureProfile("m365-app-graph", "graph via test idp");
    const created = await createProfile(alice, { ...p, settings: { ...p.settings, tokenUrl: "https://127.0.0.1:9443/{TENANT_ID}/oauth2/v2.0/token" } as ProfileInput["settings"] });
    expect((await diagnoseProfile(alice, created.id)).findings.map((f) => f.ruleId)).not.toContain("national-cloud-mismatch");
  });

  it("stores, logs and shows an acknowledgement; it lapses when the finding's facts change", async () => {
    const p = await usGovGraphProfile("gcc graph");
    const before = await diagnoseProfile(alice, p.id);
    const finding = before.findings.find((f) => f.ruleId === "national-cloud-mismatch")!;
    expect(finding).toBeDefined();
    expect(finding.acknowledged).toBeUndefined();

    await acknowledgeFindings(alice, p.id, before.findings, { ruleId: "national-cloud-mismatch", fingerprint: finding.fingerprint, note: "Graph is reached through the global endpoint on purpose" });
    const after = await diagnoseProfile(alice, p.id);
    expect(after.findings.find((f) => f.ruleId === "national-cloud-mismatch")?.acknowledged).toMatchObject({ by: "alice", note: "Graph is reached through the global endpoint on purpose" });
    const log = await listActivity(alice, { profileId: p.id, action: "doctor.acknowledge" });
    expect(log.items[0]).toMatchObject({ actor: "alice", outcome: "info" });
    expect(log.items[0].summary).toMatch(/national-cloud-mismatch.*login\.microsoftonline\.us/);

    // Other facts (another resource host): the finding is new again.
    const current = await getProfile(alice, p.id);
    await updateProfile(alice, p.id, { settings: { ...current.settings, graphEndpoint: "https://graph.microsoft.com/beta/users/{FROM_ADDRESS}/sendMail", scope: "https://outlook.office.com/.default" } as ProfileInput["settings"], secrets: {}, clearSecrets: [], version: current.version });
    const changed = (await diagnoseProfile(alice, p.id)).findings.find((f) => f.ruleId === "national-cloud-mismatch");
    expect(changed?.problem).toMatch(/outlook\.office\.com/);
    expect(changed?.acknowledged).toBeUndefined();

    // Nothing to acknowledge: a clear refusal naming the current rules.
    await expect(acknowledgeFindings(alice, p.id, (await diagnoseProfile(alice, p.id)).findings, { ruleId: "no-such-rule" })).rejects.toThrow(/has no current finding of rule no-such-rule \(current: .*national-cloud-mismatch/);
    expect(await unacknowledgeFindings(alice, p.id, "national-cloud-mismatch")).toBe(1);
    expect((await listActivity(alice, { profileId: p.id, action: "doctor.unacknowledge" })).total).toBe(1);
  });

  it("an acknowledged error no longer fails `cli doctor`; the CLI twin acknowledges and withdraws, logged as the operator", async () => {
    const p = fixtureProfile("m365-app-graph", "graph wrong scope");
    await createProfile(alice, { ...p, settings: { ...p.settings, scope: "https://graph.microsoft.com/Mail.Send" } as ProfileInput["settings"] });
    const first = await run("doctor", "graph wrong scope");
    expect(first.code).toBe(1);
    expect(first.out).toMatch(/rule: {4}graph-scope [0-9a-f]{16}/);
    const ack = await run("doctor", "graph wrong scope", "--acknowledge", "graph-scope", "--note", "test tenant");
    expect(ack.out).toMatch(/Acknowledged 1 finding\(s\) of graph-scope/);
    expect(ack.out).toMatch(/acknowledged by cli:/);
    expect(ack.code).toBe(0);
    const json = JSON.parse((await run("doctor", "graph wrong scope", "--json")).out) as { hasErrors: boolean; findings: Array<{ ruleId: string; acknowledged?: { note: string } }> };
    expect(json.hasErrors).toBe(false);
    expect(json.findings.find((f) => f.ruleId === "graph-scope")?.acknowledged?.note).toBe("test tenant");
    const bad = await run("doctor", "graph wrong scope", "--acknowledge", "graph-scope", "--fingerprint", "xyz");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/Fingerprint must be the 16 hex digits/);
    expect((await run("doctor", "graph wrong scope", "--unacknowledge", "graph-scope")).code).toBe(1);
  });
});

describe("guided setup ticks (issue 11.8)", () => {
  it("manual steps can be ticked off (stored, logged) and count in the progress; verified steps cannot be ticked", async () => {
    const p = await createProfile(alice, fixtureProfile("m365-app-smtp", "ibmi smtp app"));
    const g = await loadProfileSetupGuide(alice, p.id);
    const manual = g.steps.filter((s) => s.verifiedBy === null && !s.optional);
    expect(manual.map((s) => s.id)).toEqual(expect.arrayContaining([STEP.ibmiDcm, STEP.ibmiJsonFile, STEP.ibmiSmtpSetup]));
    const after = await checkSetupStep(alice, p.id, { stepId: STEP.ibmiDcm, checked: true });
    expect(after.steps.find((s) => s.id === STEP.ibmiDcm)).toMatchObject({ status: "checked", check: { by: "alice" } });
    expect(after.done).toBe(g.done + 1);
    expect(after.total).toBe(g.total);
    const log = await listActivity(alice, { profileId: p.id, action: "setup.check" });
    expect(log.items[0].summary).toMatch(/Ticked off setup step "Import the CA certificates into DCM"/);
    await expect(checkSetupStep(alice, p.id, { stepId: STEP.azureRegisterApp, checked: true })).rejects.toThrow(/only steps the console cannot verify can \(.*ibmi-dcm-certificates/);
    const reopened = await checkSetupStep(alice, p.id, { stepId: STEP.ibmiDcm, checked: false });
    expect(reopened.steps.find((s) => s.id === STEP.ibmiDcm)?.status).toBe("manual");
    expect((await listActivity(alice, { profileId: p.id, action: "setup.uncheck" })).total).toBe(1);
  });

  it("the CLI twin shows the guide and ticks a step off", async () => {
    const shown = await run("setup", "ibmi smtp app");
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/Guided setup: "ibmi smtp app" — \d+ of \d+ done/);
    expect(shown.out).toMatch(/\[ \] +\d+\. Put the JSON credential file on the IFS {2}\[ibmi-json-file\] manual/);
    const ticked = await run("setup", "ibmi smtp app", "--check", "ibmi-json-file");
    expect(ticked.out).toMatch(/\[x\] +\d+\. Put the JSON credential file on the IFS {2}\[ibmi-json-file\] ticked off by cli:/);
    const refused = await run("setup", "ibmi smtp app", "--check", "azure-register-app");
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/cannot be ticked off/);
  });
});
