import fs from "node:fs";
import path from "node:path";
// @ts-expect-error plain ESM helper without types
import { migrateDatabase } from "./migrate.mjs";
// @ts-expect-error plain ESM helper without types
import { ensureTestCa } from "../../scripts/test-ca.mjs";

/** Migrates one template database per run; every test copies it (fast, isolated, real schema). */
export default function setup(): void {
  const template = path.resolve(".tmp/vitest/template.db");
  fs.rmSync(path.dirname(template), { recursive: true, force: true });
  migrateDatabase(template);
  process.env.OMC_TEMPLATE_DB = template;
  ensureTestCa();
}
