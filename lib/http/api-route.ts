import "server-only";
import { z } from "zod";
import { getCurrentAdmin } from "../auth/session";
import type { Actor } from "../auth/actor";
import { getEnv } from "../env";
import { HTTP_STATUS, isAppError } from "../errors";
import { NDJSON_CONTENT_TYPE, type ApiErrorBody, type StreamErrorEvent } from "./wire";
import { readCappedBytes } from "../read-capped";

/**
 * Guards and streaming for the console's JSON route handlers (POST /api/profiles/:id/…).
 *
 * Route handlers do not get Next's server-action CSRF check, so each one gets it here: a signed-in
 * admin (401 otherwise — no redirect, fetch() would follow it into the login page), an Origin
 * header, when present, naming this console (403 otherwise), `Content-Type: application/json`
 * (415 otherwise: an HTML form cannot send that cross-site without a CORS preflight, which these
 * routes never grant), a UUID profile id and a bounded body.
 */

const NO_STORE = { "cache-control": "no-store", "x-content-type-options": "nosniff" } as const;

/** A JSON error answer (never a secret: messages are fixed texts or AppError.userMessage). */
export function apiError(status: number, code: string, message: string, extra: { hint?: string; fieldErrors?: Record<string, string[]> } = {}): Response {
  const body: ApiErrorBody = { error: { code, message, ...extra } };
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...NO_STORE } });
}

/** Maps an AppError to its JSON answer; anything else is rethrown (Next answers 500 and logs it). */
export function apiErrorFrom(error: unknown): Response {
  if (!isAppError(error)) throw error;
  return apiError(HTTP_STATUS[error.code], error.code, error.userMessage, { hint: error.hint, fieldErrors: error.field ? { [error.field]: [error.userMessage] } : undefined });
}

function firstHeaderValue(v: string | null): string | undefined {
  return v?.split(",")[0]?.trim() || undefined;
}

/**
 * True when the request has no Origin header (same-origin navigations of old browsers, curl) or
 * its host is this console's: the Host / X-Forwarded-Host the request arrived with, or PUBLIC_URL.
 * Hosts are compared like Next's own server-action check (scheme aside: a TLS proxy in front of
 * `next start` makes the browser's scheme differ from the server's). "null" origins are refused.
 */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return false;
  }
  if (!originHost) return false;
  const own = new Set<string>();
  for (const h of [firstHeaderValue(request.headers.get("x-forwarded-host")), firstHeaderValue(request.headers.get("host"))]) if (h) own.add(h.toLowerCase());
  try {
    own.add(new URL(request.url).host.toLowerCase());
  } catch {
    // a relative or odd URL adds nothing
  }
  try {
    own.add(new URL(getEnv().publicUrl).host.toLowerCase());
  } catch {
    // PUBLIC_URL is validated at boot
  }
  return own.has(originHost);
}

/** Reads at most `max` bytes of the body; null when it is larger or arrived cut short. */
async function readBodyText(request: Request, max: number): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > max) return null;
  const bytes = await readCappedBytes(request.body, max);
  if (bytes === null) return null;
  // proxy.ts makes Next.js buffer bodies up to proxyClientMaxBodySize and silently drop the rest:
  // a body shorter than its Content-Length was cut there, and must not be parsed as if complete.
  if (Number.isFinite(declared) && declared > 0 && bytes.byteLength < declared) return null;
  return new TextDecoder().decode(bytes);
}

const profileIdSchema = z.uuid();

export type GuardedPost = { ok: true; admin: Actor; profileId: string; body: unknown; /** The body is multipart and still unread. */ multipart?: boolean } | { ok: false; response: Response };

/**
 * The checks every profile POST route runs, in this order: signed-in admin (401), same origin
 * (403), JSON content type (415), UUID profile id (404: it names no profile), body size (413) and
 * JSON syntax (400). Authentication comes first so anonymous callers learn nothing else. With
 * `multipart`, a multipart/form-data body is accepted too and left unread for the route to stream.
 */
export async function guardProfilePost(request: Request, rawProfileId: string, options: { maxBodyBytes: number; multipart?: boolean }): Promise<GuardedPost> {
  const guard = await guardJsonPost(request, { ...options, beforeBody: () => (profileIdSchema.safeParse(rawProfileId).success ? null : apiError(404, "not_found", "There is no profile with this id.")) });
  return guard.ok ? { ...guard, profileId: rawProfileId } : guard;
}

export type GuardedJsonPost = { ok: true; admin: Actor; body: unknown; multipart?: boolean } | { ok: false; response: Response };

/**
 * The checks of every console JSON POST route without a profile in its path (bulk work): the
 * same as guardProfilePost, in the same order, with `beforeBody` for a route's own check
 * between the content type and the body.
 */
