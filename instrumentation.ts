export async function register(): Promise<void> {
  // Node.js server only (not the edge runtime, not the build).
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { runStartupChecks } = await import("./lib/startup");
  await runStartupChecks();
  // Scheduled checks and alerts: the first tick runs 2 s after start (missed runs catch up then),
  // so start-up itself stays as fast as before. MONITOR_SCHEDULER=off disables it.
  const { startServerMonitor } = await import("./lib/monitor/start");
  startServerMonitor();
}
