import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireAdmin } from "@/lib/auth/session";
import { getActivity } from "@/lib/activity/dal";
import { isAppError } from "@/lib/errors";
import { formatDateTime, formatDuration } from "@/lib/format";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, PageHeader } from "@/components/ui/card";
import { TranscriptActions } from "@/components/logs/transcript-actions";

export const metadata: Metadata = { title: "Transcript" };

const OUTCOME_TONE = { success: "success", failure: "danger", info: "neutral" } as const;

/** A file name that says what the transcript is: action, profile and time (UTC). */
function fileNameOf(action: string, profile: string | null, at: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);
  return `transcript-${[safe(action), profile ? safe(profile) : "", at.slice(0, 19).replace(/[-:]/g, "").replace("T", "-")].filter(Boolean).join("-")}.txt`;
}

export default async function ActivityDetailPage({ params }: { params: Promise<{ activityId: string }> }) {
  const admin = await requireAdmin();
  const { activityId } = await params;
  const entry = await getActivity(admin, activityId).catch((error) => {
    if (isAppError(error) && error.code === "not_found") return null;
    throw error;
  });
  if (!entry || entry.detail === null) notFound();
  return (
    <>
      <PageHeader
        title={`Transcript: ${entry.action}${entry.profileName ? ` · ${entry.profileName}` : ""}`}
        breadcrumb={<Link href="/logs" className="hover:underline">Logs</Link>}
        description={
          <div className="space-y-1">
            <p className="flex flex-wrap items-center gap-2" data-testid="transcript-facts">
              <Badge tone={OUTCOME_TONE[entry.outcome]}>{entry.outcome}</Badge>
              <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
              {entry.profileId && (
                <>
                  <span aria-hidden="true">·</span>
                  <Link href={`/profiles/${entry.profileId}`} className="text-indigo-700 hover:underline dark:text-indigo-300">{entry.profileName ?? entry.profileId}</Link>
                </>
              )}
              <span aria-hidden="true">·</span>
              <span>by {entry.actor}</span>
              {entry.durationMs !== null && <span>· {formatDuration(entry.durationMs)}</span>}
            </p>
            <p>{entry.summary}</p>
            <p>Tokens, passwords, secrets and assertions are removed; message bodies are truncated.</p>
          </div>
        }
        actions={<TranscriptActions text={entry.detail} filename={fileNameOf(entry.action, entry.profileName, entry.at)} />}
      />
      <Card>
        <CardBody>
          <pre className="max-h-[70vh] overflow-auto whitespace-pre-wrap break-all font-mono text-xs leading-relaxed" data-testid="transcript">{entry.detail}</pre>
        </CardBody>
      </Card>
    </>
  );
}
