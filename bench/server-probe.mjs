// Shared by the body benchmarks (anonymous-bodies.mjs, signed-in-uploads.ts): the server's RSS
// from /proc and the time one GET /login takes.
import fs from "node:fs";
import http from "node:http";

/** Resident memory of a process in MB (0 once it is gone). */
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Milliseconds one GET /login on 127.0.0.1:port takes (NaN when it fails). */
export function timeLogin(port) {
  const t = performance.now();
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/login" }, (res) => {
      res.resume();
      res.on("end", () => resolve(performance.now() - t));
    });
    req.on("error", () => resolve(Number.NaN));
  });
}

/** Waits until the server answers /login (up to 150 s). */
export async function waitUp(port) {
  for (let i = 0; i < 600; i++) {
    if (Number.isFinite(await timeLogin(port))) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("server did not start");
}
