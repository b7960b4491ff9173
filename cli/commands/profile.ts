import fs from "node:fs";
import { localOperator } from "@/lib/auth/actor";
import { createProfile, deleteProfile, getProfileByName, listProfiles, updateProfile, type ProfileDto } from "@/lib/profiles/dal";
import { patchProfileInput } from "@/lib/profiles/patch";
import { SECRET_NAMES, type SecretName } from "@/lib/profiles/schema";
import { parseSetFlags } from "./import";
import { KIND_SHORT, profileInputSchema } from "@/lib/profiles/schema";
import { AppError } from "@/lib/errors";
import { flagBool, flagList, flagString, requirePositional, UsageError, type CliCommand, type CliContext } from "../framework";
import { runBulkOperation } from "@/lib/profiles/bulk";
import { bulkSelectionSchema, type BulkSelectionInput } from "@/lib/profiles/bulk-schema";
import { BULK_OPERATION_LABELS, bulkSummaryLine, type BulkItemResult } from "@/lib/profiles/bulk-types";

function masked(p: ProfileDto) {
  return { ...p, secrets: Object.fromEntries(Object.entries(p.secretsSet).map(([k, v]) => [k, v ? "set (hidden)" : "not set"])) };
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const pos = Number(String((error as Error).message).match(/position (\d+)/)?.[1]);
    const line = Number.isFinite(pos) ? ` at line ${text.slice(0, pos).split("\n").length}` : "";
    throw new AppError("invalid_input", `${file} is not valid JSON${line}: ${(error as Error).message}`);
  }
}

/**
 * `profile test|refresh NAME | --all [--kind K] [--search T] [--status S]`: the console's bulk
 * work over the same lib function and selection (the list's filter, validated by the shared
 * schema). Lines as each profile finishes, then the summary; --json prints the console's result
 * object. Exit 1 when any profile failed.
 */
async function runBulkCommand(operation: "test" | "refresh", { args, stdout, stderr }: CliContext): Promise<number> {
  const actor = localOperator();
  const all = flagBool(args, "all");
  const name = args.positionals[0];
  if (all === Boolean(name)) throw new UsageError("give a profile NAME or --all (with --kind K, --search TEXT, --status S to narrow it)");
  let selection: BulkSelectionInput;
  if (name) {
    if (flagString(args, "kind") || flagString(args, "search") || flagString(args, "status")) throw new UsageError("--kind, --search and --status go with --all");
    selection = { ids: [(await getProfileByName(actor, name)).id] };
  } else {
    const parsed = bulkSelectionSchema.safeParse({ filter: { q: flagString(args, "search"), kind: flagString(args, "kind"), status: flagString(args, "status") } });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const flag = { q: "--search", kind: "--kind", status: "--status" }[String(issue.path[1])] ?? "selection";
      throw new UsageError(`${flag}: ${issue.message}`);
    }
    selection = parsed.data;
  }
  const json = flagBool(args, "json");
  const label = BULK_OPERATION_LABELS[operation];
  const line = (r: BulkItemResult) => `${r.status.toUpperCase().padEnd(7)}  ${r.profileName}  ${r.message}${r.hint && r.status === "failed" ? `\n         hint: ${r.hint}` : ""}`;
  const run = await runBulkOperation(actor, operation, selection, {
    onStart: (total) => {
      if (!json) stderr(`${label.verb} ${total} profile(s), 4 at a time${operation === "test" ? " (token check; no mail is sent)" : ""}…`);
    },
    onItem: (r) => {
      if (!json) stdout(line(r));
    },
  });
  if (json) stdout(JSON.stringify(run, null, 2));
  else stdout(`${label.title}: ${bulkSummaryLine(run.summary)}`);
  return run.summary.failed ? 1 : 0;
}

