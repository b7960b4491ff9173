import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";

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
};

const TOKEN_FIELDS = new Set(["access_token", "refresh_token", "id_token", "client_info", "assertion", "client_assertion", "device_code"]);
const SECRET_FORM_FIELDS = new Set(["client_secret", "password", "refresh_token", "code", "code_verifier", "assertion", "client_assertion", "access_token", "id_token", "device_code"]);

/** Replaces token values in a parsed JSON body; everything else (error fields, expires_in) stays. */
function redactJson(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) out[k] = TOKEN_FIELDS.has(k) && typeof v === "string" ? "[redacted]" : v;
  return out;
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
export function createTokenHttp(options: { timeoutMs: number; rewriteUrl?: (url: string) => string }): TokenHttp {
  const exchanges: TokenExchange[] = [];

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
      exchange = { method, url: url.split("?")[0], host, durationMs: 0 };
      if (typeof init?.body === "string" && init.body) exchange.request = describeFormBody(init.body).slice(0, 1000);
      else if (init?.body instanceof URLSearchParams) exchange.request = describeFormBody(init.body.toString()).slice(0, 1000);
      exchanges.push(exchange);
      try {
        response = await fetch(url, { ...init, signal });
        break;
      } catch (error) {
        exchange.durationMs = Date.now() - started;
        exchange.networkError = describeNetworkFailure(error, timeout.aborted);
        if (attempt === 1 && !signal.aborted && isConnectionDrop(error)) continue;
        throw error;
      }
    }
    // Read the body once (with the same timeout) so a hanging or truncated body is recorded too.
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      exchange.durationMs = Date.now() - started;
      exchange.status = response.status;
      exchange.networkError = describeNetworkFailure(error, timeout.aborted);
      throw error;
    }
    exchange.durationMs = Date.now() - started;
    exchange.status = response.status;
    exchange.contentType = response.headers.get("content-type") ?? undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) exchange.json = redactJson(parsed as Record<string, unknown>);
      else exchange.bodySnippet = text.slice(0, 200);
    } catch {
      exchange.bodySnippet = text.slice(0, 200).replace(/\s+/g, " ");
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
    lastExchange: () => exchanges[exchanges.length - 1],
    transcript: () =>
      exchanges.map((x) => {
        const what = x.networkError
          ? `no response: ${x.networkError.code}`
          : `HTTP ${x.status}${x.json ? ` ${JSON.stringify(x.json)}` : x.bodySnippet ? ` (not JSON) ${x.bodySnippet.slice(0, 120)}` : ""}`;
        return `${x.method} ${x.url}${x.request ? ` [${x.request}]` : ""} → ${what} (${x.durationMs} ms)`;
      }),
  };
}
