/**
 * `npm run bench`: the performance benchmark of issue 6. Not a test: it measures and reports
 * (stdout table + bench/results.json) and exits 0 even when a target is missed; it exits 1 only
 * when the benchmark itself could not run.
 *
 * This file is only the launcher. The library code needs Node's `react-server` condition (for
 * "server-only") and NODE_EXTRA_CA_CERTS pointing at the test CA bundle (read once at process
 * start), so when either is missing it re-runs itself under tsx with both and waits. Everything
 * else lives in bench/run.ts, loaded only in the child.
 *
 * Options: --quick (fewer samples, no 10,000-profile step; for trying the harness out),
 * --server-only (skip the in-process scenarios 1-3 and start-up), --inproc-only (only the
 * in-process scenarios 1-3), --monitor-only (only scenario 8: scheduled checks at scale and idle),
 * --relay-only (only scenario 9: the relay), --keep (keep the databases).
 */
import { spawn } from "node:child_process";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const MARK = "OMC_BENCH_CHILD";

async function main(): Promise<number> {
  if (process.env[MARK] === "1") {
    const { runBenchmark } = await import("./run");
    return runBenchmark(process.argv.slice(2));
  }
  // @ts-expect-error plain ESM helper without types
  const { ensureTestCa } = (await import("../scripts/test-ca.mjs")) as { ensureTestCa: () => { bundle: string } };
  const ca = ensureTestCa();
  const child = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", path.join(root, "bench/main.ts"), ...process.argv.slice(2)], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, [MARK]: "1", NODE_EXTRA_CA_CERTS: ca.bundle, NEXT_TELEMETRY_DISABLED: "1" },
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("[bench] failed:", error);
    process.exit(1);
  },
);
