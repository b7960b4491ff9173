import { AppError, isAppError } from "@/lib/errors";

/**
 * A tiny command framework for `npm run cli -- <command> …`. Each file in cli/commands exports
 * `commands: CliCommand[]`; main.ts discovers them. Exit codes: 0 ok, 2 bad input (the message
 * names the field), 1 any other failure.
 */
export type ParsedArgs = { positionals: string[]; flags: Record<string, string | boolean | string[]> };

export type CliContext = {
  args: ParsedArgs;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Reads all of standard input (e.g. a password piped in). */
  readStdin: () => Promise<string>;
};

export type CliCommand = {
  /** Words that select the command, e.g. ["profile", "list"]. */
  path: string[];
  usage: string;
  summary: string;
  /** Flags that may repeat (collected into arrays). */
  repeatable?: string[];
  run: (ctx: CliContext) => Promise<number | void>;
};

export class UsageError extends Error {}

export function parseArgs(argv: string[], repeatable: string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const flags: ParsedArgs["flags"] = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      let value: string | boolean = true;
      if (eq > 0) value = a.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) value = argv[++i];
      if (repeatable.includes(name)) {
        const prev = flags[name];
        flags[name] = [...(Array.isArray(prev) ? prev : []), String(value)];
      } else flags[name] = value;
    } else positionals.push(a);
  }
  return { positionals, flags };
}

/** Boolean flags that take no value: `--json` must not swallow the next positional. */
export function parseArgsFor(command: CliCommand, argv: string[], booleanFlags: string[]): ParsedArgs {
  const fixed: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    fixed.push(argv[i]);
    const name = argv[i].startsWith("--") && !argv[i].includes("=") ? argv[i].slice(2) : null;
    if (name && booleanFlags.includes(name)) fixed[fixed.length - 1] = `--${name}=true`;
  }
  return parseArgs(fixed, command.repeatable);
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  if (v === undefined || v === false) return undefined;
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export function flagBool(args: ParsedArgs, name: string): boolean {
  const v = args.flags[name];
  return v === true || v === "true" || v === "yes" || v === "1";
}

export function flagList(args: ParsedArgs, name: string): string[] {
  const v = args.flags[name];
  if (v === undefined || v === false) return [];
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return Array.isArray(v) ? v : [v];
}

export function requirePositional(args: ParsedArgs, index: number, what: string): string {
  const v = args.positionals[index];
  if (!v) throw new UsageError(`missing ${what}`);
  return v;
}

/** Maps a thrown error to an exit code and a message (never a secret: AppError messages are safe). */
export function exitCodeFor(error: unknown, stderr: (l: string) => void): number {
  if (error instanceof UsageError) {
    stderr(`error: ${error.message}`);
    return 2;
  }
  if (isAppError(error)) {
    const field = error.field ? `${error.field}: ` : "";
    stderr(`error: ${field}${error.userMessage}`);
    if (error.hint) stderr(`hint: ${error.hint}`);
    return error.code === "invalid_input" || error.code === "conflict" || error.code === "stale_version" ? 2 : 1;
  }
  if (error && typeof error === "object" && "issues" in error && Array.isArray((error as { issues: unknown[] }).issues)) {
    for (const issue of (error as { issues: { path: PropertyKey[]; message: string }[] }).issues) {
      stderr(`error: ${issue.path.map(String).join(".") || "input"}: ${issue.message}`);
    }
    return 2;
  }
  stderr(`error: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

export { AppError };