export async function guardJsonPost(request: Request, options: { maxBodyBytes: number; beforeBody?: () => Response | null; tooLargeHint?: string; multipart?: boolean }): Promise<GuardedJsonPost> {
  const admin = await getCurrentAdmin();
  if (!admin) return { ok: false, response: apiError(401, "unauthorized", "Your session has ended. Sign in again.") };
  if (!isSameOrigin(request)) return { ok: false, response: apiError(403, "forbidden", "Refused: the request did not come from this console's pages.") };
  const type = request.headers.get("content-type") ?? "";
  // multipart/form-data can come cross-site from a plain HTML form (no CORS preflight), so it
  // also needs an Origin header naming this console: browsers send one on every fetch() POST.
  const multipart = Boolean(options.multipart) && /^multipart\/form-data\s*;/i.test(type) && request.headers.get("origin") !== null;
  if (!multipart && !/^application\/json\s*(;|$)/i.test(type)) return { ok: false, response: apiError(415, "unsupported_media_type", "Send the request as JSON (Content-Type: application/json).") };
  const refused = options.beforeBody?.();
  if (refused) return { ok: false, response: refused };
  // The body is left unread: the route streams it (lib/mail/test-upload.ts).
  if (multipart) return { ok: true, admin, body: undefined, multipart: true };
  const text = await readBodyText(request, options.maxBodyBytes);
  if (text === null) {
    return {
      ok: false,
      response: apiError(413, "too_large", "The request is too large for the console.", {
        hint: options.tooLargeHint ?? `The console accepts up to ${Math.round(options.maxBodyBytes / (1024 * 1024))} MB here, less when its proxy body limit (proxyClientMaxBodySize, 10 MB by default) is lower. Send fewer or smaller attachments.`,
      }),
    };
  }
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    return { ok: false, response: apiError(400, "invalid_json", "The request body is not valid JSON.") };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, response: apiError(400, "invalid_json", "The request body must be a JSON object.") };
  return { ok: true, admin, body };
}

export type GuardedFormPost = { ok: true; admin: Actor; fields: Record<string, string> } | { ok: false; response: Response };

/**
 * The checks of a console form posted to a route handler (Settings → Download backup), in order:
 * signed-in admin (401), an Origin header naming this console (403: browsers always send one on
 * POST, so its absence is refused here), `application/x-www-form-urlencoded` (415), body size
 * (413). Returns the fields; the caller validates them with the shared zod schema.
 */
export async function guardFormPost(request: Request, options: { maxBodyBytes: number }): Promise<GuardedFormPost> {
  const admin = await getCurrentAdmin();
  if (!admin) return { ok: false, response: apiError(401, "unauthorized", "Your session has ended. Sign in again.") };
  if (request.headers.get("origin") === null || !isSameOrigin(request)) return { ok: false, response: apiError(403, "forbidden", "Refused: the request did not come from this console's pages.") };
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) return { ok: false, response: apiError(415, "unsupported_media_type", "Send the form as application/x-www-form-urlencoded.") };
  const text = await readBodyText(request, options.maxBodyBytes);
  if (text === null) return { ok: false, response: apiError(413, "too_large", "The request is too large for the console.") };
  return { ok: true, admin, fields: Object.fromEntries(new URLSearchParams(text)) };
}

/**
 * Streams newline-delimited JSON: `run` emits events as they happen; the response starts at
 * once, so the browser shows progress while the work runs. An AppError thrown by `run` becomes
 * one `{type:"error"}` line with its safe message; anything else is logged on the server and
 * reported without detail. A client that goes away does not stop the work (a send in flight
 * still completes and is logged); later events are dropped.
 */
export function ndjsonResponse<E>(run: (emit: (event: E) => void) => Promise<void>): Response {
  const encoder = new TextEncoder();
  let open = true;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (event: E | StreamErrorEvent) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        } catch {
          open = false;
        }
      };
      // Not awaited: start() must return so the response (and its first bytes) can go out.
      void run(write)
        .catch((error: unknown) => {
          if (isAppError(error)) {
            write({ type: "error", code: error.code, message: error.userMessage, hint: error.hint, field: error.field });
          } else {
            console.error("streamed route failed:", error instanceof Error ? error.message : "unknown error");
            write({ type: "error", code: "internal", message: "The test stopped unexpectedly.", hint: "See the server log and the Logs page." });
          }
        })
        .finally(() => {
          if (!open) return;
          open = false;
          try {
            controller.close();
          } catch {
            // already closed by a cancelled reader
          }
        });
    },
    cancel() {
      open = false;
    },
  });
  return new Response(stream, {
    status: 200,
    // X-Accel-Buffering: nginx would otherwise hold the lines back until the end.
    headers: { "content-type": NDJSON_CONTENT_TYPE, "x-accel-buffering": "no", ...NO_STORE },
  });
}
