import "server-only";
import { getEnv } from "../env";
import { startMonitorScheduler } from "./scheduler";

/** Starts the server's monitor unless MONITOR_SCHEDULER=off. Returns whether it runs. */
export function startServerMonitor(): boolean {
  if (getEnv().MONITOR_SCHEDULER === "off") {
    console.log("[console] scheduled checks are off (MONITOR_SCHEDULER=off)");
    return false;
  }
  const s = startMonitorScheduler();
  console.log(`[console] scheduled checks and alerts on (${s.owner})`);
  return true;
}
