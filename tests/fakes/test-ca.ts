import { execFileSync } from "node:child_process";
import path from "node:path";

export type TestCaFiles = { dir: string; caCert: string; caKey: string; serverCert: string; serverKey: string; bundle: string; untrustedCert: string; untrustedKey: string };

let files: TestCaFiles | undefined;

/**
 * The test CA's files (created on first use) for every fake that speaks TLS. scripts/test-ca.mjs
 * runs in a child process instead of being imported: Playwright's CommonJS loader cannot load
 * that plain ESM script, and the e2e specs start these fakes too.
 */
export function testCa(): TestCaFiles {
  return (files ??= JSON.parse(execFileSync(process.execPath, [path.resolve(__dirname, "../../scripts/test-ca.mjs")], { encoding: "utf8" })) as TestCaFiles);
}
