import type { ProgressItem } from "./progress-steps";
import type { ApiErrorBody } from "@/lib/http/wire";

/**
 * Browser side of the streamed test routes: POSTs JSON (or FormData with files), then reads the NDJSON answer line by line
 * with the response body's ReadableStream reader, handing each event over as it arrives (so the
 * page shows progress while the server works). Never throws.
 */

export type StreamOutcome =
  /** The stream ended normally (the caller checks that a result line came). */
  | { kind: "complete" }
  /** The server refused the request before streaming (401, 403, 404, 413, 415, 400 …). */
  | { kind: "refused"; status: number; error: ApiErrorBody["error"] }
  /** No answer, or the connection broke in the middle. */
  | { kind: "network"; message: string };

const STATUS_TEXT: Record<number, string> = {
  401: "Your session has ended. Sign in again.",
  403: "The console refused the request.",
  404: "This profile no longer exists.",
  413: "The message is too large to send.",
  415: "The console refused the request format.",
};

export async function postNdjson<E>(url: string, body: unknown, onEvent: (event: E) => void, signal?: AbortSignal): Promise<StreamOutcome> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      // FormData (a send test with files) goes as multipart/form-data with the browser's boundary.
      headers: body instanceof FormData ? { accept: "application/x-ndjson" } : { "content-type": "application/json", accept: "application/x-ndjson" },
      body: body instanceof FormData ? body : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      signal,
    });
  } catch {
    return { kind: "network", message: "The console did not answer. Check that it is running and try again." };
  }

  if (!response.ok || !response.body) {
    let error: ApiErrorBody["error"] = { code: `http_${response.status}`, message: STATUS_TEXT[response.status] ?? `The console answered ${response.status} ${response.statusText}.` };
    try {
      const parsed = (await response.json()) as Partial<ApiErrorBody>;
      if (parsed.error?.message) error = parsed.error;
    } catch {
      // not JSON (a proxy's error page): keep the generic text
    }
    return { kind: "refused", status: response.status, error };
  }

  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const flush = (final: boolean) => {
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) onEvent(JSON.parse(line) as E);
    }
    if (final && buffer.trim()) {
      onEvent(JSON.parse(buffer) as E);
      buffer = "";
    }
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      flush(false);
    }
    buffer += decoder.decode();
    flush(true);
  } catch {
    return { kind: "network", message: "The connection to the console broke before the test finished. The Logs page has the outcome." };
  }
  return { kind: "complete" };
}

export type Refusal = { code: string; message: string; hint?: string };

type StreamErrorEvent = { type: "error"; code: string; message: string; hint?: string; field?: string };
type TestEvent<R> = { type: "progress"; stage: string; message: string; elapsedMs: number } | ({ type: "result" } & R) | StreamErrorEvent;

/**
 * One run of a streamed test (send or IMAP): reports the progress list as it grows, then gives
 * the result, or why there is none (refusal before streaming, error event, broken connection),
 * with field errors keyed by the form's field names (the first segment of "to.0").
 */
export async function runStreamedTest<R>(url: string, body: unknown, onProgress: (events: ProgressItem[]) => void): Promise<{ events: ProgressItem[]; result?: R; refusal?: Refusal; fieldErrors?: Record<string, string[]> }> {
  const events: ProgressItem[] = [];
  let result: R | undefined;
  let refusal: Refusal | undefined;
  let fieldErrors: Record<string, string[]> | undefined;
  const outcome = await postNdjson<TestEvent<R>>(url, body, (e) => {
    if (e.type === "progress") {
      events.push({ stage: e.stage, message: e.message, elapsedMs: e.elapsedMs });
      onProgress([...events]);
    } else if (e.type === "result") {
      const { type: _type, ...rest } = e;
      result = rest as unknown as R;
    } else {
      const err = e as StreamErrorEvent;
      refusal = { code: err.code, message: err.message, hint: err.hint };
      if (err.field) fieldErrors = { [err.field.split(".")[0]]: [err.message] };
    }
  });
  if (outcome.kind === "refused") {
    refusal = { code: outcome.error.code, message: outcome.error.message, hint: outcome.error.hint };
    if (outcome.error.fieldErrors) {
      fieldErrors = {};
      for (const [k, v] of Object.entries(outcome.error.fieldErrors)) (fieldErrors[k.split(".")[0]] ??= []).push(...v);
    }
  } else if (outcome.kind === "network" && !result) {
    refusal = { code: "network", message: outcome.message };
  }
  return { events, result, refusal, fieldErrors };
}
