import "server-only";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { listExportFormats } from "@/lib/export/formats";
import type { EvaluatedStep, SetupSystem, StepStatus, VerifiedBy } from "@/lib/setup-guide/guide";
import { getProfileSetupGuide } from "@/lib/setup-guide/service";
import { Badge, type Tone } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { CopyButton } from "@/components/ui/copy-button";
import { InlineActionForm } from "@/components/ui/inline-action-form";
import type { ActionResult } from "@/lib/action-result";

const SYSTEM_LABEL: Record<SetupSystem, string> = {
  azure: "Azure portal",
  "microsoft-365-admin": "Microsoft 365 admin center",
  exchange: "Exchange Online",
  "google-cloud": "Google Cloud console",
  "google-admin": "Google Admin console",
  ibmi: "IBM i",
  imail: "iMail",
  idp: "Identity provider",
  console: "This console",
};

const STATUS: Record<StepStatus, { label: string; tone: Tone; dot: string }> = {
  verified: { label: "Verified", tone: "success", dot: "bg-emerald-500 text-white" },
  checked: { label: "Done", tone: "success", dot: "bg-emerald-500 text-white" },
  attention: { label: "Doctor finding", tone: "danger", dot: "bg-rose-100 text-rose-800 ring-1 ring-rose-400 dark:bg-rose-950 dark:text-rose-300" },
  pending: { label: "Pending", tone: "warning", dot: "bg-amber-100 text-amber-800 ring-1 ring-amber-400 dark:bg-amber-950 dark:text-amber-300" },
  manual: { label: "Manual", tone: "neutral", dot: "bg-slate-100 text-slate-600 ring-1 ring-slate-300 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-600" },
};

const PROOF: Record<VerifiedBy, string> = {
  "token-acquired": "a token was acquired",
  "send-succeeded": "a test message was sent",
  "imap-succeeded": "an IMAP login succeeded",
};

function statusNote(step: EvaluatedStep): string {
  if (step.status === "attention") return "The doctor still finds fault with this step (see below): fix it, or acknowledge the finding in the doctor.";
  if (step.status === "checked" && step.check) return `Ticked off by ${step.check.by} at ${step.check.at.replace("T", " ").slice(0, 16)} UTC.`;
  if (step.status === "manual" || !step.verifiedBy) return "The console cannot observe this step: tick it off once it is done.";
  return step.status === "verified" ? `Verified: ${PROOF[step.verifiedBy]}.` : `Verified automatically once ${PROOF[step.verifiedBy]}.`;
}

type Action = (prev: ActionResult, form: FormData) => Promise<ActionResult>;

/**
 * The guided setup for a profile: the steps on the other side (Azure, Exchange, Google, IBM i),
 * filled with the profile's own values, each marked from the same facts the doctor uses (proof the
 * console holds, the doctor's open findings) or ticked off by an admin when the console cannot
 * observe it. Each step is anchored `id="step-<id>"` for the doctor's links.
 */
