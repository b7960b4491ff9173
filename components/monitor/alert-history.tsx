import Link from "next/link";
import type { AlertDto } from "@/lib/monitor/alerts";
import { ALERT_EVENT_LABELS, CHECK_LABELS, type CheckType } from "@/lib/monitor/types";
import { formatDateTime } from "@/lib/format";
import { Badge, type Tone } from "@/components/ui/badge";

const TONE: Record<AlertDto["event"], Tone> = { failing: "danger", reminder: "danger", recovered: "success", expiring: "warning", test: "info" };

/** Alerts, newest first, with each channel's delivery state (twin of `alert history`). */
export function AlertHistory({ alerts }: { alerts: AlertDto[] }) {
  if (alerts.length === 0) return <p className="text-sm text-slate-600 dark:text-slate-400">No alerts yet.</p>;
  return (
    <ol className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="alert-history">
      {alerts.map((a) => (
        <li key={a.id} className="py-3 text-sm">
          <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
            <time dateTime={a.at} className="whitespace-nowrap text-slate-500">{formatDateTime(a.at)}</time>
            <Badge tone={TONE[a.event]}>{ALERT_EVENT_LABELS[a.event]}</Badge>
            <span className="font-medium">
              {a.profileId ? <Link href={`/profiles/${a.profileId}`} className="text-indigo-700 underline underline-offset-2 dark:text-indigo-300">{a.profileName}</Link> : (a.profileName ?? "console")}
              {" · "}
              {CHECK_LABELS[a.check as CheckType] ?? a.check}
            </span>
          </div>
          <p className="mt-1 break-words">{a.message}</p>
          {a.hint && <p className="text-xs text-slate-500">{a.hint}</p>}
          <ul className="mt-1 flex flex-wrap gap-2 text-xs">
            {a.deliveries.length === 0 && <li className="text-slate-500">no channel</li>}
            {a.deliveries.map((d) => (
              <li key={d.id}>
                <Badge tone={d.state === "delivered" ? "success" : d.state === "failed" ? "danger" : "warning"} title={d.lastError || undefined}>
                  {d.channelName}: {d.state}
                  {d.attempts > 1 ? ` (${d.attempts} attempts)` : ""}
                  {d.state === "pending" && d.attempts > 0 ? `, retry ${formatDateTime(d.nextAttemptAt)}` : ""}
                </Badge>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
