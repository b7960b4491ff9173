"use client";
import { useEffect, useId, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import type { ImapResult } from "@/lib/mail/imap-test";
import { formatDateTime, formatDuration } from "@/lib/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { runStreamedTest, type Refusal } from "./ndjson";
import { ProgressSteps, type PlanStep, type ProgressItem } from "./progress-steps";
import { DecodedError, Fact, Facts, RecordedIn, ResultHeadline, RefusedAlert } from "./result-parts";
import { TranscriptToggle } from "./transcript-toggle";

const PLAN: PlanStep[] = [
  { stage: "token", label: "Getting a token" },
  { stage: "connecting", label: "Connecting" },
  { stage: "authenticating", label: "Authenticating (XOAUTH2)" },
  { stage: "listing", label: "Listing mailboxes" },
  { stage: "inbox", label: "Reading INBOX" },
];

type Run =
  | { phase: "idle" }
  | { phase: "running"; events: ProgressItem[]; startedAt: number }
  | { phase: "finished"; events: ProgressItem[]; result: ImapResult }
  | { phase: "refused"; events: ProgressItem[]; error: Refusal };

/**
 * "Test IMAP": one button, live progress from POST /api/profiles/:id/imap-test, then the
 * mailboxes, the INBOX count and the newest message — or the decoded error.
 */
export function ImapTestRunner({ profileId }: { profileId: string }) {
  const uid = useId();
  const router = useRouter();
  const [, startRefresh] = useTransition();
  const [run, setRun] = useState<Run>({ phase: "idle" });
  const [now, setNow] = useState(0);
  const running = run.phase === "running";

  useEffect(() => {
    if (run.phase !== "running") return;
    const timer = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(timer);
  }, [run.phase]);

  async function start() {
    if (running) return;
    const startedAt = Date.now();
    setNow(startedAt);
    setRun({ phase: "running", events: [], startedAt });
    const { events, result, refusal } = await runStreamedTest<ImapResult>(`/api/profiles/${encodeURIComponent(profileId)}/imap-test`, {}, (list) => setRun({ phase: "running", events: list, startedAt }));
    if (result) {
      setRun({ phase: "finished", events, result });
      startRefresh(() => router.refresh());
    } else {
      setRun({ phase: "refused", events, error: refusal ?? { code: "no_result", message: "The console stopped answering before the result arrived.", hint: "The Logs page has the outcome of the test." } });
    }
  }

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <Button type="button" variant="secondary" onClick={start} pending={running} pendingLabel="Testing IMAP…" aria-describedby={`${uid}-what`}>
          Test IMAP
        </Button>
        {running && (
          <span className="text-sm tabular-nums text-slate-500 dark:text-slate-400" aria-hidden="true">
            {formatDuration(Math.max(0, now - run.startedAt))}
          </span>
        )}
        <span id={`${uid}-what`} className="text-xs text-slate-500 dark:text-slate-400">
          Signs in, lists the mailboxes and reads the newest INBOX message&apos;s subject. Nothing is changed.
        </span>
      </div>
      {run.phase !== "idle" && <ProgressSteps plan={PLAN} events={run.events} status={run.phase === "running" ? "running" : run.phase === "finished" && run.result.ok ? "ok" : "failed"} label="IMAP test progress" />}
      <div aria-live="polite" aria-atomic="true">
        {run.phase === "finished" && <ResultHeadline ok={run.result.ok} title={run.result.ok ? "IMAP works" : "IMAP test failed"} detail={run.result.ok ? run.result.summary : (run.result.error?.message ?? run.result.summary)} testId="imap-result" />}
        {run.phase === "refused" && <RefusedAlert error={run.error} />}
      </div>
      {run.phase === "finished" && <ImapResultDetails result={run.result} profileId={profileId} />}
    </div>
  );
}

function ImapResultDetails({ result: r, profileId }: { result: ImapResult; profileId: string }) {
  return (
    <div className="space-y-4" data-testid="imap-result-details">
      {!r.ok && r.error && <DecodedError error={r.error} />}
      {r.tokenRefreshed && <Badge tone="warning">Token rejected once, refreshed and retried</Badge>}
      <Facts label="IMAP details">
        <Fact term="Server">
          {r.host}:{r.port} ({r.security === "tls" ? "TLS" : "STARTTLS"})
        </Fact>
        <Fact term="User">{r.user}</Fact>
        <Fact term="Duration">{formatDuration(r.durationMs)}</Fact>
        {r.ok && r.inboxCount !== undefined && (
          <Fact term="INBOX" testId="imap-inbox-count">
            {r.inboxCount} message{r.inboxCount === 1 ? "" : "s"}
          </Fact>
        )}
        {r.ok && (
          <Fact term="Newest message" testId="imap-newest">
            {r.newest ? (
              <>
                <span className="font-medium">{r.newest.subject || "(no subject)"}</span>
                <span className="block text-xs text-slate-500 dark:text-slate-400">
                  {r.newest.date ? formatDateTime(r.newest.date) : "no date"}
                  {r.newest.from ? ` · from ${r.newest.from}` : ""}
                </span>
              </>
            ) : (
              "INBOX is empty"
            )}
          </Fact>
        )}
        {r.mailboxes && (
          <Fact term={`Mailboxes (${r.mailboxes.length})`} testId="imap-mailboxes">
            <ul className="flex flex-wrap gap-1.5" aria-label="Mailboxes">
              {r.mailboxes.map((m) => (
                <li key={m.path}>
                  <Badge tone={m.path.toUpperCase() === "INBOX" ? "accent" : "neutral"} title={m.specialUse}>
                    {m.path}
                    {m.specialUse && <span className="opacity-60">{m.specialUse}</span>}
                  </Badge>
                </li>
              ))}
            </ul>
          </Fact>
        )}
      </Facts>
      <TranscriptToggle transcript={r.transcript} what="IMAP transcript" />
      <RecordedIn action="imap.test" profileId={profileId} />
    </div>
  );
}
