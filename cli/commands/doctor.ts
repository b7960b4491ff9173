import { localOperator } from "@/lib/auth/actor";
import { diagnoseProfile } from "@/lib/doctor/service";
import type { Finding } from "@/lib/doctor/types";
import { getProfileByName } from "@/lib/profiles/dal";
import { flagBool, requirePositional, type CliCommand } from "../framework";

/** Prints findings for people: severity, code, title, then problem / why / fix / setup step. */
export function formatFindings(findings: readonly Finding[], print: (line: string) => void): void {
  if (findings.length === 0) {
    print("No problems found.");
    return;
  }
  for (const f of findings) {
    print(`${f.severity.toUpperCase().padEnd(8)}${f.code ? `[${f.code}] ` : ""}${f.title}${f.line ? ` (line ${f.line})` : ""}`);
    print(`        problem: ${f.problem}`);
    print(`        why:     ${f.why}`);
    print(`        fix:     ${f.fix}`);
    print(`        step:    ${f.stepId}`);
  }
  const count = (s: Finding["severity"]) => findings.filter((f) => f.severity === s).length;
  print(`${count("error")} error(s), ${count("warning")} warning(s), ${count("info")} note(s)`);
}

export const commands: CliCommand[] = [
  {
    path: ["doctor"],
    usage: "doctor NAME [--json]",
    summary: "Check a profile for known misconfigurations (exit 1 if any error)",
    async run({ args, stdout }) {
      const actor = localOperator();
      const profile = await getProfileByName(actor, requirePositional(args, 0, "profile NAME"));
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
