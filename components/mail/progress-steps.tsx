import { Spinner } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { formatDuration } from "@/lib/format";

/**
 * The live progress of a streamed test: the steps the server reported (with its own words and
 * the time since the start), retry / throttling notes where they happened, and the steps still
 * to come, greyed out. Built from the events only, so it shows what really happened — a retry
 * with the login user shows a second "Connecting" after the note.
 */

export type ProgressItem = { stage: string; message: string; elapsedMs: number };
export type PlanStep = { stage: string; label: string };
export type RunStatus = "running" | "ok" | "failed";

/** Stages that are notes between steps rather than steps. */
const NOTE_STAGES = new Set(["retrying", "throttled"]);
/** Terminal stages: they end the run and are shown by the result, not as a step. */
const END_STAGES = new Set(["done", "failed"]);

type Row =
  | { kind: "step"; key: string; stage: string; label: string; message?: string; elapsedMs?: number; status: "pending" | "active" | "done" | "failed" }
  | { kind: "note"; key: string; stage: string; message: string; elapsedMs: number };

export function buildRows(plan: PlanStep[], events: ProgressItem[], status: RunStatus): Row[] {
  const labelOf = (stage: string) => plan.find((p) => p.stage === stage)?.label ?? stage;
  const rows: Row[] = [];
  let lastStep: Extract<Row, { kind: "step" }> | undefined;
  events.forEach((e, i) => {
    if (END_STAGES.has(e.stage)) return;
    if (NOTE_STAGES.has(e.stage)) {
      rows.push({ kind: "note", key: `n${i}`, stage: e.stage, message: e.message, elapsedMs: e.elapsedMs });
      return;
    }
    if (lastStep && lastStep.stage === e.stage && rows[rows.length - 1] === lastStep) {
      lastStep.message = e.message;
      lastStep.elapsedMs = e.elapsedMs;
      return;
    }
    if (lastStep) lastStep.status = "done";
    lastStep = { kind: "step", key: `s${i}`, stage: e.stage, label: labelOf(e.stage), message: e.message, elapsedMs: e.elapsedMs, status: "active" };
    rows.push(lastStep);
  });
  if (lastStep) lastStep.status = status === "running" ? "active" : status === "ok" ? "done" : "failed";

  if (status === "running") {
    // Steps still to come: those after the last one reached, in the plan's order.
    const reached = lastStep ? plan.findIndex((p) => p.stage === lastStep!.stage) : -1;
    plan.slice(reached + 1).forEach((p, i) => rows.push({ kind: "step", key: `p${i}`, stage: p.stage, label: p.label, status: !lastStep && i === 0 ? "active" : "pending" }));
  }
  return rows;
}

function StepIcon({ status }: { status: Extract<Row, { kind: "step" }>["status"] }) {
  if (status === "active") return <Spinner className="h-4 w-4 text-indigo-600 dark:text-indigo-400" />;
  if (status === "done")
    return (
      <svg viewBox="0 0 20 20" className="h-4 w-4 text-emerald-600 dark:text-emerald-400" fill="currentColor" aria-hidden="true">
        <path fillRule="evenodd" d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0Z" clipRule="evenodd" />
      </svg>
    );
  if (status === "failed")
    return (
      <svg viewBox="0 0 20 20" className="h-4 w-4 text-rose-600 dark:text-rose-400" fill="currentColor" aria-hidden="true">
        <path fillRule="evenodd" d="M4.3 4.3a1 1 0 0 1 1.4 0L10 8.6l4.3-4.3a1 1 0 1 1 1.4 1.4L11.4 10l4.3 4.3a1 1 0 0 1-1.4 1.4L10 11.4l-4.3 4.3a1 1 0 0 1-1.4-1.4L8.6 10 4.3 5.7a1 1 0 0 1 0-1.4Z" clipRule="evenodd" />
      </svg>
    );
  return <span className="block h-2.5 w-2.5 rounded-full border-2 border-slate-300 dark:border-slate-600" aria-hidden="true" />;
}

const STATUS_TEXT = { pending: "to do", active: "in progress", done: "done", failed: "failed" } as const;

export function ProgressSteps({ plan, events, status, label, className }: { plan: PlanStep[]; events: ProgressItem[]; status: RunStatus; label: string; className?: string }) {
  const rows = buildRows(plan, events, status);
  const current = [...events].reverse().find((e) => !END_STAGES.has(e.stage));
  return (
    <div className={className}>
      <ol aria-label={label} className="space-y-1.5" data-testid="progress-steps">
        {rows.map((r) =>
          r.kind === "note" ? (
            <li key={r.key} data-stage={r.stage} className="flex items-start gap-3 rounded-md bg-amber-50 px-2 py-1.5 text-sm text-amber-900 dark:bg-amber-950/50 dark:text-amber-200">
              <svg viewBox="0 0 20 20" className="mt-0.5 h-4 w-4 shrink-0" fill="currentColor" aria-hidden="true">
                <path fillRule="evenodd" d="M4 4a1 1 0 0 1 1 1v1.1A7 7 0 0 1 16.9 9a1 1 0 1 1-2 .3A5 5 0 0 0 6.3 7H8a1 1 0 0 1 0 2H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1Zm.1 6.8a1 1 0 0 1 1.2.8A5 5 0 0 0 13.7 13H12a1 1 0 1 1 0-2h4a1 1 0 0 1 1 1v3a1 1 0 1 1-2 0v-1.1A7 7 0 0 1 3.1 11a1 1 0 0 1 1-.2Z" clipRule="evenodd" />
              </svg>
              <span className="min-w-0 flex-1">
                <span className="font-medium">{r.stage === "throttled" ? "Throttled" : "Retrying"}: </span>
                {r.message}
              </span>
              <span className="shrink-0 text-xs tabular-nums opacity-75">{formatDuration(r.elapsedMs)}</span>
            </li>
          ) : (
            <li key={r.key} data-stage={r.stage} data-status={r.status} className={cn("flex items-start gap-3 px-2 py-1 text-sm", r.status === "pending" && "text-slate-400 dark:text-slate-500")}>
              <span className="mt-0.5 flex h-4 w-4 shrink-0 items-center justify-center">
                <StepIcon status={r.status} />
              </span>
              <span className="min-w-0 flex-1">
                <span className={cn("font-medium", r.status !== "pending" && "text-slate-900 dark:text-slate-100", r.status === "failed" && "text-rose-700 dark:text-rose-300")}>{r.label}</span>
                <span className="sr-only"> ({STATUS_TEXT[r.status]})</span>
                {r.message && <span className="block break-words text-xs text-slate-500 dark:text-slate-400">{r.message}</span>}
              </span>
              {r.elapsedMs !== undefined && <span className="shrink-0 text-xs tabular-nums text-slate-500 dark:text-slate-400">{formatDuration(r.elapsedMs)}</span>}
            </li>
          ),
        )}
      </ol>
      {/* One short, polite announcement per step; the list above is for the eyes. */}
      <p className="sr-only" role="status" aria-live="polite">
        {status === "running" ? (current ? current.message : "Starting") : ""}
      </p>
    </div>
  );
}
