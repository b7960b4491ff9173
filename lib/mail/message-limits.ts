/**
 * Limits and defaults of the test message, shared by the schema (./message), the route, the CLI
 * and the browser form. Plain values, no zod: the profile page's JavaScript stays small.
 */

/** Graph sendMail takes inline attachments only under 3 MB (larger ones need an upload session). */
export const GRAPH_INLINE_ATTACHMENT_LIMIT = 3 * 1024 * 1024;
/** What the console accepts for a test at all: Exchange Online's default submission limit is 35 MB. */
export const MAX_ATTACHMENTS_TOTAL_BYTES = 25 * 1024 * 1024;
export const MAX_ATTACHMENTS = 10;
export const MAX_RECIPIENTS = 50;

export const DEFAULT_TEST_SUBJECT = "OAuth Mail Console test message";
export const DEFAULT_TEST_BODY = "This is a test message sent by OAuth Mail Console to prove the profile works end to end.";

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MB`;
}
