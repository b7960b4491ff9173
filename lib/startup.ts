import "server-only";
import { initMasterKey } from "./crypto/keyring";
import { isAppError } from "./errors";
import { pruneActivity } from "./activity/dal";
import { pruneSessions } from "./auth/admins";
import { getConsoleSettings } from "./settings/dal";

/**
 * Runs once when the server boots: proves the master key matches the database (or refuses to
 * start, changing nothing), then prunes expired sessions and activity past retention.
 */
export async function runStartupChecks(): Promise<void> {
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
    if (pruned) console.log(`[console] pruned ${pruned} activity entries older than ${logRetentionDays} days`);
  } catch (error) {
    console.error("[console] start-up pruning failed:", error instanceof Error ? error.message : error);
  }
  // The SMTP relay (RELAY_PORT or enabled on the Relay page) runs as a supervised child.
  const { startRelaySupervisor } = await import("./relay/supervisor");
  startRelaySupervisor();
}
