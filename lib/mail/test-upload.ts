import "server-only";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import busboy from "busboy";
import { fieldErrorsOf } from "../action-result";
import { getEnv } from "../env";
import { MAX_ATTACHMENTS, MAX_ATTACHMENTS_TOTAL_BYTES, formatBytes, storedAttachmentMetaSchema, testMessageSchema, type DeliverableTestMessage, type StoredAttachment } from "./message";
import { BROWSER_REQUEST_LIMIT_BYTES } from "./test-events";

/**
 * The send-test route's multipart/form-data upload, parsed as it arrives (busboy): each file part
 * goes straight to a temp file in DATA_DIR/tmp (0600, created exclusively), so a 25 MB test holds
 * a few 64 KB chunks in memory rather than the body, its base64 and the decoded bytes. The
 * attachment limits (lib/mail/message-limits.ts) are enforced while streaming: the part that
 * passes them is named in a field error and the rest of the body is not read. The other fields are
 * validated with testMessageSchema, the schema the CLI and the JSON route use.
 *
 * The caller must call `cleanup()` once the send is over (it runs on every refusal here already).
 */

/** Text fields are small: the body is at most 200,000 characters (UTF-8: up to 4 bytes each). */
const MAX_FIELD_BYTES = 800 * 1024;
const MAX_FIELDS = 20;
/** Form fields that may repeat (address lists may also come as one comma-separated value). */
const LIST_FIELDS = new Set(["to", "cc", "bcc"]);

export type TestUpload =
  | { ok: true; message: DeliverableTestMessage; cleanup: () => Promise<void> }
  | { ok: false; status: number; code: string; message: string; fieldErrors?: Record<string, string[]> };

export function uploadTmpDir(): string {
  return path.join(getEnv().dataDir, "tmp");
}

/**
 * Removes temp files a killed or crashed server left behind (a running upload removes its own).
 * Called at start, when no upload can be running: one server per DATA_DIR (acquireInstanceLock).
 */
export function removeLeftoverUploads(dir: string = uploadTmpDir()): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  const leftovers = names.filter((name) => /^send-test-[0-9a-f-]+\.part$/.test(name));
  for (const name of leftovers) fs.rmSync(path.join(dir, name), { force: true });
  return leftovers.length;
}

class UploadRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const isMultipart = (contentType: string) => /^multipart\/form-data\s*;/i.test(contentType);

/**
 * What happens to the rest of a refused body (lingering close, as nginx does): it is read and
 * discarded as it arrives (nothing is kept), so a client still sending gets the answer rather
 * than a reset; once the answer is out the client has `idleMs` between chunks and `totalMs` in
 * all to finish, and at most `maxBytes` more are discarded — then the connection is closed.
 * The times are nginx's lingering_timeout/lingering_time; maxBytes is the route's size limit.
 */
export type Linger = { idleMs: number; totalMs: number; maxBytes: number };
const DEFAULT_LINGER: Linger = { idleMs: 5_000, totalMs: 30_000, maxBytes: BROWSER_REQUEST_LIMIT_BYTES };

export type TestUploadOptions = {
  tmpDir?: string;
  linger?: Partial<Linger>;
  /**
   * Runs a callback once the answer has been sent (the route passes next/server's `after`); the
   * linger timers start then. Without it they start at the refusal.
   */
  afterResponse?: (callback: () => void) => void;
};

/** Waits until a temp file's write stream has closed its descriptor (destroyed or finished). */
function closed(out: fs.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (out.closed) return resolve();
    out.once("close", () => resolve());
  });
}

/** Reads and discards what is left of a refused body (see Linger), closing the connection past the limits. */
function discardRest(source: Readable, linger: Linger, afterResponse: (callback: () => void) => void): void {
  let bytes = 0;
  const timers: NodeJS.Timeout[] = [];
  const stop = () => {
    for (const t of timers.splice(0)) clearTimeout(t);
  };
  // Destroying the body stream cancels the request's body, which closes the connection.
  const close = () => {
    stop();
    if (!source.destroyed && !source.readableEnded) source.destroy();
  };
  source.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > linger.maxBytes) close();
    else timers[0]?.refresh();
  });
  source.once("end", stop);
  source.once("close", stop);
  source.resume();
  afterResponse(() => {
    if (source.destroyed || source.readableEnded) return;
    timers.push(setTimeout(close, linger.idleMs).unref(), setTimeout(close, linger.totalMs).unref());
  });
}

