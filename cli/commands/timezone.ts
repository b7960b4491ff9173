import { AppError } from "@/lib/errors";
import { IBM_TIME_ZONE_NAMES, resolveTimeZone } from "@/lib/export/time-zone";
import { flagBool, UsageError, type CliCommand } from "../framework";

export const commands: CliCommand[] = [
  {
    path: ["timezone"],
    usage: "timezone QTIMZON|IANA [--json] | timezone --list",
    summary: "Read an IBM i QTIMZON name (QN0600CST) or an IANA name: offset, IANA zone, daylight saving (what the profile's IBM i time zone accepts)",
    async run({ args, stdout }) {
      if (flagBool(args, "list")) {
        for (const name of IBM_TIME_ZONE_NAMES) {
          const r = resolveTimeZone(name);
          if (r.ok) stdout(r.description);
        }
        return;
      }
      const value = args.positionals[0];
      if (!value) throw new UsageError("give a QTIMZON name (e.g. QN0600CST) or an IANA name (e.g. America/Chicago), or --list");
      const r = resolveTimeZone(value);
      if (!r.ok) throw new AppError("invalid_input", r.message, { field: "ibmiTimeZone" });
      stdout(flagBool(args, "json") ? JSON.stringify(r, null, 2) : r.description);
    },
  },
];
