import fs from "node:fs";
import { localOperator } from "@/lib/auth/actor";
import { EXPORT_FORMATS, listExportFormats } from "@/lib/export/formats";
import { exportProfile } from "@/lib/export/service";
import { getProfileByName } from "@/lib/profiles/dal";
import { flagBool, flagString, requirePositional, type CliCommand } from "../framework";

export const commands: CliCommand[] = [
  {
    path: ["export"],
    usage: "export NAME --format F [--include-secrets] [--out FILE]",
    summary: "Render an export (iMailOAuth.config, IBM i JSON/CL, PowerShell, …); without --format, list the formats",
    async run({ args, stdout, stderr }) {
      const actor = localOperator();
      const profile = await getProfileByName(actor, requirePositional(args, 0, "profile NAME"));
      const format = flagString(args, "format");
      if (!format) {
        const available = listExportFormats(profile.kind);
        stdout(`Formats for "${profile.name}" (${profile.kind}):`);
        for (const f of available) stdout(`  ${f.id.padEnd(22)} ${f.label}`);
        const other = EXPORT_FORMATS.filter((f) => !available.includes(f)).map((f) => f.id);
        if (other.length) stdout(`Not available for this kind: ${other.join(", ")}`);
        return;
      }
      const includeSecrets = flagBool(args, "include-secrets");
      const out = flagString(args, "out");
      const result = await exportProfile(actor, profile.id, format, { includeSecrets, logActivity: Boolean(out) });
      for (const w of result.warnings) stderr(`warning: ${w.message}`);
      if (out) {
        // Files with secrets are readable by the owner only.
        fs.writeFileSync(out, result.content, { mode: includeSecrets ? 0o600 : 0o644 });
        if (includeSecrets) fs.chmodSync(out, 0o600);
        stderr(`Wrote ${out} (${result.filename}${includeSecrets ? ", contains secrets" : ""})`);
      } else {
        if (includeSecrets && process.stdout.isTTY) stderr("note: secrets are printed below; prefer --out FILE");
        stdout(result.content.replace(/\n$/, ""));
      }
    },
  },
];

