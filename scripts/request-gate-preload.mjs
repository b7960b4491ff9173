// Loaded with `node --import` before Next.js (package.json "start"): holds every HTTP request
// until lib/auth/request-gate.ts is installed by instrumentation at boot, so not even the first
// requests of a fresh start reach Next.js without the gate (Host allow-list, client address,
// body limits). Next.js runs instrumentation eagerly at start, so the wait is the boot time; a
// request still waiting after 60 s is answered 503.
import http from "node:http";

const original = http.Server.prototype.emit;
const state = { gate: null, pending: [] };
globalThis.__omcRequestGatePreload = state;

/** Called by installRequestGate: from now on every request goes through `gate` first. */
state.install = (gate) => {
  state.gate = gate;
  for (const run of state.pending.splice(0)) run(gate);
};

http.Server.prototype.emit = function gatedEmit(event, ...args) {
  if (event !== "request") return original.apply(this, [event, ...args]);
  const [req, res] = args;
  const run = (gate) =>
    gate(req, res).then((pass) => {
      if (pass) original.apply(this, [event, ...args]);
    });
  if (state.gate) {
    void run(state.gate);
    return true;
  }
  let done = false;
  const timer = setTimeout(() => {
    if (done) return;
    done = true;
    res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "retry-after": "5" });
    res.end("The console is starting; try again in a moment.\n");
  }, 60_000);
  timer.unref();
  state.pending.push((gate) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    void run(gate);
  });
  return true;
};
