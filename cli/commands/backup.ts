import { getMasterKey } from "@/lib/crypto/keyring";
import { backupDatabase, restoreDatabase } from "@/lib/db/backup";
import { recordActivity } from "@/lib/activity/dal";
import { localOperator } from "@/lib/auth/actor";
import { flagString, UsageError, type CliCommand } from "../framework";

export const commands: CliCommand[] = [
  {
    path: ["backup"],
    usage: "backup --out FILE",
    summary: "Write a consistent copy of the database while the console is serving (SQLite online backup)",
    async run({ args, stdout }) {
      const out = flagString(args, "out");
      if (!out) throw new UsageError("--out FILE is required");
      const info = await backupDatabase(out);
      await recordActivity(localOperator(), { action: "backup", outcome: "success", summary: `Database backed up to ${info.file} (${info.profiles} profiles)` });
      stdout(`backup written: ${info.file} (${info.bytes} bytes, ${info.profiles} profiles, ${info.tokens} cached tokens, ${info.activity} log entries)`);
      stdout("The master key is not in the backup: keep DATA_DIR/master.key (or CONSOLE_MASTER_KEY) with it.");
    },
  },
  {
    path: ["restore"],
    usage: "restore --from FILE",
    summary: "Replace the database with a backup (stop the console first; the current one is kept)",
    async run({ args, stdout }) {
      const from = flagString(args, "from");
      if (!from) throw new UsageError("--from FILE is required");
      const info = await restoreDatabase(from, await getMasterKey());
      stdout(`restored ${info.profiles} profiles from ${from}; the replaced database was kept as ${info.previous}`);
      await recordActivity(localOperator(), { action: "restore", outcome: "success", summary: `Database restored from ${from}; previous kept as ${info.previous}` });
    },
  },
];
