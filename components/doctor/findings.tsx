import type { ActionResult } from "@/lib/action-result";
import type { Finding, Severity } from "@/lib/doctor/types";
import { Badge, type Tone } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { InlineActionForm } from "@/components/ui/inline-action-form";

type Action = (prev: ActionResult, form: FormData) => Promise<ActionResult>;
/** Server actions (bound to the profile) that acknowledge a finding or withdraw it. */
export type FindingActions = { acknowledge: Action; unacknowledge: Action };

/**
 * The doctor's findings grouped by severity, each with what is wrong, why it fails and the fix,
 * linked to the setup-guide step that fixes it. Pure markup (no hooks, no server imports), so
 * both the profile page (server) and the Import page's Check step (client) render it.
 */

const GROUPS: { severity: Severity; label: string; tone: Tone; border: string }[] = [
  { severity: "error", label: "Errors", tone: "danger", border: "border-l-rose-500" },
  { severity: "warning", label: "Warnings", tone: "warning", border: "border-l-amber-500" },
  { severity: "info", label: "Notes", tone: "info", border: "border-l-sky-500" },
];

const SEVERITY_LABEL: Record<Severity, string> = { error: "Error", warning: "Warning", info: "Note" };

export type DoctorFindingsProps = {
  findings: readonly Finding[];
  /** Step id → title, to name the linked step; the link is `#step-<id>`. */
  stepTitles?: Readonly<Record<string, string>>;
  /** False where no setup guide is on the page (Import): the step is named, not linked. */
  linkSteps?: boolean;
  /** Shown when there is nothing to report. */
  passedText?: string;
  /** When given (a stored profile), each finding can be acknowledged and an acknowledgement withdrawn. */
  actions?: FindingActions;
};

export function DoctorFindings({ findings, stepTitles = {}, linkSteps = true, passedText = "All checks passed.", actions }: DoctorFindingsProps) {
  if (findings.length === 0) {
    return (
      <p className="flex items-center gap-2 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm font-medium text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950/60 dark:text-emerald-200" data-testid="doctor-passed">
        <svg viewBox="0 0 24 24" className="h-5 w-5 shrink-0" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
          <path d="M20 6L9 17l-5-5" />
        </svg>
        {passedText}
      </p>
    );
  }
  return (
    <div className="space-y-5" data-testid="doctor-findings">
      <p className="flex flex-wrap gap-2 text-sm" aria-label="Summary">
        {GROUPS.map((g) => {
          const n = findings.filter((f) => f.severity === g.severity && !f.acknowledged).length;
          return n ? (
            <Badge key={g.severity} tone={g.tone}>
              {n} {n === 1 ? SEVERITY_LABEL[g.severity].toLowerCase() : g.label.toLowerCase()}
            </Badge>
          ) : null;
        })}
        {findings.some((f) => f.acknowledged) && <Badge tone="neutral">{findings.filter((f) => f.acknowledged).length} acknowledged</Badge>}
      </p>
      {GROUPS.map((g) => {
        const items = findings.filter((f) => f.severity === g.severity);
        if (!items.length) return null;
        return (
          <section key={g.severity} aria-label={`${g.label} (${items.length})`}>
            <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
              {g.label} ({items.length})
            </h3>
            <ul className="space-y-3">
              {items.map((f, i) => (
                <FindingItem key={`${f.ruleId}-${f.field ?? ""}-${i}`} finding={f} border={g.border} tone={g.tone} stepTitle={stepTitles[f.stepId]} linkStep={linkSteps} actions={actions} />
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}

function FindingItem({ finding: f, border, tone, stepTitle, linkStep, actions }: { finding: Finding; border: string; tone: Tone; stepTitle?: string; linkStep: boolean; actions?: FindingActions }) {
  const step = stepTitle ?? f.stepId;
  return (
    <li
      className={cn("rounded-md border border-l-4 border-slate-200 bg-white px-4 py-3 text-sm dark:border-slate-800 dark:bg-slate-900", f.acknowledged ? "border-l-slate-300 opacity-80 dark:border-l-slate-600" : border)}
      data-rule={f.ruleId}
      data-acknowledged={f.acknowledged ? "true" : undefined}
    >
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={f.acknowledged ? "neutral" : tone}>{SEVERITY_LABEL[f.severity]}</Badge>
        {f.acknowledged && <Badge tone="neutral">Acknowledged</Badge>}
        <p className="font-semibold text-slate-900 dark:text-slate-100">{f.title}</p>
        {f.code && <Badge tone="neutral" className="font-mono">{f.code}</Badge>}
        {f.line !== undefined ? (
          <Badge tone="neutral" className="font-mono" title="Where the value came from in the file">
            line {f.line}
            {f.key ? ` · ${f.key}` : ""}
          </Badge>
        ) : f.key ? (
          <Badge tone="neutral" className="font-mono">{f.key}</Badge>
        ) : null}
      </div>
      <p className="mt-2 break-words text-slate-800 dark:text-slate-200 [overflow-wrap:anywhere]">{f.problem}</p>
      <dl className="mt-2 grid gap-x-3 gap-y-1 text-slate-600 sm:grid-cols-[3rem_1fr] dark:text-slate-400">
        <dt className="font-medium text-slate-500 dark:text-slate-400">Why</dt>
        <dd className="[overflow-wrap:anywhere]">{f.why}</dd>
        <dt className="font-medium text-slate-500 dark:text-slate-400">Fix</dt>
        <dd className="text-slate-800 [overflow-wrap:anywhere] dark:text-slate-200">{f.fix}</dd>
      </dl>
      <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
        Setup step:{" "}
        {linkStep ? (
          <a href={`#step-${f.stepId}`} className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
            {step}
          </a>
        ) : (
          <span className="font-medium text-slate-700 dark:text-slate-300">{step}</span>
        )}
      </p>
      {f.acknowledged && (
        <p className="mt-2 text-xs text-slate-600 [overflow-wrap:anywhere] dark:text-slate-400">
          Acknowledged by {f.acknowledged.by} at {f.acknowledged.at.replace("T", " ").slice(0, 16)} UTC{f.acknowledged.note ? `: ${f.acknowledged.note}` : ""}. It shows again if its facts change.
        </p>
      )}
      {actions && f.severity !== "info" && (
        <div className="mt-2">
          {f.acknowledged ? (
            <InlineActionForm action={actions.unacknowledge} fields={{ ruleId: f.ruleId }} label="Withdraw acknowledgement" pendingLabel="Withdrawing…" variant="ghost" testId={`unack-${f.ruleId}`} />
          ) : (
            <InlineActionForm action={actions.acknowledge} fields={{ ruleId: f.ruleId, fingerprint: f.fingerprint }} label="Acknowledge" pendingLabel="Acknowledging…" variant="ghost" testId={`ack-${f.ruleId}`} />
          )}
        </div>
      )}
    </li>
  );
}
