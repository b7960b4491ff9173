import Link from "next/link";
import type { ActivityDto } from "@/lib/activity/dal";
import { formatDateTime, formatDuration } from "@/lib/format";
import { Badge } from "@/components/ui/badge";

const OUTCOME_TONE = { success: "success", failure: "danger", info: "neutral" } as const;

/** Activity entries as expandable rows: summary first, remote reply and hint on demand. */
export function ActivityList({ items, showProfile = true }: { items: ActivityDto[]; showProfile?: boolean }) {
  return (
    <ul className="divide-y divide-slate-100 dark:divide-slate-800" aria-label="Activity">
      {items.map((a) => (
        <li key={a.id} className="py-2">
          <details className="group">
            <summary className="flex cursor-pointer list-none flex-wrap items-center gap-x-3 gap-y-1 rounded px-2 py-1 text-sm hover:bg-slate-50 dark:hover:bg-slate-800/50">
              <Badge tone={OUTCOME_TONE[a.outcome]}>{a.outcome}</Badge>
              <span className="font-mono text-xs text-slate-500">{a.action}</span>
              <span className="min-w-0 flex-1 text-slate-900 [overflow-wrap:anywhere] dark:text-slate-100">{a.summary}</span>
              <span className="min-w-0 text-xs text-slate-600 [overflow-wrap:anywhere] dark:text-slate-400" data-testid="activity-actor" title="Who acted">
                <span className="sr-only">by </span>
                {a.actor}
              </span>
              {showProfile && a.profileName && <span className="min-w-0 text-xs text-slate-600 [overflow-wrap:anywhere] dark:text-slate-400">{a.profileName}</span>}
              <time className="text-xs text-slate-500" dateTime={a.at}>{formatDateTime(a.at)}</time>
            </summary>
            <dl className="mt-2 grid grid-cols-1 gap-x-4 gap-y-1 rounded-md bg-slate-50 px-4 py-3 text-xs [overflow-wrap:anywhere] sm:grid-cols-[9rem_minmax(0,1fr)] dark:bg-slate-800/50">
              <dt className="text-slate-500">Who</dt>
              <dd>{a.actor}</dd>
              {a.durationMs !== null && (<><dt className="text-slate-500">Duration</dt><dd>{formatDuration(a.durationMs)}</dd></>)}
              {a.remoteReply && (<><dt className="text-slate-500">Remote said</dt><dd className="whitespace-pre-wrap break-all font-mono">{a.remoteReply}</dd></>)}
              {a.errorCode && (<><dt className="text-slate-500">Error</dt><dd className="font-mono">{a.errorCode}</dd></>)}
              {a.hint && (<><dt className="text-slate-500">What to do</dt><dd className="whitespace-pre-wrap">{a.hint}</dd></>)}
              {a.profileId && showProfile && (<><dt className="text-slate-500">Profile</dt><dd><Link className="text-indigo-600 hover:underline dark:text-indigo-400" href={`/profiles/${a.profileId}`}>{a.profileName ?? a.profileId}</Link></dd></>)}
              {a.hasDetail && (<><dt className="text-slate-500">Transcript</dt><dd><Link className="text-indigo-600 hover:underline dark:text-indigo-400" href={`/logs/${a.id}`}>View redacted transcript</Link></dd></>)}
            </dl>
          </details>
        </li>
      ))}
    </ul>
  );
}