export const commands: CliCommand[] = [
  {
    path: ["profile", "test"],
    usage: "profile test NAME | --all [--kind K] [--search TEXT] [--status S] [--json]",
    summary: "Token check of one profile or all matching the list's filter (no mail is sent), 4 at a time; exit 1 if any failed",
    run: (ctx) => runBulkCommand("test", ctx),
  },
  {
    path: ["profile", "refresh"],
    usage: "profile refresh NAME | --all [--kind K] [--search TEXT] [--status S] [--json]",
    summary: "A new access token for one profile or all matching the list's filter, into the token cache; exit 1 if any failed",
    run: (ctx) => runBulkCommand("refresh", ctx),
  },
  {
    path: ["profile", "list"],
    usage: "profile list [--json] [--search TEXT]",
    summary: "List mail profiles",
    async run({ args, stdout }) {
      const actor = localOperator();
      const all = [];
      for (let page = 1; ; page++) {
        const res = await listProfiles(actor, { query: flagString(args, "search"), page, pageSize: 500 });
        all.push(...res.items);
        if (all.length >= res.total || res.items.length === 0) break;
      }
      if (flagBool(args, "json")) {
        stdout(JSON.stringify(all, null, 2));
        return;
      }
      if (all.length === 0) {
        stdout("No profiles yet. Create one with: npm run cli -- profile create --file PROFILE.json");
        return;
      }
      const w = Math.max(4, ...all.map((p) => p.name.length));
      stdout(`${"NAME".padEnd(w)}  ${"KIND".padEnd(16)}  ${"STATUS".padEnd(12)}  ACCOUNT`);
      for (const p of all) stdout(`${p.name.padEnd(w)}  ${KIND_SHORT[p.kind].padEnd(16)}  ${p.status.padEnd(12)}  ${p.account}`);
    },
  },
  {
    path: ["profile", "show"],
    usage: "profile show NAME [--json]",
    summary: "Show one profile (secrets masked)",
    async run({ args, stdout }) {
      const p = await getProfileByName(localOperator(), requirePositional(args, 0, "profile NAME"));
      if (flagBool(args, "json")) {
        stdout(JSON.stringify(masked(p), null, 2));
        return;
      }
      stdout(`${p.name}  (${p.kind}, version ${p.version}, status ${p.status})`);
      for (const [k, v] of Object.entries(p.settings)) {
        if (k === "certificatePem") continue;
        stdout(`  ${k.padEnd(24)} ${String(v)}`);
      }
      for (const [k, v] of Object.entries(masked(p).secrets)) stdout(`  ${k.padEnd(24)} ${v}`);
      if (p.certificate) {
        stdout(`  certificate SHA-1         ${p.certificate.sha1Hex}`);
        stdout(`  certificate SHA-256       ${p.certificate.sha256Hex}`);
        stdout(`  certificate expires       ${p.certificate.notAfter}`);
      }
    },
  },
  {
    path: ["profile", "create"],
    usage: "profile create --file PROFILE.json",
    summary: 'Create a profile from JSON: { "settings": {…}, "secrets": {…} }',
    async run({ args, stdout }) {
      const file = flagString(args, "file");
      if (!file) throw new UsageError("--file PROFILE.json is required");
      const raw = readJsonFile(file) as Record<string, unknown>;
      // Accept both { settings, secrets } and a flat settings object.
      const shaped = raw && typeof raw === "object" && "settings" in raw ? raw : { settings: raw, secrets: {} };
      const input = profileInputSchema.parse(shaped);
      const p = await createProfile(localOperator(), input);
      stdout(`Created profile "${p.name}" (${p.kind}, id ${p.id})`);
    },
  },
  {
    path: ["profile", "update"],
    usage: "profile update NAME --set field=value … [--secret-stdin SECRET]",
    summary: "Change settings of a profile (validated like the console's Edit form, logged as profile.update); a secret only from standard input",
    repeatable: ["set"],
    async run({ args, stdout, readStdin }) {
      const actor = localOperator();
      const current = await getProfileByName(actor, requirePositional(args, 0, "profile NAME"));
      const set = parseSetFlags(flagList(args, "set"));
      const secretName = flagString(args, "secret-stdin");
      if (secretName !== undefined && !(SECRET_NAMES as readonly string[]).includes(secretName)) throw new UsageError(`--secret-stdin must name a secret: ${SECRET_NAMES.join(", ")}`);
      if (!Object.keys(set).length && !secretName) throw new UsageError("nothing to change: give --set field=value (repeatable) and/or --secret-stdin SECRET");
      // One line (a password, a client secret) or a whole file (a PEM key, a key JSON); only the final line break goes.
      const secrets = secretName ? { [secretName as SecretName]: (await readStdin()).replace(/\r?\n$/, "") } : undefined;
      const updated = await updateProfile(actor, current.id, patchProfileInput(current, { set, secrets }));
      const changed = [...Object.keys(set), ...(secretName ? [`${secretName} (secret)`] : [])];
      stdout(`Updated "${updated.name}" to version ${updated.version}: ${changed.join(", ")}`);
    },
  },
  {
    path: ["profile", "delete"],
    usage: "profile delete NAME",
    summary: "Delete a profile and its cached tokens",
    async run({ args, stdout }) {
      const actor = localOperator();
      const p = await getProfileByName(actor, requirePositional(args, 0, "profile NAME"));
      await deleteProfile(actor, p.id);
      stdout(`Deleted profile "${p.name}"`);
    },
  },
];
