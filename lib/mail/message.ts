import { z } from "zod";
import { DEFAULT_TEST_BODY, DEFAULT_TEST_SUBJECT, MAX_ATTACHMENTS, MAX_ATTACHMENTS_TOTAL_BYTES, MAX_RECIPIENTS, formatBytes } from "./message-limits";

export * from "./message-limits";

/**
 * The test message: one schema shared by the "Send test" form, the server action and the CLI
 * (`send-test NAME --to … --attach FILE …`). The browser form imports only ./message-limits (no
 * zod in the page's JavaScript); the route validates with this schema and answers field errors.
 */


const ADDRESS = z.email({ message: "must be an email address like name@example.com" });

/**
 * A list of addresses from a form (one field, comma/semicolon/newline separated), the CLI
 * (repeated flags) or JSON (an array). Each item is validated on its own so the message names it.
 */
function addressList(what: string, min: number) {
  return z.preprocess(
    (v) => {
      if (v === undefined || v === null) return [];
      const items = Array.isArray(v) ? v : [v];
      return items
        .flatMap((item) => (typeof item === "string" ? item.split(/[,;\n]/) : [item]))
        .map((item) => (typeof item === "string" ? item.trim() : item))
        .filter((item) => item !== "");
    },
    z
      .array(z.string().pipe(z.email({ message: `${what}: each address must be an email address like name@example.com` })))
      .min(min, { message: min === 1 ? `${what}: at least one address is required` : `${what}: at least ${min} addresses are required` })
      .max(MAX_RECIPIENTS, { message: `${what}: at most ${MAX_RECIPIENTS} addresses` }),
  );
}

const booleanish = z.preprocess((v) => {
  if (typeof v === "boolean") return v;
  if (v === undefined || v === null || v === "") return false;
  if (typeof v === "string") return ["on", "true", "1", "yes", "y"].includes(v.trim().toLowerCase());
  return v;
}, z.boolean());

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

export const attachmentSchema = z.object({
  filename: z
    .string()
    .trim()
    .min(1, { message: "Attachment file name is required" })
    .max(255, { message: "Attachment file name must be at most 255 characters" })
    // A header value: CR/LF would let a file name inject MIME headers.
    .refine((v) => !/[\r\n\0]/.test(v), { message: "Attachment file name must not contain line breaks" }),
  contentType: z
    .string()
    .trim()
    .regex(/^[\w.+-]+\/[\w.+-]+$/, { message: "Attachment content type must look like type/subtype, e.g. text/plain" })
    .default("application/octet-stream"),
  contentBase64: z.string().refine((v) => BASE64.test(v), { message: "Attachment content must be base64" }),
});
export type TestAttachment = z.infer<typeof attachmentSchema>;

/**
 * An attachment the send-test route streamed to a temp file (0600, removed after the send): sent
 * from the file, never held in memory as a whole. Name and type pass the same checks as above.
 */
export type StoredAttachment = { filename: string; contentType: string; path: string; size: number };
export const storedAttachmentMetaSchema = attachmentSchema.pick({ filename: true, contentType: true });

/** A test message whose attachments are bytes (form/CLI JSON) or streamed temp files (route). */
export type DeliverableTestMessage = Omit<TestMessage, "attachments"> & { attachments: (TestAttachment | StoredAttachment)[] };

export const isStoredAttachment = (a: TestAttachment | StoredAttachment): a is StoredAttachment => "path" in a;

/** Size in bytes of either kind of attachment. */
export function attachmentBytes(a: TestAttachment | StoredAttachment): number {
  return isStoredAttachment(a) ? a.size : attachmentSize(a);
}

/** Decoded size of a base64 attachment in bytes (without decoding it). */
export function attachmentSize(a: Pick<TestAttachment, "contentBase64">): number {
  const clean = a.contentBase64.replace(/[\r\n]/g, "");
  const padding = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

export const testMessageSchema = z
  .object({
    to: addressList("To", 1),
    cc: addressList("Cc", 0).default([]),
    bcc: addressList("Bcc", 0).default([]),
    /** Overrides the profile's From address (for the SMTP kinds, a send-as test). */
    from: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().pipe(ADDRESS).optional()),
    subject: z
      .string()
      .trim()
      .max(998, { message: "Subject must be at most 998 characters" })
      .refine((v) => !/[\r\n]/.test(v), { message: "Subject must be one line" })
      .default(DEFAULT_TEST_SUBJECT)
      .transform((v) => v || DEFAULT_TEST_SUBJECT),
    body: z
      .string()
      .max(200_000, { message: "Body must be at most 200,000 characters" })
      .default(DEFAULT_TEST_BODY)
      .transform((v) => (v.trim() === "" ? DEFAULT_TEST_BODY : v)),
    /** The body is HTML (sent as text/html with a plain-text alternative over SMTP). */
    html: booleanish.default(false),
    attachments: z.array(attachmentSchema).max(MAX_ATTACHMENTS, { message: `At most ${MAX_ATTACHMENTS} attachments` }).default([]),
    /** Disposition-Notification-To (SMTP) / isReadReceiptRequested (Graph). */
    readReceipt: booleanish.default(false),
    /** DSN NOTIFY=SUCCESS,FAILURE (SMTP, when offered) / isDeliveryReceiptRequested (Graph). */
    deliveryReceipt: booleanish.default(false),
  })
  .superRefine((m, ctx) => {
    const total = m.attachments.reduce((n, a) => n + attachmentSize(a), 0);
    if (total > MAX_ATTACHMENTS_TOTAL_BYTES) {
      ctx.addIssue({ code: "custom", path: ["attachments"], message: `Attachments total ${formatBytes(total)}; a test message may carry at most ${formatBytes(MAX_ATTACHMENTS_TOTAL_BYTES)}` });
    }
  });

export type TestMessageInput = z.input<typeof testMessageSchema>;
export type TestMessage = z.infer<typeof testMessageSchema>;
