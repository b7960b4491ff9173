import type { ImapResult, ImapTestStage } from "./imap-test";
import type { SendResult, SendTestStage } from "./send-test";
import type { StreamErrorEvent } from "../http/wire";

/**
 * The NDJSON lines of the "Send test" and "Test IMAP" route handlers
 * (POST /api/profiles/:id/send-test, /imap-test), one JSON object per line: progress events as
 * the library reports them, then exactly one `result` (or one `error` when the request could not
 * run at all). Types only, so the browser reader can share them; nothing here is a secret (the
 * library redacts transcripts and never returns a token).
 */

export type ProgressEvent<S extends string> = { type: "progress"; stage: S; message: string; elapsedMs: number };


export type SendTestEvent = ProgressEvent<SendTestStage> | ({ type: "result" } & SendResult) | StreamErrorEvent;
export type ImapTestEvent = ProgressEvent<ImapTestStage> | ({ type: "result" } & ImapResult) | StreamErrorEvent;


/**
 * The largest "Send test" request the browser may send: Next.js cuts request bodies that pass
 * through proxy.ts at `experimental.proxyClientMaxBodySize` (default 10 MB). Base64 makes that
 * about 26 MB of attachments (next.config.ts sets 36 MB), the same 25 MB the CLI allows. Raise both together.
 */
export const BROWSER_REQUEST_LIMIT_BYTES = 36 * 1024 * 1024;
