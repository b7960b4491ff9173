import { localOperator } from "@/lib/auth/actor";
import { acknowledgeFindings, unacknowledgeFindings } from "@/lib/doctor/acknowledgements";
import { diagnoseProfile } from "@/lib/doctor/service";
import type { Finding } from "@/lib/doctor/types";
import { getProfileByName } from "@/lib/profiles/dal";
import { flagBool, flagString, requirePositional, UsageError, type CliCommand } from "../framework";

/** Prints findings for people: severity, code, title, then problem / why / fix / setup step. */
export function formatFindings(findings: readonly Finding[], print: (line: string) => void): void {
  if (findings.length === 0) {
    print("No problems found.");
    return;
  }
  for (const f of findings) {
    print(`${f.severity.toUpperCase().padEnd(8)}${f.code ? `[${f.code}] ` : ""}${f.title}${f.line ? ` (line ${f.line})` : ""}${f.acknowledged ? ` — acknowledged by ${f.acknowledged.by} at ${f.acknowledged.at}` : ""}`);
    print(`        problem: ${f.problem}`);
    print(`        why:     ${f.why}`);
    print(`        fix:     ${f.fix}`);
    print(`        step:    ${f.stepId}`);
    if (f.fingerprint) print(`        rule:    ${f.ruleId} ${f.fingerprint}${f.acknowledged?.note ? ` (note: ${f.acknowledged.note})` : ""}`);
  }
  const count = (s: Finding["severity"]) => findings.filter((f) => f.severity === s && !f.acknowledged).length;
  const acked = findings.filter((f) => f.acknowledged).length;
  print(`${count("error")} error(s), ${count("warning")} warning(s), ${count("info")} note(s)${acked ? `, ${acked} acknowledged` : ""}`);
}

export const commands: CliCommand[] = [
  {
    path: ["doctor"],
    usage: "doctor NAME [--json] [--acknowledge RULE [--fingerprint F] [--note TEXT] | --unacknowledge RULE]",
    summary: "Check a profile for known misconfigurations (exit 1 if any error not acknowledged); acknowledge a finding",
    async run({ args, stdout }) {
      const actor = localOperator();
      const profile = await getProfileByName(actor, requirePositional(args, 0, "profile NAME"));
      const ack = flagString(args, "acknowledge");
      const unack = flagString(args, "unacknowledge");
      if (ack && unack) throw new UsageError("--acknowledge and --unacknowledge cannot be combined");
      if (ack) {
        const current = await diagnoseProfile(actor, profile.id);
        const done = await acknowledgeFindings(actor, profile.id, current.findings, { ruleId: ack, fingerprint: flagString(args, "fingerprint"), note: flagString(args, "note") ?? "" });
        stdout(`Acknowledged ${done.length} finding(s) of ${ack} on "${profile.name}" (they show again if their facts change).`);
      } else if (unack) {
        const n = await unacknowledgeFindings(actor, profile.id, unack);
        stdout(`Withdrew ${n} acknowledgement(s) of ${unack} on "${profile.name}".`);
      }
      const result = await diagnoseProfile(actor, profile.id);
      if (flagBool(args, "json")) stdout(JSON.stringify(result, null, 2));
      else {
        stdout(`Doctor: "${result.profileName}" (${result.kind})`);
        formatFindings(result.findings, stdout);
      }
      return result.hasErrors ? 1 : 0;
    },
  },
];
