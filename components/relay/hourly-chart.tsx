import type { HourBucket } from "@/lib/relay/queue";

/**
 * Accepted / delivered / deferred / failed per hour as grouped bars (server-rendered SVG, no
 * JavaScript). The table under it carries the same numbers for screen readers.
 */
const SERIES = [
  { key: "accepted", label: "Accepted", color: "#6366f1" },
  { key: "delivered", label: "Delivered", color: "#10b981" },
  { key: "deferred", label: "Deferred", color: "#f59e0b" },
  { key: "failed", label: "Failed", color: "#e11d48" },
] as const;

export function HourlyChart({ buckets, title }: { buckets: HourBucket[]; title: string }) {
  const max = Math.max(1, ...buckets.flatMap((b) => SERIES.map((s) => b[s.key])));
  const w = 720;
  const h = 140;
  const slot = w / Math.max(1, buckets.length);
  const bar = Math.max(0.5, (slot - 1) / SERIES.length);
  const totals = SERIES.map((s) => ({ ...s, total: buckets.reduce((n, b) => n + b[s.key], 0) }));
  return (
    <figure className="space-y-2">
      <figcaption className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm">
        <span className="font-medium">{title}</span>
        {totals.map((s) => (
          <span key={s.key} className="inline-flex items-center gap-1 text-slate-600 dark:text-slate-400">
            <span className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: s.color }} aria-hidden="true" />
            {s.label} {s.total}
          </span>
        ))}
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} className="h-36 w-full" role="img" aria-label={`${title}: ${totals.map((s) => `${s.label} ${s.total}`).join(", ")}`}>
        <line x1="0" y1={h - 0.5} x2={w} y2={h - 0.5} stroke="currentColor" strokeOpacity="0.2" />
        {buckets.map((b, i) =>
          SERIES.map((s, j) => {
            const v = b[s.key];
            if (!v) return null;
            const bh = Math.max(1, (v / max) * (h - 4));
            return (
              <rect key={`${b.hour}-${s.key}`} x={i * slot + j * bar} y={h - bh} width={bar} height={bh} fill={s.color}>
                <title>{`${b.hour}: ${s.label.toLowerCase()} ${v}`}</title>
              </rect>
            );
          }),
        )}
      </svg>
      <div className="flex justify-between text-xs text-slate-500 dark:text-slate-400">
        <span>{buckets[0]?.hour.replace("T", " ")}</span>
        <span>{buckets.at(-1)?.hour.replace("T", " ")} (UTC)</span>
      </div>
    </figure>
  );
}
