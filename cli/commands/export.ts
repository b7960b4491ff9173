import fs from "node:fs";
import path from "node:path";
import { localOperator, type Actor } from "@/lib/auth/actor";
import { EXPORT_FORMATS, listExportFormats } from "@/lib/export/formats";
import { createBulkPaths } from "@/lib/export/bulk";
import { exportProfileWithSecrets, type CachedTokenNote } from "@/lib/export/secret-export";
import { exportAllFormatsZip } from "@/lib/export/profile-zip";
import { compareRequestSchema, compareWithExport, MAX_COMPARE_CHARS } from "@/lib/export/compare-service";
import { renderCompareText } from "@/lib/export/compare";
import { buildSettingsCards, renderSettingsCardsText } from "@/lib/export/settings-cards";
import { getOAuthRedirectUri } from "@/lib/tokens/authorization";
import { AppError } from "@/lib/errors";
import { exportProfile, exportProfiles, type ProfileExport } from "@/lib/export/service";
import { getProfileByName } from "@/lib/profiles/dal";
import { ensureDirNoFollow, writeFileNoFollow } from "@/lib/fs/safe-write";
import { PROFILE_KINDS, type ProfileKind } from "@/lib/profiles/schema";
import { flagBool, flagList, flagString, requirePositional, UsageError, type CliCommand, type CliContext } from "../framework";

/**
 * `export --all`: every profile (or those matching --kind/--search) whose kind has the format,
 * one folder per profile under --out (the target systems expect fixed file names such as
 * iMailOAuth.config). Refuses a non-empty --out without --force, so nothing is overwritten by
 * accident. Exit 1 when any profile failed (its secrets could not be opened, …), 0 otherwise.
 */
async function exportAll(actor: Actor, format: string, { args, stdout, stderr }: CliContext): Promise<number> {
  const out = flagString(args, "out");
  if (!out) throw new UsageError("--all writes one folder per profile: give the target directory with --out DIR");
  const kinds = flagList(args, "kind");
  for (const k of kinds) {
    if (!(PROFILE_KINDS as readonly string[]).includes(k)) throw new UsageError(`--kind ${k} is not a profile kind; expected one of ${PROFILE_KINDS.join(", ")}`);
  }
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0 && !flagBool(args, "force")) {
    throw new UsageError(`${out} is not empty; choose an empty directory or add --force to overwrite files in it`);
  }
  const includeSecrets = flagBool(args, "include-secrets");
  const { plan, batches } = await exportProfiles(actor, format, { kinds: kinds.length ? (kinds as ProfileKind[]) : undefined, query: flagString(args, "search") }, { includeSecrets });
  if (plan.otherKinds) stderr(`note: ${plan.otherKinds} selected profile(s) skipped: ${plan.label} is not available for their kind`);
  if (!plan.matching) {
    stderr(`Nothing to export: no selected profile has ${plan.label}.`);
    return 0;
  }
  const dirMode = includeSecrets ? 0o700 : 0o755;
  // No write follows a link planted in --out (a shared folder): see lib/fs/safe-write.ts.
  ensureDirNoFollow(out, out, dirMode);
  const pathOf = createBulkPaths();
  let written = 0;
  let failed = 0;
  for await (const batch of batches) {
    for (const item of batch) {
      if (!item.ok) {
        failed++;
        stderr(`failed: ${item.profileName}: ${item.error.userMessage}`);
        continue;
      }
      const file = path.join(out, pathOf(item));
      ensureDirNoFollow(out, path.dirname(file), dirMode);
      writeFileNoFollow(file, item.content, { mode: includeSecrets ? 0o600 : 0o644, overwrite: flagBool(args, "force") });
      for (const w of item.warnings) stderr(`warning: ${item.profileName}: ${w.message}`);
      written++;
    }
  }
  stdout(`Wrote ${written} of ${plan.matching} profile(s) as ${plan.label} to ${out}${includeSecrets ? " (contains secrets; files are mode 0600)" : " (placeholders instead of secrets)"}${failed ? `; ${failed} failed` : ""}`);
  return failed ? 1 : 0;
}

