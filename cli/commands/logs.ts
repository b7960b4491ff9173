import { localOperator } from "@/lib/auth/actor";
import { getActivity, listActivity } from "@/lib/activity/dal";
import { activityFilterOf, activityQuerySchema } from "@/lib/activity/query";
import { getProfileByName } from "@/lib/profiles/dal";
import { flagBool, flagString, requirePositional, type CliCommand } from "../framework";

const PAGE_SIZE = 100;

export const commands: CliCommand[] = [
  {
    path: ["logs"],
    usage: "logs [--profile NAME] [--action A] [--actor WHO] [--outcome ok|failure|info] [--since ISO] [--until ISO] [--search TEXT] [--page N] [--json]",
    summary: "The activity log, newest first, with the Logs page's filters (100 per page)",
    async run({ args, stdout }) {
      const actor = localOperator();
      // The Logs page's schema: the same fields, the same messages.
      const query = activityQuerySchema.parse(
        Object.fromEntries(
          Object.entries({ profile: flagString(args, "profile"), action: flagString(args, "action"), actor: flagString(args, "actor"), outcome: flagString(args, "outcome"), since: flagString(args, "since"), until: flagString(args, "until"), q: flagString(args, "search"), page: flagString(args, "page") }).filter(([, v]) => v !== undefined),
        ),
      );
      const profileId = query.profile ? (await getProfileByName(actor, query.profile)).id : undefined;
      const log = await listActivity(actor, { ...activityFilterOf(query, profileId), pageSize: PAGE_SIZE });
      if (flagBool(args, "json")) {
        stdout(JSON.stringify(log, null, 2));
        return;
      }
      if (log.items.length === 0) {
        stdout(log.total ? `Page ${log.page} is past the end (${log.total} entries).` : "No entries match.");
        return;
      }
      for (const e of log.items) {
        stdout(`${e.at}  ${e.outcome.padEnd(7)}  ${e.action.padEnd(18)}  ${(e.profileName ?? "-").padEnd(20)}  ${e.actor}`);
        stdout(`    ${e.summary}${e.errorCode ? ` [${e.errorCode}]` : ""}`);
        if (e.hint) stdout(`    hint: ${e.hint}`);
        stdout(`    id ${e.id}${e.hasDetail ? " (transcript: logs show ID)" : ""}`);
      }
      const last = Math.min(log.total, log.page * PAGE_SIZE);
      stdout(`${(log.page - 1) * PAGE_SIZE + 1}–${last} of ${log.total}${last < log.total ? `; next: --page ${log.page + 1}` : ""}`);
    },
  },
  {
    path: ["logs", "show"],
    usage: "logs show ID [--json]",
    summary: "One activity entry with its redacted transcript (the Logs page's detail view)",
    async run({ args, stdout }) {
      const entry = await getActivity(localOperator(), requirePositional(args, 0, "entry ID"));
      if (flagBool(args, "json")) {
        stdout(JSON.stringify(entry, null, 2));
        return;
      }
      stdout(`${entry.at}  ${entry.outcome}  ${entry.action}  by ${entry.actor}${entry.profileName ? `  profile ${entry.profileName}` : ""}${entry.durationMs !== null ? `  ${entry.durationMs} ms` : ""}`);
      stdout(entry.summary);
      if (entry.errorCode) stdout(`error code: ${entry.errorCode}`);
      if (entry.remoteReply) stdout(`remote reply: ${entry.remoteReply}`);
      if (entry.hint) stdout(`hint: ${entry.hint}`);
      stdout(entry.detail ? `--- redacted transcript ---\n${entry.detail}` : "(no transcript)");
    },
  },
];
