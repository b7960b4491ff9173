import { localOperator } from "@/lib/auth/actor";
import { createChannel, deleteChannel, describeChannel, generateSigningSecret, listAlerts, listChannels } from "@/lib/monitor/alerts";
import { sendTestAlert } from "@/lib/monitor/service";
import { ALERT_EVENT_LABELS, WEBHOOK_FORMATS, type WebhookFormat } from "@/lib/monitor/types";
import { flagBool, flagString, requirePositional, UsageError, type CliCommand } from "../framework";

export const commands: CliCommand[] = [
  {
    path: ["alert", "channel", "add"],
    usage: "alert channel add NAME (--webhook URL|- [--format generic|teams|slack] [--signing-secret-stdin] | --email ADDR --profile P)",
    summary: "Add an alert channel (webhook URL from stdin with --webhook -; a generic webhook's signing secret is generated unless given on stdin)",
    async run({ args, stdout, readStdin }) {
      const actor = localOperator();
      const name = requirePositional(args, 0, "channel NAME");
      const webhook = flagString(args, "webhook");
      const email = flagString(args, "email");
      if (Boolean(webhook) === Boolean(email)) throw new UsageError("give either --webhook URL or --email ADDR --profile P");
      if (email) {
        const profile = flagString(args, "profile");
        if (!profile) throw new UsageError("--email needs --profile P (the profile that sends the alert emails)");
        const c = await createChannel(actor, { type: "email", name, to: email, profileId: profile });
        stdout(`Added alert channel "${c.name}": ${describeChannel(c)}. Try it: npm run cli -- alert channel test "${c.name}"`);
        return;
      }
      const format = (flagString(args, "format") ?? "generic") as WebhookFormat;
      if (!(WEBHOOK_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${WEBHOOK_FORMATS.join(", ")}`);
      if (webhook === "-" && flagBool(args, "signing-secret-stdin")) throw new UsageError("--webhook - and --signing-secret-stdin both read standard input: give one of them on the command line");
      // A webhook URL holds a token: `--webhook -` keeps it out of the shell history and `ps`.
      const url = webhook === "-" ? (await readStdin()).trim() : webhook!;
      let signingSecret: string | undefined;
      let generated = false;
      if (format === "generic") {
        if (flagBool(args, "signing-secret-stdin")) signingSecret = (await readStdin()).trim();
        else {
          signingSecret = generateSigningSecret();
          generated = true;
        }
      }
      const c = await createChannel(actor, { type: "webhook", name, url, format, signingSecret });
      stdout(`Added alert channel "${c.name}": ${describeChannel(c)}.`);
      if (generated) {
        stdout("Signing secret (configure it in the receiver to verify X-OMC-Signature; it is not shown again):");
        stdout(signingSecret!);
      }
      stdout(`Try it: npm run cli -- alert channel test "${c.name}"`);
    },
  },
  {
    path: ["alert", "channel", "list"],
    usage: "alert channel list [--json]",
    summary: "List alert channels and whether their last delivery worked (never the URL)",
    async run({ args, stdout }) {
      const channels = await listChannels(localOperator());
      if (flagBool(args, "json")) {
        stdout(JSON.stringify(channels, null, 2));
        return;
      }
      if (channels.length === 0) {
        stdout('No alert channels. Add one: npm run cli -- alert channel add ops --webhook - --format teams < url.txt');
        return;
      }
      const w = Math.max(4, ...channels.map((c) => c.name.length));
      stdout(`${"NAME".padEnd(w)}  ${"STATUS".padEnd(9)}  CHANNEL`);
      for (const c of channels) stdout(`${c.name.padEnd(w)}  ${c.status.padEnd(9)}  ${describeChannel(c)}${c.status === "failing" ? ` — ${c.statusDetail}` : ""}`);
    },
  },
  {
    path: ["alert", "channel", "delete"],
    usage: "alert channel delete NAME",
    summary: "Delete an alert channel",
    async run({ args, stdout }) {
      const { name } = await deleteChannel(localOperator(), requirePositional(args, 0, "channel NAME"));
      stdout(`Deleted alert channel "${name}".`);
    },
  },
  {
    path: ["alert", "channel", "test"],
    usage: "alert channel test NAME",
    summary: "Send a test alert through one channel now (exit 1 if it was not accepted)",
    async run({ args, stdout, stderr }) {
      const res = await sendTestAlert(localOperator(), requirePositional(args, 0, "channel NAME"));
      (res.ok ? stdout : stderr)(res.message);
      return res.ok ? 0 : 1;
    },
  },
  {
    path: ["alert", "history"],
    usage: "alert history [--json] [--page N]",
    summary: "Alerts raised, newest first, with each channel's delivery state",
    async run({ args, stdout }) {
      const page = Number(flagString(args, "page") ?? "1");
      if (!Number.isInteger(page) || page < 1) throw new UsageError("--page must be a whole number from 1");
      const res = await listAlerts(localOperator(), { page });
      if (flagBool(args, "json")) {
        stdout(JSON.stringify(res.items, null, 2));
        return;
      }
      if (res.items.length === 0) {
        stdout("No alerts yet.");
        return;
      }
      for (const a of res.items) {
        stdout(`${a.at.slice(0, 19).replace("T", " ")}  ${ALERT_EVENT_LABELS[a.event].padEnd(14)}  ${a.profileName ?? "-"} · ${a.check}  ${a.status.toUpperCase()}  ${a.message}`);
        for (const d of a.deliveries) stdout(`    → ${d.channelName}: ${d.state}${d.attempts ? ` after ${d.attempts} attempt${d.attempts === 1 ? "" : "s"}` : ""}${d.lastError ? ` (${d.lastError})` : ""}${d.state === "pending" && d.attempts ? `, next ${d.nextAttemptAt}` : ""}`);
      }
      if (res.total > res.page * res.pageSize) stdout(`… ${res.total - res.page * res.pageSize} older: --page ${res.page + 1}`);
    },
  },
];
