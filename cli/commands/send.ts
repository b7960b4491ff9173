import fs from "node:fs";
import path from "node:path";
import { localOperator } from "@/lib/auth/actor";
import { getProfileByName } from "@/lib/profiles/dal";
import { sendTestMessage, type SendResult } from "@/lib/mail/send-test";
import { testImap, type ImapResult } from "@/lib/mail/imap-test";
import type { TestMessageInput } from "@/lib/mail/message";
import { flagBool, flagList, flagString, requirePositional, UsageError, type CliCommand } from "../framework";

/**
 * `send-test` and `imap-test`: the CLI twins of the profile page's "Send test" / "Test IMAP".
 * Progress goes to stderr as it happens; the result (server reply, duration, message id) or
 * the decoded error (cause and fix) to stdout. Exit 0 when the server accepted, 1 when it did
 * not, 2 for bad input.
 */

const CONTENT_TYPES: Record<string, string> = {
  ".txt": "text/plain",
  ".csv": "text/csv",
  ".html": "text/html",
  ".htm": "text/html",
  ".json": "application/json",
  ".xml": "application/xml",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".log": "text/plain",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
};

function readAttachment(file: string) {
  let content: Buffer;
  try {
    content = fs.readFileSync(file);
  } catch {
    throw new UsageError(`cannot read attachment ${file}`);
  }
  return { filename: path.basename(file), contentType: CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream", contentBase64: content.toString("base64") };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

function printSend(r: SendResult, out: (l: string) => void, showTranscript: boolean) {
  out(`${r.ok ? "OK" : r.outcome === "partial" ? "PARTLY DELIVERED" : "FAILED"}  ${r.summary}`);
  const row = (k: string, v: string | undefined) => v && out(`  ${k.padEnd(13)} ${v}`);
  if (r.outcome === "partial") {
    row("server reply", r.remoteReply);
    for (const x of r.recipients ?? []) if (!x.accepted) row("refused", `${x.address}: ${x.reply ?? "refused"}`);
    row("delivered to", r.accepted?.join(", "));
    row("fix", r.error?.fix);
    row("message id", r.messageId);
  } else if (r.ok) {
    row("server reply", r.remoteReply);
    row("message id", r.messageId);
    row("server id", r.serverMessageId);
    row("request-id", r.requestId);
  } else if (r.error) {
    row("reply", r.error.remoteReply);
    row("cause", r.error.cause);
    row("fix", r.error.fix);
    row("code", r.error.code);
  }
  row("duration", `${r.durationMs} ms`);
  row("from", r.authUser && r.authUser !== r.from ? `${r.from} (authenticated as ${r.authUser})` : r.from);
  row("to", r.to.join(", "));
  row("cc", r.cc.join(", ") || undefined);
  row("bcc", r.bcc.join(", ") || undefined);
  if (r.transport !== "log-only") {
    const delivery = r.receipts.delivery === "not-offered" ? "requested, but the server does not offer DSN" : r.receipts.delivery;
    row("receipts", `read: ${r.receipts.read ? "requested" : "no"}, delivery: ${delivery}`);
  }
  if (r.fallbackToLoginUser) row("note", `authentication as the From address failed; retried with login user ${r.authUser}`);
  if (r.tokenRefreshed) row("note", "the server rejected the cached token; a fresh one was fetched and the send retried once");
  if (r.transport === "graph" && r.ok) row("note", "202 means Graph accepted the message for delivery; it does not confirm delivery");
  if (showTranscript) {
    out("");
    out("Transcript (redacted):");
    for (const l of r.transcript.split("\n")) out(`  ${l}`);
  }
}

function printImap(r: ImapResult, out: (l: string) => void, showTranscript: boolean) {
  out(`${r.ok ? "OK" : "FAILED"}  ${r.summary}`);
  const row = (k: string, v: string | undefined) => v && out(`  ${k.padEnd(13)} ${v}`);
  if (r.ok) {
    row("mailboxes", r.mailboxes?.map((m) => (m.specialUse ? `${m.path} (${m.specialUse})` : m.path)).join(", "));
    row("INBOX", `${r.inboxCount} message${r.inboxCount === 1 ? "" : "s"}`);
    if (r.newest) row("newest", `${r.newest.subject}${r.newest.date ? `  (${r.newest.date})` : ""}${r.newest.from ? `  from ${r.newest.from}` : ""}`);
  } else if (r.error) {
    row("reply", r.error.remoteReply);
    row("cause", r.error.cause);
    row("fix", r.error.fix);
    row("code", r.error.code);
  }
  row("server", `${r.host}:${r.port} (${r.security === "tls" ? "TLS" : "STARTTLS"}) as ${r.user}`);
  row("duration", `${r.durationMs} ms`);
  if (r.tokenRefreshed) row("note", "the server rejected the cached token; a fresh one was fetched and the test retried once");
  if (showTranscript) {
    out("");
    out("Transcript (redacted):");
    for (const l of r.transcript.split("\n")) out(`  ${l}`);
  }
}

export const commands: CliCommand[] = [
  {
    path: ["send-test"],
    usage: "send-test NAME --to ADDR [--cc ADDR] [--bcc ADDR] [--from ADDR] [--subject TEXT] [--body TEXT] [--html] [--attach FILE] [--read-receipt] [--delivery-receipt] [--transcript] [--json]",
    summary: "Send a test message through a profile and explain the result",
    repeatable: ["to", "cc", "bcc", "attach"],
    async run({ args, stdout, stderr }) {
      const actor = localOperator();
      const name = requirePositional(args, 0, "profile NAME");
      const to = flagList(args, "to");
      if (to.length === 0) throw new UsageError("--to ADDR is required (repeat it or separate addresses with commas)");
      const message: TestMessageInput = {
        to,
        cc: flagList(args, "cc"),
        bcc: flagList(args, "bcc"),
        from: flagString(args, "from"),
        subject: flagString(args, "subject"),
        body: flagString(args, "body"),
        html: flagBool(args, "html"),
        attachments: flagList(args, "attach").map(readAttachment),
        readReceipt: flagBool(args, "read-receipt"),
        deliveryReceipt: flagBool(args, "delivery-receipt"),
      };
      const json = flagBool(args, "json");
      const profile = await getProfileByName(actor, name);
      if (!json) stderr(`Sending a test message via "${profile.name}" (${profile.kind})…`);
      const result = await sendTestMessage(actor, profile.id, message, { onProgress: json ? undefined : (p) => stderr(`  [${seconds(p.elapsedMs)}] ${p.message}`) });
      if (json) stdout(JSON.stringify(result, null, 2));
      else printSend(result, stdout, flagBool(args, "transcript"));
      return result.ok ? 0 : 1;
    },
  },
  {
    path: ["imap-test"],
    usage: "imap-test NAME [--transcript] [--json]",
    summary: "Sign in to IMAP with the profile's token: mailboxes, INBOX count, newest message",
    async run({ args, stdout, stderr }) {
      const actor = localOperator();
      const profile = await getProfileByName(actor, requirePositional(args, 0, "profile NAME"));
      const json = flagBool(args, "json");
      if (!json) stderr(`Testing IMAP for "${profile.name}" (${profile.kind})…`);
      const result = await testImap(actor, profile.id, { onProgress: json ? undefined : (p) => stderr(`  [${seconds(p.elapsedMs)}] ${p.message}`) });
      if (json) stdout(JSON.stringify(result, null, 2));
      else printImap(result, stdout, flagBool(args, "transcript"));
      return result.ok ? 0 : 1;
    },
  },
];
