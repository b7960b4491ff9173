import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";
import { AppError } from "../errors";
import { redactor } from "../redact";
import { readCappedBytes } from "../read-capped";

/** A token response is a few KB (an id_token with many groups stays far below this). */
export const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/**
 * One HTTP exchange with a token endpoint, as far as it may be shown: status, content type and
 * a redacted body snippet. Token values and secrets are removed before anything is kept.
 */
export type TokenExchange = {
  method: string;
  url: string;
  /** The form parameters sent, secret values replaced by "[redacted]". */
  request?: string;
  host: string;
  status?: number;
  contentType?: string;
  /** The parsed JSON body with token values replaced by "[redacted]", when the body was JSON. */
  json?: Record<string, unknown>;
  /** The first characters of a non-JSON body (HTML error pages, truncated JSON). */
  bodySnippet?: string;
  /** Set when the request never produced a response (DNS, refused, TLS, timeout). */
  networkError?: { code: string; message: string };
  durationMs: number;
};

export type TokenHttp = {
  /** fetch with a timeout; records every exchange. */
  fetch: typeof fetch;
  /** The same transport as an MSAL network module (MSAL's own client has no POST timeout). */
  msalNetwork: INetworkModule;
  exchanges: TokenExchange[];
  /** The exchange that explains a failure: the last one. */
  lastExchange(): TokenExchange | undefined;
  /** Redacted lines for the activity transcript. */
  transcript(): string[];
  /**
   * Set when the transport itself refused a response (a redirect, an oversized body): the error
   * to report, whatever the library (MSAL, gaxios) made of the failed call.
   */
  refusal(): AppError | undefined;
  /** The one redactor of this acquisition (all secrets it was given, in every encoding it knows). */
  scrub: <T extends string | undefined>(text: T) => T;
};

const TOKEN_FIELDS = new Set(["access_token", "refresh_token", "id_token", "client_info", "assertion", "client_assertion", "device_code"]);
const SECRET_FORM_FIELDS = new Set(["client_secret", "password", "refresh_token", "code", "code_verifier", "assertion", "client_assertion", "access_token", "id_token", "device_code"]);

/**
 * Replaces token values in a parsed JSON body and scrubs every other string (an IdP may echo the
 * request, secrets included, in error_description); numbers and structure stay.
 */
function redactJson(body: Record<string, unknown>, scrub: (text: string) => string): Record<string, unknown> {
  const deep = (v: unknown): unknown => {
    if (typeof v === "string") return scrub(v);
    if (Array.isArray(v)) return v.map(deep);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)]));
    return v;
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) out[k] = TOKEN_FIELDS.has(k) && typeof v === "string" ? "[redacted]" : deep(v);
  return out;
}