export async function receiveTestUpload(request: Request, options: TestUploadOptions = {}): Promise<TestUpload> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!isMultipart(contentType)) return { ok: false, status: 415, code: "unsupported_media_type", message: "Send the message as multipart/form-data or JSON." };
  const dir = options.tmpDir ?? uploadTmpDir();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });

  const files: StoredAttachment[] = [];
  const fields: Record<string, string | string[]> = {};
  const cleanup = async () => {
    await Promise.all(files.map((f) => fs.promises.rm(f.path, { force: true })));
  };

  const source = request.body ? Readable.fromWeb(request.body as unknown as NodeWebReadableStream<Uint8Array>) : Readable.from([]);
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { "content-type": contentType }, limits: { files: MAX_ATTACHMENTS + 1, fileSize: MAX_ATTACHMENTS_TOTAL_BYTES + 1, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, parts: MAX_FIELDS + MAX_ATTACHMENTS + 1 } });
  } catch {
    return { ok: false, status: 400, code: "invalid_input", message: "The request is not valid multipart/form-data." };
  }

  let total = 0;
  const writes: Promise<void>[] = [];
  /** Every temp file's part stream and write stream, so a refusal can end them all. */
  const stored: { part: Readable; out: fs.WriteStream }[] = [];
  let failed = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        // Stop parsing: what is left of the body is discarded below, never parsed or stored.
        source.unpipe(parser);
        // End every temp file's write by destroying both ends. Destroying only the part stream is
        // not enough: a part whose last bytes were parsed but whose 'end' had not been emitted yet
        // counts as finished for pipeline(), which then waits forever for the file it never ends.
        for (const { part, out } of stored) {
          part.destroy();
          out.destroy();
        }
        reject(error);
      };
      parser.on("field", (name, value, info) => {
        if (info.valueTruncated) return fail(new UploadRefusal(400, "invalid_input", `The ${name} field is too long.`, name));
        if (LIST_FIELDS.has(name)) {
          const prev = fields[name];
          fields[name] = prev === undefined ? [value] : [...(Array.isArray(prev) ? prev : [prev]), value];
        } else fields[name] = value;
      });
      parser.on("file", (name, stream, info) => {
        // Every part stream is consumed (stored or discarded): one left paused stalls busboy.
        if (failed || name !== "attachments") {
          stream.resume();
          if (!failed) fail(new UploadRefusal(400, "invalid_input", `Unexpected file field ${name}.`, "attachments"));
          return;
        }
        const filename = info.filename ?? "";
        if (files.length >= MAX_ATTACHMENTS) {
          stream.resume();
          return fail(new UploadRefusal(400, "invalid_input", `At most ${MAX_ATTACHMENTS} attachments`, "attachments"));
        }
        const meta = storedAttachmentMetaSchema.safeParse({ filename, contentType: info.mimeType || undefined });
        if (!meta.success) {
          stream.resume();
          return fail(new UploadRefusal(400, "invalid_input", meta.error.issues[0]?.message ?? "Invalid attachment", "attachments"));
        }
        const file: StoredAttachment = { filename: meta.data.filename, contentType: meta.data.contentType, path: path.join(dir, `send-test-${randomUUID()}.part`), size: 0 };
        files.push(file);
        stream.on("data", (chunk: Buffer) => {
          file.size += chunk.length;
          total += chunk.length;
          if (total > MAX_ATTACHMENTS_TOTAL_BYTES) {
            fail(new UploadRefusal(413, "too_large", `${file.filename} takes the attachments over ${formatBytes(MAX_ATTACHMENTS_TOTAL_BYTES)}, the most a test message may carry; it was not sent. Remove it or attach a smaller file.`, "attachments"));
          }
        });
        const out = fs.createWriteStream(file.path, { flags: "wx", mode: 0o600 });
        stored.push({ part: stream, out });
        writes.push(pipeline(stream, out).catch((error: unknown) => fail(failed ? error : new UploadRefusal(500, "upload_failed", `${file.filename} could not be stored: ${error instanceof Error ? error.message : String(error)}`, "attachments"))));
      });
      parser.on("filesLimit", () => fail(new UploadRefusal(400, "invalid_input", `At most ${MAX_ATTACHMENTS} attachments`, "attachments")));
      parser.on("fieldsLimit", () => fail(new UploadRefusal(400, "invalid_input", "The request has too many fields.")));
      parser.on("partsLimit", () => fail(new UploadRefusal(400, "invalid_input", "The request has too many parts.")));
      parser.on("error", (error) => fail(new UploadRefusal(400, "invalid_input", `The request is not valid multipart/form-data (${error instanceof Error ? error.message : String(error)}).`)));
      parser.on("close", () => {
        if (failed) return;
        void Promise.all(writes).then(() => (failed ? undefined : resolve()));
      });
      source.on("error", (error) => fail(new UploadRefusal(400, "aborted", `The upload broke off (${error.message}).`)));
      source.pipe(parser);
    });
  } catch (error) {
    // Refused or broken off mid-stream: the answer goes out now, the rest of the body is discarded.
    discardRest(source, { ...DEFAULT_LINGER, ...options.linger }, options.afterResponse ?? ((callback) => callback()));
    await Promise.all(stored.map(({ out }) => closed(out)));
    await cleanup();
    if (error instanceof UploadRefusal) return { ok: false, status: error.status, code: error.code, message: error.message, fieldErrors: error.field ? { [error.field]: [error.message] } : undefined };
    throw error;
  }

  const parsed = testMessageSchema.safeParse({ ...fields, attachments: [] });
  if (!parsed.success) {
    await cleanup();
    const fieldErrors = fieldErrorsOf(parsed.error);
    return { ok: false, status: 400, code: "invalid_input", message: Object.keys(fieldErrors).length === 1 ? "Please correct the highlighted field." : "Please correct the highlighted fields.", fieldErrors };
  }
  return { ok: true, message: { ...parsed.data, attachments: files }, cleanup };
}
