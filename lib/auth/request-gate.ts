import "server-only";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { resolveSession } from "./admins";
import { SESSION_COOKIE } from "../constants";
import { getEnv } from "../env";
import { resolveClientIp } from "../http/client-ip";
import { CLIENT_IP_HEADER } from "../http/gate-constants";

/**
 * The first code every HTTP request meets, before Next.js reads a byte of its body:
 * 1. Host allow-list: only PUBLIC_URL's host, ALLOWED_HOSTS and loopback names (a DNS-rebinding
 *    page reaches the server under its own name and is refused with 421).
 * 2. Client address: resolved from the socket (X-Forwarded-For only as far as TRUST_PROXY
 *    allows) into CLIENT_IP_HEADER; a client-sent copy of that header is dropped.
 * 3. Body size: without a valid session a request body may be at most ANONYMOUS_BODY_BYTES and
 *    must declare its length; with one, SIGNED_IN_BODY_BYTES, except the routes given as large
 *    routes (attachments). Refusals answer at once and close the connection, so the body is
 *    never buffered.
 */

export const ANONYMOUS_BODY_BYTES = 64 * 1024;
export const SIGNED_IN_BODY_BYTES = 2 * 1024 * 1024;

export type LargeRoute = { pattern: RegExp; maxBytes: number };
export type GateOptions = { largeRoutes: LargeRoute[] };

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/;

export function isAllowedHost(host: string | undefined, allowed: string[]): boolean {
  if (!host) return false;
  const h = host.trim().toLowerCase();
  return allowed.includes(h) || LOOPBACK_HOST.test(h);
}

function sessionToken(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader || cookieHeader.length > 16_384) return undefined;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  res.end(`${message}\n`);
  // Never buffer the rest of a refused body. Closing at once with unread input makes the kernel
  // send a reset that can overtake the answer, so the rest is discarded as it arrives (nothing
  // is kept) for at most one second (lingering close, as nginx does), then the connection drops.
  req.resume();
  setTimeout(() => req.socket.destroy(), 1000).unref();
}

function formatMb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}

/**
 * Decides one request. Returns true when it may go on to Next.js; otherwise it has answered.
 * Never throws: an unexpected failure refuses with 503 rather than letting a body through.
 */
export async function gateRequest(req: IncomingMessage, res: ServerResponse, options: GateOptions): Promise<boolean> {
  const env = getEnv();
  delete req.headers[CLIENT_IP_HEADER];
  req.headers[CLIENT_IP_HEADER] = resolveClientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"], env.trustProxy);

  if (!isAllowedHost(req.headers.host, env.allowedHosts)) {
    refuse(req, res, 421, `This console answers only to ${env.allowedHosts.join(", ")} (PUBLIC_URL, ALLOWED_HOSTS). Open it under that name, or add this host to ALLOWED_HOSTS.`);
    return false;
  }

  const method = (req.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return true;
  const lengthHeader = req.headers["content-length"];
  const declared = lengthHeader === undefined ? null : Number(lengthHeader);
  const chunked = req.headers["transfer-encoding"] !== undefined;
  if (!chunked && (declared === null || declared <= ANONYMOUS_BODY_BYTES)) return true;
  if (declared !== null && !Number.isSafeInteger(declared)) {
    refuse(req, res, 400, "Invalid Content-Length.");
    return false;
  }

  let signedIn = false;
  try {
    signedIn = (await resolveSession(sessionToken(req.headers.cookie))) !== null;
  } catch {
    refuse(req, res, 503, "The console could not check the session; try again.");
    return false;
  }
  if (!signedIn) {
    if (chunked && declared === null) refuse(req, res, 411, "Sign in first: requests without a session must declare their length.");
    else refuse(req, res, 413, `Sign in first: requests without a session may carry at most ${formatMb(ANONYMOUS_BODY_BYTES)}.`);
    return false;
  }
  const path = (req.url ?? "/").split("?")[0];
  const limit = options.largeRoutes.find((r) => r.pattern.test(path))?.maxBytes ?? SIGNED_IN_BODY_BYTES;
  if (declared !== null && declared > limit) {
    refuse(req, res, 413, `The request is too large: at most ${formatMb(limit)} here.`);
    return false;
  }
  return true;
}

/**
 * Puts gateRequest in front of every request of this process's HTTP servers (the one
 * `next start` creates). Installed once, from instrumentation at boot; with the preload of
 * `npm start` also the requests that arrived before (they waited for it).
 */
export function installRequestGate(options: GateOptions): void {
  const flag = globalThis as unknown as { __omcRequestGate?: boolean; __omcRequestGatePreload?: { install: (gate: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>) => void } };
  if (flag.__omcRequestGate) return;
  flag.__omcRequestGate = true;
  // `npm start` preloads scripts/request-gate-preload.mjs, which has held every request since the
  // process started: hand it the gate (it releases the waiting requests through it).
  if (flag.__omcRequestGatePreload) {
    flag.__omcRequestGatePreload.install((req, res) => gateRequest(req, res, options));
    return;
  }
  // Without the preload (`npm run dev`): gate from now on.
  const original = http.Server.prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  http.Server.prototype.emit = function gatedEmit(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== "request") return original.apply(this, [event, ...args]);
    const [req, res] = args as [IncomingMessage, ServerResponse];
    void gateRequest(req, res, options).then((pass) => {
      if (pass) original.apply(this, [event, ...args]);
    });
    return true;
  } as typeof http.Server.prototype.emit;
}
