import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { serverNodeArgs } from "../../scripts/server-command.mjs";

// Issue 12 point 10 (with e2e/security-hardening.spec.ts "12.10" and the setup code in
// foundation.spec.ts): the Host allow-list and the other request-gate checks must hold from the
// first request of a fresh start. Next.js installs instrumentation (and so the gate) only after
// it listens, so `npm start` preloads a hold that keeps requests waiting until the gate is there.
const root = path.resolve(__dirname, "../..");

function get(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path: "/", headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", reject);
  });
}

describe("security 12.10: no request reaches the server before the request gate is installed", () => {
  it("holds a request that arrives before the gate and answers it through the gate once installed", async () => {
    // A stand-in for `next start`: the same Node flags as package.json's start script, a server
    // that answers 200 to everything, and a gate (refusing foreign Hosts) installed 1.5 s later.
    const script = `
      const http = require("node:http");
      const server = http.createServer((req, res) => { res.writeHead(200); res.end("app"); });
      server.listen(0, "127.0.0.1", () => console.log("PORT " + server.address().port));
      setTimeout(() => {
        const hold = globalThis.__omcRequestGatePreload;
        if (!hold) return;
        hold.install(async (req, res) => {
          if (req.headers.host !== "console.example") { res.writeHead(421); res.end(); return false; }
          return true;
        });
      }, 1500);`;
    const child = spawn(process.execPath, [...serverNodeArgs(root), "-e", script], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    try {
      const port = await new Promise<number>((resolve) => child.stdout.on("data", (d: Buffer) => {
        const m = /PORT (\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      }));
      // Sent at once, long before the gate exists: answered by the gate, not by the app.
      expect(await get(port, "rebind.evil.example")).toBe(421);
      expect(await get(port, "console.example")).toBe(200);
    } finally {
      child.kill();
    }
  });
});