export async function SetupGuide({ profileId, checkAction }: { profileId: string; checkAction: Action }) {
  const admin = await requireAdmin();
  const guide = await getProfileSetupGuide(admin, profileId);
  const exports = new Map(listExportFormats(guide.kind).map((f) => [f.id, f.label]));
  const pct = guide.total ? Math.round((guide.done / guide.total) * 100) : 0;
  return (
    <Card>
      <CardHeader
        id="setup-guide"
        title="Guided setup"
        description="What to do on the other side, with this profile's values filled in. Steps are verified when the console has proof (a token acquired, a send that succeeded) and the doctor finds nothing wrong; steps the console cannot see are ticked off by hand."
        actions={
          <span className="text-sm text-slate-600 dark:text-slate-400" data-testid="setup-progress">
            {guide.done} of {guide.total} done
          </span>
        }
      />
      <CardBody>
        <div className="mb-5 h-1.5 overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800" role="progressbar" aria-label="Steps done" aria-valuemin={0} aria-valuemax={guide.total} aria-valuenow={guide.done}>
          <div className="h-full rounded-full bg-emerald-500" style={{ width: `${pct}%` }} />
        </div>
        <ol className="space-y-4">
          {guide.steps.map((step, i) => {
            const st = STATUS[step.status];
            const exportLabel = step.exportFormat ? exports.get(step.exportFormat) : undefined;
            return (
              <li
                key={step.id}
                id={`step-${step.id}`}
                data-status={step.status}
                className="flex scroll-mt-6 gap-4 rounded-md p-2 target:bg-indigo-50 target:ring-2 target:ring-indigo-400 dark:target:bg-indigo-950/50"
              >
                <span className={cn("mt-0.5 flex h-7 w-7 shrink-0 items-center justify-center rounded-full text-xs font-semibold", st.dot)} aria-hidden="true">
                  {step.status === "verified" || step.status === "checked" ? (
                    <svg viewBox="0 0 24 24" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round">
                      <path d="M20 6L9 17l-5-5" />
                    </svg>
                  ) : (
                    i + 1
                  )}
                </span>
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <h3 className="text-sm font-semibold text-slate-900 dark:text-slate-100">{step.title}</h3>
                    <Badge tone={st.tone}>{st.label}</Badge>
                    {step.optional && <Badge tone="neutral">Optional</Badge>}
                    <span className="text-xs text-slate-500 dark:text-slate-400">{SYSTEM_LABEL[step.system]}</span>
                  </div>
                  <p className="mt-1 text-xs text-slate-500 [overflow-wrap:anywhere] dark:text-slate-400">{step.where}</p>
                  <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-700 [overflow-wrap:anywhere] dark:text-slate-300">
                    {step.instructions.map((line, j) => (
                      <li key={j}>{line}</li>
                    ))}
                  </ul>
                  {step.values.length > 0 && (
                    <dl className="mt-3 divide-y divide-slate-100 rounded-md border border-slate-200 text-sm dark:divide-slate-800 dark:border-slate-800">
                      {step.values.map((v) => (
                        <div key={v.label} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2">
                          <dt className="w-56 shrink-0 text-xs font-medium text-slate-500 dark:text-slate-400">{v.label}</dt>
                          <dd className="flex min-w-0 flex-1 items-center justify-between gap-3">
                            <span className="min-w-0 font-mono text-xs text-slate-900 [overflow-wrap:anywhere] dark:text-slate-100">{v.value}</span>
                            <CopyButton text={v.value} ariaLabel={`Copy ${v.label}`} />
                          </dd>
                        </div>
                      ))}
                    </dl>
                  )}
                  {step.findings.length > 0 && (
                    <ul className="mt-2 space-y-1 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-900 [overflow-wrap:anywhere] dark:border-rose-900 dark:bg-rose-950/60 dark:text-rose-200" data-testid="step-findings">
                      {step.findings.map((f, j) => (
                        <li key={j}>
                          <a href="#doctor" className="font-medium hover:underline">{f.title}</a>: {f.problem}
                        </li>
                      ))}
                    </ul>
                  )}
                  <div className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-500 dark:text-slate-400">
                    <span>{statusNote(step)}</span>
                    {step.verifiedBy === null && step.status !== "attention" && (
                      <InlineActionForm
                        action={checkAction}
                        fields={{ stepId: step.id, checked: step.status === "checked" ? "false" : "true" }}
                        label={step.status === "checked" ? "Reopen" : "Mark as done"}
                        pendingLabel="Saving…"
                        variant={step.status === "checked" ? "ghost" : "secondary"}
                        testId={`check-${step.id}`}
                      />
                    )}
                    {exportLabel && (
                      <Link href={`/profiles/${guide.profileId}/export?format=${step.exportFormat}`} className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
                        Export: {exportLabel}
                      </Link>
                    )}
                  </div>
                </div>
              </li>
            );
          })}
        </ol>
      </CardBody>
    </Card>
  );
}
