import net from "node:net";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";

/**
 * `relay serve` as a real child process (tsx + cli/main.ts, the way systemd or `npm start` runs
 * it) against the calling test's database, so tests can kill -9 it and start it again.
 */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export type RelayProcess = { child: ChildProcess; port: number; output: () => string; exited: Promise<number | null>; kill9: () => Promise<void>; term: () => Promise<number | null> };

export async function startRelayProcess(port: number, env: Record<string, string> = {}, extraArgs: string[] = [], nodeArgs: string[] = []): Promise<RelayProcess> {
  const root = path.resolve(__dirname, "../..");
  // node itself runs the relay (tsx as a loader, not its CLI wrapper): SIGKILL hits the relay.
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "--conditions=react-server", path.join(root, "cli/main.ts"), "relay", "serve", "--host", "127.0.0.1", "--port", String(port), ...extraArgs], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
  const deadline = Date.now() + 90_000;
  while (!/\[relay\] listening on/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`relay serve did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    port,
    output: () => out,
    exited,
    kill9: async () => {
      child.kill("SIGKILL");
      await exited;
    },
    term: async () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}
