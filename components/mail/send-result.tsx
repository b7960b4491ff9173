import type { SendResult } from "@/lib/mail/send-test";
import { formatDuration } from "@/lib/format";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { CopyButton } from "@/components/ui/copy-button";
import { DecodedError, Fact, Facts, RecordedIn, ResultHeadline } from "./result-parts";
import { TranscriptToggle } from "./transcript-toggle";

/** The headline of a send result (what the aria-live region announces). */
export function sendHeadline(r: SendResult): { title: string; detail: string } {
  if (r.outcome === "partial") return { title: "Partly delivered", detail: r.summary };
  if (!r.ok) return { title: "Send failed", detail: r.error?.message ?? r.summary };
  if (r.transport === "graph") return { title: "Accepted by Graph", detail: r.summary };
  if (r.transport === "log-only") return { title: "Logged — not sent", detail: r.summary };
  return { title: "Sent", detail: r.summary };
}

const DELIVERY_TEXT = {
  requested: "requested",
  "not-offered": "not available: the server does not offer DSN",
  "not-requested": "not requested",
} as const;

/** What the admin must read first, next to the headline: Graph's caveat, the decoded error, retries. */
export function SendResultNotes({ result: r }: { result: SendResult }) {
  if (!(r.ok && r.transport === "graph") && !(!r.ok && r.error) && !r.fallbackToLoginUser && !r.tokenRefreshed) return null;
  return (
    <div className="space-y-3">
      {r.ok && r.transport === "graph" && (
        <Alert tone="info" title="Accepted by Graph — not a delivery confirmation">
          Graph answers 202 Accepted once it has queued the message; delivery happens afterwards. Check the recipient&apos;s mailbox, or the Exchange message trace with the request id below.
        </Alert>
      )}
      {!r.ok && r.error && <DecodedError error={r.error} />}

      {(r.fallbackToLoginUser || r.tokenRefreshed) && (
        <div className="flex flex-wrap gap-2">
          {r.fallbackToLoginUser && <Badge tone="warning">Retried with login user {r.authUser}</Badge>}
          {r.tokenRefreshed && <Badge tone="warning">Token rejected once, refreshed and retried</Badge>}
        </div>
      )}
    </div>
  );
}

/** Everything the server said about one test send: reply, ids, timing, attempts, receipts and the transcript. */
export function SendResultDetails({ result: r, profileId }: { result: SendResult; profileId: string }) {
  const recipients = [...r.to.map((a) => `To ${a}`), ...r.cc.map((a) => `Cc ${a}`), ...r.bcc.map((a) => `Bcc ${a}`)];
  return (
    <div className="space-y-4" data-testid="send-result-details">
      <Facts label="Send details">
        {/* A failure's reply is already in "What went wrong". */}
        {r.remoteReply && (r.ok || !r.error?.remoteReply) && (
          <Fact term="Server reply" mono testId="send-server-reply">
            {r.remoteReply}
          </Fact>
        )}
        <Fact term="Duration" testId="send-duration">{formatDuration(r.durationMs)}</Fact>
        {r.messageId && (
          <Fact term="Message-ID" mono testId="send-message-id">
            <span className="mr-2">{r.messageId}</span>
            <CopyButton text={r.messageId} ariaLabel="Copy Message-ID" />
          </Fact>
        )}
        {r.serverMessageId && r.serverMessageId !== r.messageId && (
          <Fact term="Server Message-ID" mono>
            {r.serverMessageId}
          </Fact>
        )}
        {r.requestId && (
          <Fact term="Graph request-id" mono testId="send-request-id">
            <span className="mr-2">{r.requestId}</span>
            <CopyButton text={r.requestId} ariaLabel="Copy request-id" />
          </Fact>
        )}
        <Fact term="From">{r.from}</Fact>
        {r.authUser && r.transport === "smtp" && <Fact term="Authenticated as">{r.authUser}</Fact>}
        <Fact term="Recipients">{recipients.join(", ")}</Fact>
        {r.rejected && r.rejected.length > 0 && (
          <Fact term="Refused recipients" testId="send-refused">
            <ul className="space-y-0.5">
              {(r.recipients ?? []).filter((x) => !x.accepted).map((x) => (
                <li key={x.address}>
                  {x.address}
                  {x.reply && <span className="ml-1 break-all font-mono text-xs">{x.reply}</span>}
                </li>
              ))}
            </ul>
          </Fact>
        )}
        <Fact term="Attempts" testId="send-attempts">
          {r.attempts.length || 1}
          {r.attempts.length > 1 && (
            <ol className="mt-1 list-decimal space-y-0.5 pl-5 text-xs text-slate-600 dark:text-slate-400">
              {r.attempts.map((a, i) => (
                <li key={i}>
                  {a.ok ? "accepted" : "refused"} — as {a.authUser}, from {a.from}
                  {a.tokenSource ? `, token ${a.tokenSource === "cache" ? "from cache" : "new"}` : ""}
                  {a.reply ? `: ${a.reply}` : ""}
                </li>
              ))}
            </ol>
          )}
        </Fact>
        {r.transport !== "log-only" && (
          <Fact term="Receipts">
            read receipt {r.receipts.read ? "requested" : "not requested"}; delivery receipt {DELIVERY_TEXT[r.receipts.delivery]}
          </Fact>
        )}
      </Facts>

      <TranscriptToggle transcript={r.transcript} what={r.transport === "graph" ? "HTTP transcript" : r.transport === "log-only" ? "logged message" : "SMTP transcript"} />
      <RecordedIn action="mail.send" profileId={profileId} />
    </div>
  );
}

export function SendResultHeadline({ result }: { result: SendResult }) {
  const h = sendHeadline(result);
  return <ResultHeadline ok={result.ok} partial={result.outcome === "partial"} title={h.title} detail={h.detail} testId="send-result" />;
}
