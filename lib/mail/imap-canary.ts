import { decodeImapError } from "./errors";
import { createImapClient, type ImapSecurity } from "./imap";

/**
 * The IMAP half of the canary: waits until a message carrying `header: value` is in the
 * mailbox, then deletes it (\Deleted + EXPUNGE, or UID EXPUNGE). A leaf: plain values in, an
 * outcome out; never throws for a remote failure, never returns the token, always closes.
 */

export type CanaryFindRequest = {
  host: string;
  port: number;
  security: ImapSecurity;
  user: string;
  accessToken: string;
  header: string;
  value: string;
  mailbox?: string;
  /** Give up when the message has not arrived by then (epoch ms). */
  deadline: number;
  /** Between searches. */
  pollMs?: number;
  /** Per IMAP operation. */
  timeoutMs: number;
  kind?: string;
};

export type CanaryFindOutcome =
  | { ok: true; found: true; foundAt: number; deleted: boolean; uid: number }
  | { ok: true; found: false }
  | { ok: false; code: string; message: string; fix: string; transient: boolean };

const TRANSIENT = /ETIMEDOUT|ECONNRESET|ECONNREFUSED|EAI_AGAIN|UNAVAILABLE|timeout/i;

export async function findAndDeleteByHeader(req: CanaryFindRequest): Promise<CanaryFindOutcome> {
  const client = createImapClient(req, false);
  let stage: "connecting" | "authenticating" | "inbox" | "done" = "connecting";
  try {
    await client.connect();
    stage = "inbox";
    await client.mailboxOpen(req.mailbox ?? "INBOX");
    for (;;) {
      const uids = await client.search({ header: { [req.header]: req.value } }, { uid: true });
      const hits = Array.isArray(uids) ? uids : [];
      if (hits.length > 0) {
        const foundAt = Date.now();
        const deleted = await client.messageDelete(hits, { uid: true });
        await client.logout();
        stage = "done";
        return { ok: true, found: true, foundAt, deleted: Boolean(deleted), uid: hits[0] };
      }
      if (Date.now() >= req.deadline) {
        await client.logout();
        return { ok: true, found: false };
      }
      await new Promise((r) => setTimeout(r, Math.min(req.pollMs ?? 2000, Math.max(0, req.deadline - Date.now()))));
      // NOOP lets the server announce what arrived meanwhile.
      await client.noop();
    }
  } catch (error) {
    const d = decodeImapError(error, { host: req.host, port: req.port, user: req.user, security: req.security, stage: stage === "done" ? "inbox" : stage, timeoutMs: req.timeoutMs, kind: req.kind });
    const text = `${d.code} ${d.summary}`;
    return { ok: false, code: d.code, message: d.summary.split(req.accessToken).join("[redacted]"), fix: d.fix, transient: TRANSIENT.test(text) };
  } finally {
    try {
      client.close();
    } catch {
      // already closed
    }
  }
}
