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

export async function receiveTestUpload(request: Request, options: { tmpDir?: string } = {}): Promise<TestUpload> {
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
  const open = new Set<Readable>();
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        // Stop reading the request: what is left of the body is never parsed or stored. Paused,
        // not destroyed: cancelling the server's request stream could keep the answer from going out.
        source.unpipe(parser);
        source.pause();
        for (const stream of open) stream.destroy();
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
        open.add(stream);
        stream.on("close", () => open.delete(stream));
        stream.on("data", (chunk: Buffer) => {
          file.size += chunk.length;
          total += chunk.length;
          if (total > MAX_ATTACHMENTS_TOTAL_BYTES) {
            stream.destroy();
            fail(new UploadRefusal(413, "too_large", `${file.filename} takes the attachments over ${formatBytes(MAX_ATTACHMENTS_TOTAL_BYTES)}, the most a test message may carry; it was not sent. Remove it or attach a smaller file.`, "attachments"));
          }
        });
        const out = fs.createWriteStream(file.path, { flags: "wx", mode: 0o600 });
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
      source.on("aborted", () => fail(new UploadRefusal(400, "aborted", "The upload broke off.")));
      source.pipe(parser);
    });
  } catch (error) {
    await Promise.allSettled(writes);
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
