import { runCli } from "@/cli/main";

/** Runs a CLI command in process, collecting what it writes; `stdin` is what readStdin returns. */
export async function runCliCaptured(argv: string[], stdin = ""): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l), readStdin: async () => stdin });
  return { code, out: out.join("\n"), err: err.join("\n") };
}
