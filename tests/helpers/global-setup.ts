import fs from "node:fs";
import path from "node:path";
// @ts-expect-error plain ESM helper without types
import { migrateDatabase } from "./migrate.mjs";
// @ts-expect-error plain ESM helper without types
import { ensureTestCa } from "../../scripts/test-ca.mjs";

/**
 * Migrates one template database per run; every test file copies it (fast, isolated, real
 * schema). Each run has its own directory, so concurrent runs never delete each other's files;
 * directories of runs older than a day are removed.
 */
export default function setup(): () => void {
  const root = path.resolve(".tmp/vitest");
  fs.mkdirSync(root, { recursive: true });
  for (const entry of fs.readdirSync(root)) {
    const p = path.join(root, entry);
    try {
      if (Date.now() - fs.statSync(p).mtimeMs > 24 * 3600_000) fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // removed by another run meanwhile
    }
  }
  const runDir = path.join(root, `run-${process.pid}-${Date.now()}`);
  const template = path.join(runDir, "template.db");
  migrateDatabase(template);
  process.env.OMC_TEST_RUN_DIR = runDir;
  process.env.OMC_TEMPLATE_DB = template;
  ensureTestCa();
  return () => fs.rmSync(runDir, { recursive: true, force: true });
}