export const commands: CliCommand[] = [
  {
    path: ["export"],
    usage: "export NAME --format F [--include-secrets] [--out FILE] | export NAME --all-formats --out FILE.zip [--include-secrets] | export NAME --format F --diff FILE [--json] | export NAME --settings-cards [--json] | export --all --format F --out DIR [--kind K]… [--search TEXT] [--include-secrets] [--force]",
    summary: "Render an export (iMailOAuth.config, IBM i JSON/CL, PowerShell, …); without --format, list the formats; --all exports every profile",
    repeatable: ["kind"],
    async run(ctx) {
      const { args, stdout, stderr } = ctx;
      const actor = localOperator();
      if (flagBool(args, "all")) {
        if (args.positionals.length) throw new UsageError("give either a profile NAME or --all, not both");
        const format = flagString(args, "format");
        if (!format) throw new UsageError(`--all needs --format; one of ${EXPORT_FORMATS.map((f) => f.id).join(", ")}`);
        return exportAll(actor, format, ctx);
      }
      const profile = await getProfileByName(actor, requirePositional(args, 0, "profile NAME"));
      if (flagBool(args, "settings-cards")) {
        // The console's webMethods / Airlock cards (export page), from the same lib function.
        const cards = buildSettingsCards(profile.settings, { consoleRedirectUri: getOAuthRedirectUri() });
        if (!cards.length) {
          stderr(`No settings cards for ${profile.kind} profiles (webMethods: m365-auth-code; Airlock: m365-app-smtp, oauth2-generic with client_credentials).`);
          return 1;
        }
        stdout(flagBool(args, "json") ? JSON.stringify(cards, null, 2) : renderSettingsCardsText(cards).replace(/\n$/, ""));
        return;
      }
      const diffFile = flagString(args, "diff");
      if (diffFile !== undefined) {
        // The console's "Compare with the file on the target": exit 0 same, 1 different, 2 bad input.
        if (!fs.existsSync(diffFile)) throw new UsageError(`--diff ${diffFile}: no such file`);
        if (fs.statSync(diffFile).size > MAX_COMPARE_CHARS * 4) throw new UsageError(`--diff ${diffFile}: the file is larger than ${MAX_COMPARE_CHARS / 1024} KB`);
        const input = compareRequestSchema.safeParse({ format: flagString(args, "format"), text: fs.readFileSync(diffFile, "utf8") });
        if (!input.success) {
          const issue = input.error.issues[0];
          throw new AppError("invalid_input", `${issue.path[0] === "text" ? `--diff ${diffFile}` : "--format"}: ${issue.message}`, { field: String(issue.path[0]) });
        }
        const result = await compareWithExport(actor, profile.id, input.data);
        stdout(flagBool(args, "json") ? JSON.stringify(result, null, 2) : renderCompareText(result, { expected: `the export (${result.filename})`, actual: diffFile }));
        return result.identical ? 0 : 1;
      }
      if (flagBool(args, "all-formats")) {
        const out = flagString(args, "out");
        if (!out) throw new UsageError("--all-formats writes one ZIP: give the file with --out FILE.zip");
        if (flagString(args, "format")) throw new UsageError("give either --format F or --all-formats, not both");
        const includeSecrets = flagBool(args, "include-secrets");
        const zip = await exportAllFormatsZip(actor, profile.id, { includeSecrets });
        for (const e of zip.entries) for (const w of e.warnings) stderr(`warning: ${e.path}: ${w}`);
        if (zip.token) stderr(zip.token.included ? `note: the cached access token (expires ${zip.token.expiresAt}) is included` : `note: no cached token included: ${zip.token.note}`);
        writeFileNoFollow(out, zip.zip, { mode: includeSecrets ? 0o600 : 0o644, overwrite: true });
        stdout(`Wrote ${out}: ${zip.entries.length} files (${zip.entries.map((e) => e.path).join(", ")})${includeSecrets ? "; contains secrets, mode 0600" : "; secrets are placeholders"}`);
        return;
      }
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
      // With secrets, the console's export page and this command share one path (same bytes, cached token included).
      const result: ProfileExport & { token?: CachedTokenNote | null } = includeSecrets
        ? await exportProfileWithSecrets(actor, profile.id, format)
        : await exportProfile(actor, profile.id, format, { includeSecrets, logActivity: Boolean(out) });
      for (const w of result.warnings) stderr(`warning: ${w.message}`);
      if (result.token) stderr(result.token.included ? `note: the cached access token (expires ${result.token.expiresAt}) is included` : `note: no cached token included: ${result.token.note}`);
      if (out) {
        // Files with secrets are readable by the owner only; a link at --out is refused, never followed.
        writeFileNoFollow(out, result.content, { mode: includeSecrets ? 0o600 : 0o644, overwrite: true });
        stderr(`Wrote ${out} (${result.filename}${includeSecrets ? ", contains secrets" : ""})`);
      } else {
        if (includeSecrets && process.stdout.isTTY) stderr("note: secrets are printed below; prefer --out FILE");
        stdout(result.content.replace(/\n$/, ""));
      }
    },
  },
];

