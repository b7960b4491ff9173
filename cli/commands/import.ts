import fs from "node:fs";
import { localOperator } from "@/lib/auth/actor";
import { isAppError } from "@/lib/errors";
import { checkImport } from "@/lib/export/import-check";
import { describeImportIssue, importIssuesOf } from "@/lib/export/import-issues";
import { missingConsoleFields } from "@/lib/profiles/completeness";
import { importProfile } from "@/lib/export/service";
import { IMPORT_FORMAT_IDS, type ImportFormatId } from "@/lib/export/types";
import { flagBool, flagList, flagString, requirePositional, UsageError, type CliCommand } from "../framework";
import { formatFindings } from "./doctor";

/** `--set field=value` pairs; the value may itself contain "=". */
export function parseSetFlags(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set expects field=value, got "${p}"`);
    out[p.slice(0, eq).trim()] = p.slice(eq + 1);
  }
  return out;
}

function formatFlag(value: string | undefined): ImportFormatId | undefined {
  if (value === undefined) return undefined;
  if (!(IMPORT_FORMAT_IDS as readonly string[]).includes(value)) throw new UsageError(`--format must be one of ${IMPORT_FORMAT_IDS.join(", ")}`);
  return value as ImportFormatId;
}

export const commands: CliCommand[] = [
  {
    path: ["profile", "import"],
    usage: "profile import FILE [--name N] [--set field=value …] [--format F] [--dry-run]",
    summary: "Import iMailOAuth.config, system properties, IBM i / Google JSON or a profile JSON (FILE - reads stdin)",
    repeatable: ["set"],
    async run({ args, stdout, stderr, readStdin }) {
      const file = requirePositional(args, 0, "FILE");
      let text: string;
      if (file === "-") text = await readStdin();
      else {
        try {
          text = fs.readFileSync(file, "utf8");
        } catch {
          throw new UsageError(`cannot read ${file}`);
        }
      }
      const format = formatFlag(flagString(args, "format"));
      const overrides = parseSetFlags(flagList(args, "set"));
      const name = flagString(args, "name");
      const actor = localOperator();
      if (flagBool(args, "dry-run")) {
        // The console's "Check": same issues (name conflicts included), remedies worded for the CLI.
        const c = await checkImport(actor, { text, format, overrides, name });
        stdout(`Format: ${c.format ?? "unknown"}; kind: ${c.kind ?? "unknown"}${c.name ? `; name: ${c.name}` : ""}`);
        for (const w of c.warnings) stdout(`warning: ${w.line ? `line ${w.line}: ` : ""}${w.message}`);
        formatFindings(c.findings, stdout);
        if (c.importable) stdout("The file can be imported.");
        else for (const i of c.issues) stdout(`cannot import: ${describeImportIssue(i, "cli")}`);
        return c.importable ? 0 : 2;
      }
      let p;
      try {
        p = await importProfile(actor, { text, format, name, overrides });
      } catch (error) {
        if (!isAppError(error) || (error.code !== "invalid_input" && error.code !== "conflict")) throw error;
        for (const i of importIssuesOf(error)) stderr(`error: ${describeImportIssue(i, "cli")}`);
        stderr("Nothing was imported.");
        return 2;
      }
      for (const w of p.importWarnings) stderr(`warning: ${w.line ? `line ${w.line}: ` : ""}${w.message}`);
      stdout(`Imported profile "${p.name}" (${p.kind}, id ${p.id}) from ${p.importFormat}`);
      if (p.status === "incomplete") {
        // The warning above says why; this says how (the console's profile list filters on it).
        const missing = missingConsoleFields(p.settings);
        stdout(`Marked incomplete (no ${missing.map((m) => m.field).join(", ")}): set it with: npm run cli -- profile update "${p.name}" ${missing.map((m) => `--set ${m.field}=…`).join(" ")}`);
      }
      stdout(`Next: npm run cli -- doctor "${p.name}"`);
    },
  },
];
