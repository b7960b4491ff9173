export async function register(): Promise<void> {
  // Node.js server only (not the edge runtime, not the build).
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { runStartupChecks } = await import("./lib/startup");
  await runStartupChecks();
}
