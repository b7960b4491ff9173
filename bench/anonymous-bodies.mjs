// Issue 12 point 3, measured: N concurrent anonymous POSTs of a large body to the send-test
// route against the built console (`next build` first), while /login is timed and the server's
// RSS sampled. Run: node bench/anonymous-bodies.mjs [--port 3399] [--clients 24] [--mb 34]
// Prints one JSON object. Not a test (numbers depend on the machine); README quotes a run.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { prepareDataDir } from "../lib/db/data-dir.mjs";
import { serverArgv } from "../scripts/server-command.mjs";
import { rssMb, timeLogin as probeLogin, waitUp as waitUntilUp } from "./server-probe.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const port = Number(arg("port", "3399"));
const clients = Number(arg("clients", "24"));
const bodyBytes = Number(arg("mb", "34")) * 1024 * 1024;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "omc-bodies-"));
const databaseFile = path.join(dataDir, "console.db");
prepareDataDir({ root, dataDir, databaseFile });
const env = { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: `http://127.0.0.1:${port}`, NEXT_TELEMETRY_DISABLED: "1" };
delete env.DATABASE_FILE;
delete env.CONSOLE_MASTER_KEY;
const server = spawn(process.execPath, serverArgv(root, port, "127.0.0.1"), { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });

const timeLogin = () => probeLogin(port);
const waitUp = () => waitUntilUp(port);

function post(body) {
  return new Promise((resolve) => {
    const req = http.request(
      { host: "127.0.0.1", port, method: "POST", path: "/api/profiles/00000000-0000-4000-8000-000000000000/send-test", headers: { "content-type": "application/json", "content-length": body.length } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      },
    );
    req.on("error", (e) => resolve(e.code ?? "error"));
    req.end(body);
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  await waitUp();
  const idle = [];
  for (let i = 0; i < 7; i++) idle.push(await timeLogin());
  const rssBefore = rssMb(server.pid);
  const body = Buffer.alloc(bodyBytes, 0x41);
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid))), 100);
  const attack = Promise.all(Array.from({ length: clients }, () => post(body)));
  let done = false;
  void attack.then(() => (done = true));
  const during = [];
  while (!done) during.push(await timeLogin());
  const statuses = await attack;
  clearInterval(sampler);
  const counts = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  console.log(
    JSON.stringify({
      clients,
      bodyMb: bodyBytes / 1024 / 1024,
      statuses: counts,
      rssIdleMb: Math.round(rssBefore),
      rssPeakMb: Math.round(peak),
      loginIdleMedianMs: Math.round(median(idle)),
      loginDuringMedianMs: Math.round(median(during)),
      loginDuringMaxMs: Math.round(Math.max(...during)),
    }),
  );
} finally {
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
