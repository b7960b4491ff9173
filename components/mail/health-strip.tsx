import Link from "next/link";
import type { HealthOutcome, ProfileHealth } from "@/lib/activity/health";
import { testHistoryLabel } from "@/lib/profiles/health-status";
import { formatDateTime, formatDuration } from "@/lib/format";
import { cn } from "@/components/ui/cn";

/**
 * A profile's last N "Send test" / "Test IMAP" outcomes as a row of small squares, oldest left,
 * newest right, with "x of N ok". Green is a success, red with a cross a failure (the cross keeps
 * it readable without colour); empty slots are dashed so strips of several profiles line up.
 * Hover shows time, test and summary; screen readers get the same text per square. Data from
 * getProfileHealth (one query for all profiles on a page).
 */

const ACTION_LABEL: Record<HealthOutcome["action"], string> = { "mail.send": "Send test", "imap.test": "IMAP test" };

function describe(o: HealthOutcome): string {
  return `${formatDateTime(o.at)} · ${ACTION_LABEL[o.action] ?? o.action} ${o.ok ? "ok" : "failed"}${o.durationMs !== null ? ` (${formatDuration(o.durationMs)})` : ""} · ${o.summary}`;
}

const SIZES = { sm: "h-3 w-2.5", md: "h-4 w-3" } as const;

export function HealthStrip({ health, limit = 20, size = "sm", href, className }: { health: ProfileHealth | undefined; limit?: number; size?: keyof typeof SIZES; href?: string; className?: string }) {
  const outcomes = (health?.outcomes ?? []).slice(-limit);
  const ok = outcomes.filter((o) => o.ok).length;
  const total = outcomes.length;
  const empty = Math.max(0, limit - total);
  const lastFailed = total > 0 && !outcomes[total - 1].ok;
  const label = testHistoryLabel(ok, total);
  const labelClass = cn(
    "whitespace-nowrap text-xs tabular-nums",
    total === 0 ? "text-slate-500 dark:text-slate-400" : ok === total ? "text-emerald-700 dark:text-emerald-400" : lastFailed ? "font-medium text-rose-700 dark:text-rose-400" : "text-amber-700 dark:text-amber-400",
  );

  return (
    <div className={cn("flex flex-wrap items-center gap-x-2 gap-y-1", className)} data-testid="health-strip" data-ok={ok} data-total={total}>
      <ol className="flex items-center gap-0.5" aria-label={total ? `Last ${total} send and IMAP tests, oldest first` : "No send or IMAP tests yet"}>
        {Array.from({ length: empty }, (_, i) => (
          <li key={`empty-${i}`} aria-hidden="true" className={cn(SIZES[size], "rounded-[2px] border border-dashed border-slate-300 dark:border-slate-700")} />
        ))}
        {outcomes.map((o) => (
          <li
            key={o.id}
            title={describe(o)}
            data-outcome={o.ok ? "ok" : "failed"}
            className={cn(SIZES[size], "relative flex items-center justify-center rounded-[2px]", o.ok ? "bg-emerald-500 dark:bg-emerald-500" : "bg-rose-500 dark:bg-rose-500")}
          >
            {!o.ok && (
              <svg viewBox="0 0 10 10" className="h-2 w-2 text-white" aria-hidden="true">
                <path d="M2 2l6 6M8 2l-6 6" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
              </svg>
            )}
            <span className="sr-only">{describe(o)}</span>
          </li>
        ))}
      </ol>
      {href ? (
        <Link href={href} className={cn(labelClass, "hover:underline")}>
          {label}
        </Link>
      ) : (
        <span className={labelClass}>{label}</span>
      )}
    </div>
  );
}
