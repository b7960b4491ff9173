import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import { createHmac, timingSafeEqual } from "node:crypto";
import { testCa } from "./test-ca";

/**
 * An alert receiver for the tests: a generic webhook endpoint (verifies the X-OMC-Signature the
 * way a receiver should: HMAC-SHA256 over "<timestamp>.<raw body>", constant-time compare), or
 * a stand-in for a Teams/Slack incoming webhook (HTTPS with the test CA, a secret path like
 * theirs). Answers like the real ones — Slack "ok", Teams 202 — or fails on demand: 500, a
 * hang (never answers), a redirect.
 */

export type ReceivedAlert = { at: Date; path: string; headers: http.IncomingHttpHeaders; raw: string; json: unknown; signatureValid: boolean | null };

export type ReceiverMode = "ok" | "500" | "hang" | "redirect";

export type WebhookReceiver = {
  url: string;
  received: ReceivedAlert[];
  /** Requests that arrived and were never answered (hang mode). */
  hanging: () => number;
  setMode: (mode: ReceiverMode) => void;
  close: () => Promise<void>;
};

export async function startWebhookReceiver(options: { tls?: boolean; path?: string; signingSecret?: string; okStatus?: number; okBody?: string } = {}): Promise<WebhookReceiver> {
  const received: ReceivedAlert[] = [];
  const sockets = new Set<Socket>();
  let mode: ReceiverMode = "ok";
  let hanging = 0;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let json: unknown = null;
      try {
        json = JSON.parse(raw);
      } catch {
        json = null;
      }
      let signatureValid: boolean | null = null;
      if (options.signingSecret) {
        const ts = String(req.headers["x-omc-timestamp"] ?? "");
        const sig = Buffer.from(String(req.headers["x-omc-signature"] ?? ""));
        const expected = Buffer.from(`sha256=${createHmac("sha256", options.signingSecret).update(`${ts}.${raw}`).digest("hex")}`);
        signatureValid = /^\d+$/.test(ts) && Math.abs(Date.now() / 1000 - Number(ts)) < 300 && sig.length === expected.length && timingSafeEqual(sig, expected);
      }
      received.push({ at: new Date(), path: req.url ?? "/", headers: req.headers, raw, json, signatureValid });
      if (options.path && req.url !== options.path) {
        res.writeHead(404).end("no such webhook");
        return;
      }
      if (mode === "hang") {
        hanging++;
        return;
      }
      if (mode === "500") {
        res.writeHead(500, { "content-type": "text/plain" }).end("internal error");
        return;
      }
      if (mode === "redirect") {
        res.writeHead(302, { location: "https://elsewhere.example/" }).end();
        return;
      }
      if (signatureValid === false) {
        res.writeHead(401).end("bad signature");
        return;
      }
      res.writeHead(options.okStatus ?? 200, { "content-type": "text/plain" }).end(options.okBody ?? "ok");
    });
  };
  const ca = testCa();
  const server = options.tls ? https.createServer({ cert: fs.readFileSync(ca.serverCert), key: fs.readFileSync(ca.serverKey) }, handler) : http.createServer(handler);
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}${options.path ?? "/hook"}`,
    received,
    hanging: () => hanging,
    setMode: (m) => {
      mode = m;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
