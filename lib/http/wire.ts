/**
 * What the console's JSON route handlers put on the wire, shared with the browser readers: the
 * error body of a refused request and the error line of an NDJSON stream. Types and constants
 * only (no domain module: lib/http sits below them).
 */

/** The JSON body of a refused request (401/403/404/413/415/400), before any streaming. */
export type ApiErrorBody = { error: { code: string; message: string; hint?: string; fieldErrors?: Record<string, string[]> } };

/** The request was refused before or while starting (missing profile, kind cannot send…): AppError fields only. */
export type StreamErrorEvent = { type: "error"; code: string; message: string; hint?: string; field?: string };

export const NDJSON_CONTENT_TYPE = "application/x-ndjson; charset=utf-8";
