import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { initMasterKey } from "@/lib/crypto/keyring";
import { disconnectDb } from "@/lib/db/client";
import { prepareDataDir } from "@/lib/db/data-dir.mjs";
import { getEnv } from "@/lib/env";
import { exitCodeFor, parseArgsFor, UsageError, type CliCommand, type CliContext } from "./framework";

// Flags that never take a value (so `--json NAME` keeps NAME as a positional).
const BOOLEAN_FLAGS = ["allow-plain-auth", "no-auth", "failed", "supervised", "html", "transcript", "new-key-stdin", "json", "force", "reveal", "include-secrets", "yes", "read-receipt", "delivery-receipt", "help", "no-secrets", "dry-run", "all", "signing-secret-stdin", "no-canary", "all-formats", "settings-cards", "list"];

async function loadCommands(): Promise<CliCommand[]> {
  const dir = path.join(__dirname, "commands");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).sort();
  const out: CliCommand[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { commands?: CliCommand[] };
    out.push(...(mod.commands ?? []));
  }
  return out;
}

function helpText(commands: CliCommand[]): string {
  const lines = ["Usage: npm run cli -- <command> [options]", "", "Commands:"];
  for (const c of commands) lines.push(`  ${c.usage.padEnd(58)} ${c.summary}`);
  lines.push("", "Exit codes: 0 ok, 2 bad input, 1 other failure.");
  return lines.join("\n");
}

export async function runCli(argv: string[], io: Pick<CliContext, "stdout" | "stderr" | "readStdin">): Promise<number> {
  const commands = await loadCommands();
  if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help") {
    io.stdout(helpText(commands));
    return argv.length === 0 ? 2 : 0;
  }
  // Longest matching command path wins ("profile list" before "profile").
  const match = commands
    .filter((c) => c.path.every((w, i) => argv[i] === w))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!match) {
    io.stderr(`error: unknown command "${argv.slice(0, 2).join(" ")}". Run: npm run cli -- help`);
    return 2;
  }
  const rest = argv.slice(match.path.length);
  if (rest.includes("--help")) {
    io.stdout(`Usage: npm run cli -- ${match.usage}\n${match.summary}`);
    return 0;
  }
  try {
    const args = parseArgsFor(match, rest, BOOLEAN_FLAGS);
    // A new or old DATA_DIR works like after `npm start`: the same migration, the same modes.
    const env = getEnv();
    try {
      prepareDataDir({ root: path.resolve(__dirname, ".."), dataDir: env.dataDir, databaseFile: env.databaseFile });
    } catch (error) {
      io.stderr(`error: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    if (match.path[0] !== "key") await initMasterKey();
    const code = await match.run({ ...io, args });
    return typeof code === "number" ? code : 0;
  } catch (error) {
    return exitCodeFor(error, io.stderr);
  } finally {
    await disconnectDb();
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError("expected input on standard input (pipe it in)");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

if (require.main === module || process.argv[1]?.endsWith("cli/main.ts")) {
  // Files the CLI creates (database, keys, backups, exports with secrets) are the operator's only.
  process.umask(0o077);
  runCli(process.argv.slice(2), {
    stdout: (l) => process.stdout.write(l + "\n"),
    stderr: (l) => process.stderr.write(l + "\n"),
    readStdin,
  }).then((code) => {
    // Exit only after stdout has drained: a large --json listing to a pipe is written asynchronously.
    process.stdout.write("", () => process.exit(code));
  });
}
