import fs from "node:fs";
import { parseImport, diagnoseImport, readImport } from "@/lib/export/import";
import { renderExport, EXPORT_FORMATS } from "@/lib/export/formats";
import { fixtureProfile } from "@/tests/fixtures/profiles";
import { profileSettingsSchema } from "@/lib/profiles/schema";
const now = new Date("2026-03-15T12:00:00Z");
for (const f of fs.readdirSync("lib/export/__fixtures__")) {
  if (f.includes("-cl-")) continue;
  const text = fs.readFileSync("lib/export/__fixtures__/" + f, "utf8");
  const r = readImport(text);
  console.log("==", f, r.format, r.kind, JSON.stringify(r.settings), r.warnings.map(w=>`${w.line}:${w.message}`));
  const d = diagnoseImport(text, { now });
  console.log("  findings", d.findings.map(x=>`${x.severity} ${x.ruleId} ${x.line ?? ""} ${x.problem}`), "\n  importError", d.importError);
}
for (const fmt of EXPORT_FORMATS) for (const k of fmt.kinds) {
  const p = fixtureProfile(k, "Fixture " + k);
  const settings = profileSettingsSchema.parse(p.settings);
  const r = renderExport(fmt.id, { settings, now });
  if (process.argv.includes(fmt.id)) console.log("#####", fmt.id, k, r.filename, r.warnings, "\n" + r.content);
}
