import type { CheckState } from "@/lib/monitor/types";
import { Badge, type Tone } from "@/components/ui/badge";

const TONE: Record<CheckState, Tone> = { ok: "success", warning: "warning", unknown: "warning", failing: "danger", pending: "neutral" };
const LABEL: Record<CheckState, string> = { ok: "ok", warning: "warning", unknown: "undecided", failing: "failing", pending: "not run yet" };

/** A check's last verdict. "unknown" reads "undecided": a transient outage, not a failure. */
export function CheckStatusBadge({ status, title }: { status: CheckState; title?: string }) {
  return (
    <Badge tone={TONE[status]} title={title}>
      {LABEL[status]}
    </Badge>
  );
}

export type Light = "green" | "amber" | "red" | "grey";
const LIGHT_CLASS: Record<Light, string> = { green: "bg-emerald-500", amber: "bg-amber-400", red: "bg-rose-600", grey: "bg-slate-300 dark:bg-slate-600" };
const LIGHT_LABEL: Record<Light, string> = { green: "all checks pass", amber: "a warning or an undecided check", red: "a check is failing", grey: "not checked yet" };

/** A traffic light dot with its meaning for screen readers. */
export function TrafficLightDot({ light }: { light: Light }) {
  return <span role="img" aria-label={LIGHT_LABEL[light]} title={LIGHT_LABEL[light]} className={`inline-block h-3 w-3 shrink-0 rounded-full ${LIGHT_CLASS[light]}`} />;
}