/** Reads at most `max` bytes of a body; null when it is larger (the rest is not read). */
async function readCapped(response: Response, max: number): Promise<string | null> {
  const declared = Number(response.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  const bytes = await readCappedBytes(response.body, max);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

/** A form body for the transcript: parameter names, with secret values replaced. */
export function describeFormBody(body: string): string {
  const params = new URLSearchParams(body);
  const parts: string[] = [];
  for (const [k, v] of params) parts.push(`${k}=${SECRET_FORM_FIELDS.has(k) ? "[redacted]" : v}`);
  return parts.join("&");
}

/** Names the failure of a fetch that never got a response, from the undici/Node error chain. */
export function describeNetworkFailure(error: unknown, timedOut: boolean): { code: string; message: string } {
  if (timedOut) return { code: "ETIMEDOUT", message: "no response before the timeout" };
  let e: unknown = error;
  let closed = false;
  for (let depth = 0; depth < 5 && e; depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === "UND_ERR_SOCKET") closed = true;
    else if (typeof code === "string") return { code, message: String((e as Error).message ?? code) };
    e = (e as { cause?: unknown }).cause;
  }
  // undici's "other side closed": the server closed the connection without answering.
  if (closed) return { code: "ECONNRESET", message: "the server closed the connection before answering" };
  return { code: "ENETWORK", message: error instanceof Error ? error.message : String(error) };
}

/** A connection the peer closed or reset before answering (often a pooled keep-alive connection it had just dropped). */
export function isConnectionDrop(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e; depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Builds the transport used by every grant: a fetch with a timeout that records what happened.
 * A connection dropped before any answer is retried once, on a new connection, within the same
 * timeout: reusing a keep-alive connection that the server (or a proxy) closes at that moment is
 * a race no client can avoid, and a token request that never got an answer is safe to repeat
 * (at worst an authorization code already redeemed answers invalid_grant). Both tries are recorded.
 */
export function createTokenHttp(options: { timeoutMs: number; rewriteUrl?: (url: string) => string; secrets?: (string | undefined | null)[]; maxResponseBytes?: number }): TokenHttp {
  const exchanges: TokenExchange[] = [];
  // Everything recorded below passes through this one redactor: secret values in every encoding
  // (URL/form-encoded, base64, JSON-escaped…) plus anything secret-shaped.
  const scrub = redactor(options.secrets ?? []);
  const maxBytes = options.maxResponseBytes ?? MAX_TOKEN_RESPONSE_BYTES;
  let refused: AppError | undefined;

  const recordingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const original = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const url = options.rewriteUrl ? options.rewriteUrl(original) : original;
    const started = Date.now();
    const method = (init?.method ?? "GET").toUpperCase();
    const host = (() => {
      try {
        return new URL(url).host;
      } catch {
        return url;
      }
    })();
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let exchange!: TokenExchange;
    let response!: Response;
    for (let attempt = 1; ; attempt++) {
      exchange = { method, url: scrub(url.split("?")[0]), host, durationMs: 0 };
      if (typeof init?.body === "string" && init.body) exchange.request = scrub(describeFormBody(init.body)).slice(0, 1000);
      else if (init?.body instanceof URLSearchParams) exchange.request = scrub(describeFormBody(init.body.toString())).slice(0, 1000);
      exchanges.push(exchange);
      try {
        // Never follow a redirect: fetch would re-send the form (client secret, password) to
        // wherever the Location points, plain http included. This covers MSAL too (its network
        // module is this transport) and google-auth-library (its fetchImplementation).
        response = await fetch(url, { ...init, signal, redirect: "manual" });
        break;
      } catch (error) {
        exchange.durationMs = Date.now() - started;
        const failure = describeNetworkFailure(error, timeout.aborted);
        exchange.networkError = { code: failure.code, message: scrub(failure.message) };
        if (attempt === 1 && !signal.aborted && isConnectionDrop(error)) continue;
        throw error;
      }
    }
    if (response.status >= 300 && response.status < 400) {
      exchange.durationMs = Date.now() - started;
      exchange.status = response.status;
      await response.body?.cancel().catch(() => undefined);
      let target = "another address";
      try {
        const location = new URL(response.headers.get("location") ?? "", url);
        target = `${location.protocol}//${location.host}`;
      } catch {
        // no usable Location: say so generically
      }
      exchange.bodySnippet = scrub(`redirect to ${target} not followed`);
      refused = new AppError("remote_error", `The token endpoint ${host} answered HTTP ${response.status}, a redirect to ${scrub(target)}. Token requests never follow redirects: the credentials would be sent there too.`, {
        hint: "Put the final token URL into the profile (check for http vs https, a missing path segment or a proxy that rewrites the address).",
        remoteCode: `http_${response.status}`,
        detail: { kind: "token", transient: false, invalidGrant: false },
      });
      throw refused;
    }
    // Read the body once (with the same timeout, at most maxBytes) so a hanging, truncated or
    // oversized body is recorded too.
    let text: string | null;
    try {
      text = await readCapped(response, maxBytes);
    } catch (error) {
      exchange.durationMs = Date.now() - started;
      exchange.status = response.status;
      const failure = describeNetworkFailure(error, timeout.aborted);
      exchange.networkError = { code: failure.code, message: scrub(failure.message) };
      throw error;
    }
    if (text === null) {
      exchange.durationMs = Date.now() - started;
      exchange.status = response.status;
      exchange.networkError = { code: "ETOOLARGE", message: `response larger than ${Math.round(maxBytes / 1024)} KB, not read` };
      refused = new AppError("remote_error", `The token endpoint ${host} sent a response larger than ${Math.round(maxBytes / 1024)} KB; a token response is a few KB, so it was refused unread.`, {
        hint: "Check that the token URL points at the identity provider's token endpoint and not at a download or a proxy error page.",
        remoteCode: "response_too_large",
        detail: { kind: "token", transient: false, invalidGrant: false },
      });
      throw refused;
    }
    exchange.durationMs = Date.now() - started;
    exchange.status = response.status;
    exchange.contentType = response.headers.get("content-type") ?? undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) exchange.json = redactJson(parsed as Record<string, unknown>, scrub);
      else exchange.bodySnippet = scrub(text.slice(0, 200));
    } catch {
      // Scrubbed before cutting, so a secret at the cut is not left half visible.
      exchange.bodySnippet = scrub(text.slice(0, 2000)).slice(0, 200).replace(/\s+/g, " ");
    }
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  const send = async <T>(url: string, method: "GET" | "POST", request?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const response = await recordingFetch(url, { method, headers: request?.headers, body: method === "POST" ? (request?.body ?? "") : undefined });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const exchange = exchanges[exchanges.length - 1];
    if (!exchange.json) {
      // Not JSON (an HTML error page from a proxy, or a truncated body): MSAL cannot parse it. The
      // exchange keeps the snippet; the decoder explains it from there.
      throw new Error(`token endpoint ${exchange.host} answered HTTP ${response.status} with a body that is not JSON`);
    }
    return { headers, body: (await response.json()) as T, status: response.status };
  };

  return {
    fetch: recordingFetch as typeof fetch,
    msalNetwork: {
      sendGetRequestAsync: <T>(url: string, request?: NetworkRequestOptions) => send<T>(url, "GET", request),
      sendPostRequestAsync: <T>(url: string, request?: NetworkRequestOptions) => send<T>(url, "POST", request),
    },
    exchanges,
    refusal: () => refused,
    scrub,
    lastExchange: () => exchanges[exchanges.length - 1],
    transcript: () =>
      exchanges.map((x) => {
        const what = x.networkError
          ? `no response: ${x.networkError.code}`
          : `HTTP ${x.status}${x.json ? ` ${JSON.stringify(x.json)}` : x.bodySnippet ? ` (not JSON) ${x.bodySnippet.slice(0, 120)}` : ""}`;
        return scrub(`${x.method} ${x.url}${x.request ? ` [${x.request}]` : ""} → ${what} (${x.durationMs} ms)`);
      }),
  };
}
