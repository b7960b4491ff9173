import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireAdmin } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { getQueueMessage } from "@/lib/relay/queue";
import { formatBytes } from "@/lib/mail/message-limits";
import { Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { ActionButton } from "@/components/monitor/action-button";
import { StateBadge } from "@/components/relay/state-badge";
import { deleteMessageAction, retryMessageAction } from "../../actions";

export const metadata: Metadata = { title: "Relay message" };

export default async function RelayMessagePage({ params }: { params: Promise<{ messageId: string }> }) {
  const admin = await requireAdmin();
  const { messageId } = await params;
  const m = await getQueueMessage(admin, messageId).catch((error: unknown) => {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  });
  return (
    <>
      <PageHeader
        breadcrumb={<Link href="/relay" className="underline">Relay</Link>}
        title={m.subject || "(no subject)"}
        description={<>Message-ID <code className="font-mono">{m.messageId}</code></>}
        actions={
          <>
            {(m.state === "deferred" || m.state === "failed" || m.state === "queued") && <ActionButton action={retryMessageAction} fields={{ id: m.id }} label="Retry now" pendingLabel="Queueing…" variant="primary" />}
            <ButtonLink href={`/relay/messages/${m.id}/eml`}>Download .eml</ButtonLink>
            {m.state !== "sending" && <ActionButton action={deleteMessageAction} fields={{ id: m.id }} label="Delete" pendingLabel="Deleting…" variant="danger" confirm="Delete this message from the queue? It will not be delivered." />}
          </>
        }
      />
      <div className="space-y-6">
        <Card>
          <CardHeader title="Envelope" />
          <CardBody>
            <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
              <dt className="text-slate-500 dark:text-slate-400">State</dt>
              <dd><StateBadge state={m.state} /> {m.state === "deferred" && <span className="text-slate-600 dark:text-slate-400">next try {m.nextAttemptAt}</span>} {m.state === "delivered" && m.remoteReply && <span className="text-slate-600 dark:text-slate-400">{m.remoteReply}</span>}</dd>
              <dt className="text-slate-500 dark:text-slate-400">Device</dt>
              <dd>{m.deviceName} from {m.clientIp}</dd>
              <dt className="text-slate-500 dark:text-slate-400">Received</dt>
              <dd>{m.receivedAt} (gives up after {m.expiresAt})</dd>
              <dt className="text-slate-500 dark:text-slate-400">MAIL FROM</dt>
              <dd className="font-mono">{m.mailFrom || "<>"}</dd>
              <dt className="text-slate-500 dark:text-slate-400">RCPT TO ({m.rcptCount})</dt>
              <dd className="break-all font-mono text-xs">{m.rcptAll.join(", ")}</dd>
              <dt className="text-slate-500 dark:text-slate-400">Size</dt>
              <dd>{formatBytes(m.size)}</dd>
            </dl>
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Headers" />
          <CardBody>
            <pre className="max-h-80 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-3 font-mono text-xs dark:bg-slate-950" data-testid="relay-headers">{m.headers}</pre>
          </CardBody>
        </Card>
        <Card>
          <CardHeader title={`Attempts (${m.attemptLog.length})`} description="Every delivery attempt with the decoded error and the redacted transcript." />
          <CardBody className="space-y-4">
            {m.attemptLog.length === 0 && <p className="text-sm text-slate-500 dark:text-slate-400">Not tried yet.</p>}
            {m.attemptLog.map((a, i) => (
              <section key={a.id} className="space-y-1 rounded-md border border-slate-200 p-3 text-sm dark:border-slate-800" aria-label={`Attempt ${i + 1}`}>
                <p>
                  <strong>Attempt {i + 1}</strong> at {a.at} ({a.durationMs} ms) <StateBadge state={a.outcome} /> {a.summary}
                </p>
                {a.cause && <p><span className="text-slate-500 dark:text-slate-400">Cause:</span> {a.cause}</p>}
                {a.fix && <p><span className="text-slate-500 dark:text-slate-400">Fix:</span> {a.fix}</p>}
                {a.remoteReply && <p><span className="text-slate-500 dark:text-slate-400">Server said:</span> <code className="font-mono text-xs">{a.remoteReply}</code></p>}
                {a.transcript && (
                  <details>
                    <summary className="cursor-pointer text-xs text-indigo-700 dark:text-indigo-300">Transcript (redacted)</summary>
                    <pre className="mt-2 max-h-96 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono text-xs dark:bg-slate-950">{a.transcript}</pre>
                  </details>
                )}
              </section>
            ))}
          </CardBody>
        </Card>
      </div>
    </>
  );
}
