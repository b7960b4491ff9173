// Issue 12 point 3, measured: N concurrent signed-in uploads of one large attachment to the
// send-test route against a built console (`next build` first), server RSS sampled, /login timed.
// Each upload is complete but refused after it was received (the To address comes last and is
// invalid), so the receive path is measured and nothing is sent.
// Run: npx tsx --conditions=react-server bench/signed-in-uploads.mts [--port 3398] [--clients 8] [--mb 24]
//        [--format multipart|json] [--root DIR]   (--root: the install whose build is started,
//        e.g. a checkout of an older commit; --format json is the body the console sent before 12.3)
// Prints one JSON object. Not a test (numbers depend on the machine); README quotes a run.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { prepareDataDir } from "../lib/db/data-dir.mjs";
import { serverArgv } from "../scripts/server-command.mjs";
import { rssMb, timeLogin as probeLogin, waitUp } from "./server-probe.mjs";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const root = path.resolve(arg("root", path.join(path.dirname(new URL(import.meta.url).pathname), "..")));
const port = Number(arg("port", "3398"));
const clients = Number(arg("clients", "8"));
const fileBytes = Number(arg("mb", "24")) * 1024 * 1024;
const format = arg("format", "multipart");

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "omc-uploads-"));
const databaseFile = path.join(dataDir, "console.db");
prepareDataDir({ root, dataDir, databaseFile });
const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: `http://127.0.0.1:${port}`, NEXT_TELEMETRY_DISABLED: "1" };
delete env.DATABASE_FILE;
delete env.CONSOLE_MASTER_KEY;

// An admin, a session and a profile, made with the library against the same DATA_DIR (the key
// file is created here first; the server reads it).
Object.assign(process.env, { DATA_DIR: dataDir, DATABASE_FILE: databaseFile, PUBLIC_URL: env.PUBLIC_URL });
delete process.env.CONSOLE_MASTER_KEY;
const { initMasterKey } = await import("../lib/crypto/keyring");
const { createAdmin, signIn } = await import("../lib/auth/admins");
const { createProfile } = await import("../lib/profiles/dal");
const { disconnectDb } = await import("../lib/db/client");
await initMasterKey();
await createAdmin({ username: "bench" }, "bench", "Bench-Uploads-Pa55word");
const session = await signIn("bench", "Bench-Uploads-Pa55word", { ip: "127.0.0.1" });
const profile = await createProfile({ id: session.admin.id, username: "bench", via: "web" }, { settings: { kind: "m365-app-graph", name: "bench", tenantId: "7c0a6a1e-1d2b-4c3d-8e9f-0a1b2c3d4e5f", clientId: "3f2e1d0c-b9a8-4765-8432-10fedcba9876", fromAddress: "noreply@contoso.com", credentialType: "secret" }, secrets: { clientSecret: "Bench~Secret~0000" }, clearSecrets: [] } as never);
await disconnectDb();

const server = spawn(process.execPath, serverArgv(root, String(port), "127.0.0.1"), { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });

const boundary = "----bench-uploads";
const file = Buffer.alloc(fileBytes, 0x5a);
const body =
  format === "json"
    ? Buffer.from(JSON.stringify({ subject: "bench", attachments: [{ filename: "big.bin", contentType: "application/octet-stream", contentBase64: file.toString("base64") }], to: "not an address" }))
    : Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="subject"\r\n\r\nbench\r\n--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
        file,
        Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="to"\r\n\r\nnot an address\r\n--${boundary}--\r\n`),
      ]);
const contentType = format === "json" ? "application/json" : `multipart/form-data; boundary=${boundary}`;

function post(): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: "127.0.0.1", port, method: "POST", path: `/api/profiles/${profile.id}/send-test`, headers: { "content-type": contentType, "content-length": body.length, origin: env.PUBLIC_URL, cookie: `omc_session=${session.sessionToken}` } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
    req.end(body);
  });
}

const timeLogin = () => probeLogin(port);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  await waitUp(port);
  const idle: number[] = [];
  for (let i = 0; i < 7; i++) idle.push(await timeLogin());
  const rssBefore = rssMb(server.pid!);
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid!))), 100);
  const started = performance.now();
  const uploads = Promise.all(Array.from({ length: clients }, post));
  let done = false;
  void uploads.then(() => (done = true));
  const during: number[] = [];
  while (!done) during.push(await timeLogin());
  const statuses = await uploads;
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const counts: Record<string, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  console.log(
    JSON.stringify({
      format,
      clients,
      fileMb: fileBytes / 1024 / 1024,
      bodyMb: Math.round((body.length / 1024 / 1024) * 10) / 10,
      statuses: counts,
      seconds: Math.round(seconds * 10) / 10,
      rssIdleMb: Math.round(rssBefore),
      rssPeakMb: Math.round(peak),
      loginDuringMedianMs: Math.round(median(during)),
      loginDuringMaxMs: Math.round(Math.max(...during)),
      tempFilesLeft: fs.existsSync(path.join(dataDir, "tmp")) ? fs.readdirSync(path.join(dataDir, "tmp")).length : 0,
    }),
  );
} finally {
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
