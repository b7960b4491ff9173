import "server-only";
import { initMasterKey } from "./crypto/keyring";
import { isAppError } from "./errors";
import { pruneActivity } from "./activity/dal";
import { hasAnyAdmin, pruneSessions } from "./auth/admins";
import { issueSetupCode } from "./auth/setup-code";
import { getConsoleSettings } from "./settings/dal";
import { acquireInstanceLock, secureDataDir } from "./db/data-dir.mjs";
import { getEnv } from "./env";
import { installRequestGate } from "./auth/request-gate";
import { BROWSER_REQUEST_LIMIT_BYTES } from "./mail/test-events";
import { removeLeftoverUploads } from "./mail/test-upload";

/**
 * Runs once when the server boots: proves the master key matches the database (or refuses to
 * start, changing nothing), then prunes expired sessions and activity past retention.
 */
export async function runStartupChecks(): Promise<void> {
  // New files (database WAL/SHM, keys, backups) are created owner-only.
  process.umask(0o077);
  const env = getEnv();
  try {
    acquireInstanceLock(env.dataDir);
    const changed = secureDataDir(env.dataDir, env.databaseFile);
    if (changed.length) console.log(`[console] set owner-only modes on ${changed.length} path${changed.length === 1 ? "" : "s"} in ${env.dataDir}`);
  } catch (error) {
    console.error(`[console] REFUSING TO START: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  // Before any request: Host allow-list, client address, body limits (see request-gate.ts).
  installRequestGate({ largeRoutes: [{ pattern: /^\/api\/profiles\/[^/]+\/send-test$/, maxBytes: BROWSER_REQUEST_LIMIT_BYTES }] });
  try {
    const info = await initMasterKey();
    console.log(`[console] master key ${info.source === "env" ? "from CONSOLE_MASTER_KEY" : `from ${info.file}`} (fingerprint ${info.fingerprint})`);
  } catch (error) {
    if (isAppError(error)) {
      console.error(`[console] REFUSING TO START: ${error.userMessage}`);
      if (error.hint) console.error(`[console] ${error.hint}`);
    } else {
      console.error("[console] REFUSING TO START: the database could not be opened.", error instanceof Error ? error.message : "");
    }
    process.exit(1);
  }
  try {
    const { logRetentionDays } = await getConsoleSettings();
    const pruned = await pruneActivity(logRetentionDays);
    await pruneSessions();
    const leftovers = removeLeftoverUploads();
    if (leftovers) console.log(`[console] removed ${leftovers} send-test upload temp file${leftovers === 1 ? "" : "s"} left by an earlier run`);
    if (pruned) console.log(`[console] pruned ${pruned} activity entries older than ${logRetentionDays} days`);
  } catch (error) {
    console.error("[console] start-up pruning failed:", error instanceof Error ? error.message : error);
  }
  // The SMTP relay (RELAY_PORT or enabled on the Relay page) runs as a supervised child.
  const { startRelaySupervisor } = await import("./relay/supervisor");
  startRelaySupervisor();
  // First run: whoever reaches a fresh install must also read this server's log to set it up.
  try {
    if (!(await hasAnyAdmin())) {
      const code = await issueSetupCode();
      console.log(`[console] First run: open ${env.publicUrl}/setup and enter this one-time setup code:`);
      console.log(`[console]     setup code: ${code}`);
      console.log("[console] (a restart prints a new code; `npm run cli -- admin create` needs none)");
    }
  } catch (error) {
    console.error("[console] could not issue the setup code:", error instanceof Error ? error.message : error);
  }
}
