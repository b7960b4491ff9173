// How `npm start` runs the console after prepare.mjs, read from package.json's "start" script, so
// the e2e server and the benchmark start it exactly as an installation does (same V8 flags).
import fs from "node:fs";
import path from "node:path";

const NEXT_BIN = "node_modules/next/dist/bin/next";

/** Node's arguments before the Next.js binary in the start script, e.g. ["--max-semi-space-size=4", …]. */
export function serverNodeArgs(root) {
  const start = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts?.start ?? "";
  const words = start.trim().split(/\s+/);
  const bin = words.indexOf(NEXT_BIN);
  if (words[0] !== "node" || bin < 0 || words[bin + 1] !== "start") {
    throw new Error(`package.json "start" should be "node [flags] ${NEXT_BIN} start", found: ${start}`);
  }
  // Paths in the flags (`--import ./scripts/…`) are relative to the install: make them absolute.
  return words.slice(1, bin).map((w) => (w.startsWith("./") ? path.join(root, w) : w));
}

/** The argv (after process.execPath) that starts the built console on host:port. */
export function serverArgv(root, port, host) {
  return [...serverNodeArgs(root), path.join(root, NEXT_BIN), "start", "-p", String(port), "-H", host];
}
