import { localOperator } from "@/lib/auth/actor";
import { getProfileByName } from "@/lib/profiles/dal";
import { configureProfileMonitoring, getProfileMonitoring, listCheckResults, runChecksNow, type RunNowReport } from "@/lib/monitor/service";
import type { CheckDto } from "@/lib/monitor/dal";
import { CHECK_LABELS } from "@/lib/monitor/types";
import { flagBool, flagString, requirePositional, UsageError, type CliCommand } from "../framework";

function line(name: string, w: number, type: string, status: string, text: string): string {
  return `${name.padEnd(w)}  ${type.padEnd(7)}  ${status.toUpperCase().padEnd(8)}  ${text}`;
}

export const commands: CliCommand[] = [
  {
    path: ["check", "run"],
    usage: "check run [NAME[:token|expiry|canary] | relay] [--json]",
    summary: "Run the scheduled checks now (all, one profile's, or one); exit 1 if any check fails",
    async run({ args, stdout, stderr }) {
      const reports: RunNowReport[] = await runChecksNow(localOperator(), args.positionals[0], {
        onWaiting: (c) => stderr(`${c.profileName ?? c.id} ${c.type}: already running in another process (the console server or another CLI); waiting for its result`),
      });
      if (flagBool(args, "json")) stdout(JSON.stringify(reports, null, 2));
      else if (reports.length === 0) stdout("No checks to run: create a profile first.");
      else {
        const w = Math.max(7, ...reports.map((r) => (r.profileName ?? "").length));
        stdout(line("PROFILE", w, "CHECK", "STATUS", "RESULT"));
        for (const r of reports) {
          stdout(line(r.profileName ?? (r.type === "relay" ? "(relay)" : "-"), w, r.type, r.status, `${r.message}${r.latencyMs !== undefined ? ` [${(r.latencyMs / 1000).toFixed(1)} s]` : ""}${r.ranElsewhere ? " (was already running in another process; its result)" : ""}`));
          if (r.hint && r.status !== "ok") stdout(`${"".padEnd(w)}  ${"".padEnd(7)}  ${"".padEnd(8)}  hint: ${r.hint}`);
        }
        const alerts = reports.flatMap((r) => r.alerts);
        if (alerts.length) stderr(`${alerts.length} alert${alerts.length === 1 ? "" : "s"} raised (see: npm run cli -- alert history)`);
      }
      return reports.some((r) => r.status === "failing") ? 1 : 0;
    },
  },
  {
    path: ["check", "list"],
    usage: "check list [--json]",
    summary: "The last result of each scheduled check",
    async run({ args, stdout }) {
      const checks: CheckDto[] = await listCheckResults(localOperator());
      if (flagBool(args, "json")) {
        stdout(JSON.stringify(checks, null, 2));
        return;
      }
      if (checks.length === 0) {
        stdout("No checks yet: create a profile first.");
        return;
      }
      const w = Math.max(7, ...checks.map((c) => (c.profileName ?? "").length));
      stdout(`${line("PROFILE", w, "CHECK", "STATUS", "LAST RUN              NEXT RUN              RESULT")}`);
      for (const c of checks) {
        const last = c.lastRunAt ? c.lastRunAt.slice(0, 19).replace("T", " ") : "never".padEnd(19);
        const next = c.enabled ? c.nextRunAt.slice(0, 19).replace("T", " ") : "disabled".padEnd(19);
        stdout(line(c.profileName ?? (c.type === "relay" ? "(relay)" : "-"), w, c.type, c.status, `${last}   ${next}   ${c.message || CHECK_LABELS[c.type]}`));
      }
    },
  },
  {
    path: ["check", "config"],
    usage: "check config NAME [--token-interval-hours H] [--canary-to ADDR --canary-imap PROFILE [--canary-interval MIN] [--canary-limit SEC] | --no-canary]",
    summary: "Set a profile's token check interval and its canary (opt-in)",
    async run({ args, stdout }) {
      const actor = localOperator();
      const profile = await getProfileByName(actor, requirePositional(args, 0, "profile NAME"));
      const imapName = flagString(args, "canary-imap");
      const canaryTo = flagString(args, "canary-to");
      if (flagBool(args, "no-canary") && (canaryTo || imapName)) throw new UsageError("--no-canary cannot be combined with --canary-to/--canary-imap");
      const before = await getProfileMonitoring(actor, profile.id);
      const enable = flagBool(args, "no-canary") ? false : Boolean(canaryTo || imapName) || Boolean(before.canary?.enabled);
      const imapProfileId = imapName ? (await getProfileByName(actor, imapName)).id : before.canary?.imapProfileId;
      const result = await configureProfileMonitoring(actor, profile.id, {
        tokenIntervalHours: flagString(args, "token-interval-hours"),
        canaryEnabled: enable,
        canaryTo: canaryTo ?? before.canary?.to,
        canaryImapProfileId: imapProfileId,
        canaryIntervalMinutes: flagString(args, "canary-interval") ?? before.canary?.intervalMinutes,
        canaryTimeLimitSeconds: flagString(args, "canary-limit") ?? before.canary?.timeLimitSeconds,
      });
      stdout(`Monitoring of "${profile.name}":`);
      stdout(`  token check     ${result.tokenIntervalHours === null ? "none (no token)" : `every ${result.tokenIntervalHours} h`}`);
      stdout(`  canary          ${result.canary?.enabled ? `to ${result.canary.to} every ${result.canary.intervalMinutes} min, limit ${result.canary.timeLimitSeconds} s` : "off"}`);
    },
  },
];
