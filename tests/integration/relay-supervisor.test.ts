import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { waitFor } from "@/tests/helpers/relay";
import { freePort } from "@/tests/helpers/relay-process";
import { resetEnvForTests } from "@/lib/env";
import { startRelaySupervisor, stopRelaySupervisor } from "@/lib/relay/supervisor";

// `RELAY_PORT=… npm start`: the console's start-up (lib/startup.ts, from instrumentation.ts) calls
// startRelaySupervisor(), which runs `relay serve --supervised` as a child process when RELAY_PORT
// is set. Here the same call with RELAY_PORT in the environment: the relay answers EHLO with SIZE,
// and stopping the supervisor stops the child (SIGTERM) so the port closes.

useTestDb();
let port: number;
const lines: string[] = [];
const saved = { RELAY_PORT: process.env.RELAY_PORT, RELAY_HOST: process.env.RELAY_HOST };

/** Connects, reads the banner, sends EHLO and resolves with the whole dialogue (or rejects). */
function ehlo(p: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(p, "127.0.0.1");
    let text = "";
    let mark = -1;
    socket.setTimeout(30_000, () => socket.destroy(new Error("no answer")));
    socket.on("error", reject);
    socket.on("data", (d: Buffer) => {
      text += d.toString("latin1");
      if (mark < 0 && /^220 .*\r\n/m.test(text)) {
        mark = text.length;
        socket.write("EHLO policy.test\r\n");
      } else if (mark >= 0 && /^250 .*\r\n/m.test(text.slice(mark))) {
        socket.end("QUIT\r\n");
        resolve(text);
      }
    });
    socket.on("close", () => reject(new Error(`closed: ${text}`)));
  });
}

beforeAll(async () => {
  port = await freePort();
  process.env.RELAY_PORT = String(port);
  process.env.RELAY_HOST = "127.0.0.1";
  resetEnvForTests();
});

afterAll(async () => {
  await stopRelaySupervisor();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvForTests();
});

describe("relay started with the console (RELAY_PORT)", () => {
  it("RELAY_PORT starts the supervised relay: it answers EHLO with SIZE, and stops with the console", { timeout: 240_000 }, async () => {
    startRelaySupervisor({ checkMs: 200, log: (l) => lines.push(l) });
    const dialogue = await waitFor("the relay child answering EHLO", () => ehlo(port), 180_000);
    expect(dialogue).toMatch(/^220 .*OAuth Mail Console relay ESMTP/m);
    expect(dialogue).toMatch(/^250[- ]SIZE 36700160\r$/m);
    expect(dialogue).toMatch(/^250[- ]STARTTLS\r$/m);
    expect(lines.join("\n")).toMatch(/\[console\] relay started as a supervised child \(pid \d+\)/);

    await stopRelaySupervisor();
    await waitFor("the port closed", () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, "127.0.0.1");
        s.once("connect", () => (s.destroy(), resolve(false)));
        s.once("error", () => resolve(true));
      }),
    );
    expect(lines.join("\n")).not.toMatch(/relay child exited/);
  });
});
