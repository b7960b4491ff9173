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
  pending: { label: "Pending", tone: "warning", dot: "bg-amber-100 text-amber-800 ring-1 ring-amber-400 dark:bg-amber-950 dark:text-amber-300" },
  manual: { label: "Manual", tone: "neutral", dot: "bg-slate-100 text-slate-600 ring-1 ring-slate-300 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-600" },
};

const PROOF: Record<VerifiedBy, string> = {
  "token-acquired": "a token was acquired",
  "send-succeeded": "a test message was sent",
  "imap-succeeded": "an IMAP login succeeded",
};

function statusNote(step: EvaluatedStep): string {
  if (step.status === "manual" || !step.verifiedBy) return "The console cannot observe this step: tick it off yourself.";
  return step.status === "verified" ? `Verified: ${PROOF[step.verifiedBy]}.` : `Verified automatically once ${PROOF[step.verifiedBy]}.`;
}

/**
 * The guided setup for a profile: the steps on the other side (Azure, Exchange, Google, IBM i),
 * filled with the profile's own values, each marked verified / pending / manual from the proof
 * the console holds. Each step is anchored `id="step-<id>"` for the doctor's links.
 */
export async function SetupGuide({ profileId }: { profileId: string }) {
  const admin = await requireAdmin();
  const guide = await getProfileSetupGuide(admin, profileId);
  const exports = new Map(listExportFormats(guide.kind).map((f) => [f.id, f.label]));
  const pct = guide.verifiable ? Math.round((guide.verified / guide.verifiable) * 100) : 0;
  return (
    <Card>
      <CardHeader
        id="setup-guide"
        title="Guided setup"
        description="What to do on the other side, with this profile's values filled in. Steps are verified when the console has proof (a token acquired, a send that succeeded)."
        actions={
          <span className="text-sm text-slate-600 dark:text-slate-400" data-testid="setup-progress">
            {guide.verified} of {guide.verifiable} verified
          </span>
        }
      />
      <CardBody>
        <div className="mb-5 h-1.5 overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800" role="progressbar" aria-label="Verified steps" aria-valuemin={0} aria-valuemax={guide.verifiable} aria-valuenow={guide.verified}>
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
                  {step.status === "verified" ? (
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
                          <dd className="min-w-0 flex-1 font-mono text-xs text-slate-900 [overflow-wrap:anywhere] dark:text-slate-100">{v.value}</dd>
                          <CopyButton text={v.value} ariaLabel={`Copy ${v.label}`} />
                        </div>
                      ))}
                    </dl>
                  )}
                  <p className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-500 dark:text-slate-400">
                    <span>{statusNote(step)}</span>
                    {exportLabel && (
                      <Link href={`/profiles/${guide.profileId}/export?format=${step.exportFormat}`} className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
                        Export: {exportLabel}
                      </Link>
                    )}
                  </p>
                </div>
              </li>
            );
          })}
        </ol>
      </CardBody>
    </Card>
  );
}
