import { localOperator } from "@/lib/auth/actor";
import { getProfileByName } from "@/lib/profiles/dal";
import { checkSetupStep, loadProfileSetupGuide, type ProfileSetupGuide } from "@/lib/setup-guide/service";
import { flagBool, flagString, requirePositional, UsageError, type CliCommand } from "../framework";

const MARK: Record<string, string> = { verified: "[x]", checked: "[x]", attention: "[!]", pending: "[ ]", manual: "[ ]" };

function printGuide(g: ProfileSetupGuide, print: (line: string) => void): void {
  print(`Guided setup: "${g.profileName}" — ${g.done} of ${g.total} done (${g.verified} of ${g.verifiable} verified by the console)`);
  g.steps.forEach((s, i) => {
    const how = s.status === "checked" && s.check ? `ticked off by ${s.check.by} at ${s.check.at}` : s.status === "manual" ? "manual: tick it off with --check" : s.status;
    print(`${MARK[s.status]} ${String(i + 1).padStart(2)}. ${s.title}${s.optional ? " (optional)" : ""}  [${s.id}] ${how}`);
    for (const f of s.findings) print(`         doctor: ${f.title}: ${f.problem}`);
  });
}

export const commands: CliCommand[] = [
  {
    path: ["setup"],
    usage: "setup NAME [--json] [--check STEP | --uncheck STEP]",
    summary: "The guided setup of a profile (same facts as the doctor); tick a manual step off or reopen it",
    async run({ args, stdout }) {
      const actor = localOperator();
      const profile = await getProfileByName(actor, requirePositional(args, 0, "profile NAME"));
      const check = flagString(args, "check");
      const uncheck = flagString(args, "uncheck");
      if (check && uncheck) throw new UsageError("--check and --uncheck cannot be combined");
      const guide = check || uncheck ? await checkSetupStep(actor, profile.id, { stepId: (check ?? uncheck)!, checked: Boolean(check) }) : await loadProfileSetupGuide(actor, profile.id);
      if (flagBool(args, "json")) stdout(JSON.stringify(guide, null, 2));
      else printGuide(guide, stdout);
      return 0;
    },
  },
];
