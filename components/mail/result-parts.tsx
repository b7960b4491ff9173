import type { ReactNode } from "react";
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { cn } from "@/components/ui/cn";

/** Pieces shared by the send and IMAP result views. */

/** The one-line outcome at the top of a result, inside the panel's aria-live region. */
/** `partial`: something went out but not everything (some recipients refused): amber, never green. */
export function ResultHeadline({ ok, partial = false, title, detail, testId }: { ok: boolean; partial?: boolean; title: string; detail?: string; testId?: string }) {
  return (
    <div
      data-testid={testId}
      data-outcome={ok ? "ok" : partial ? "partial" : "failed"}
      className={cn(
        "flex items-start gap-3 rounded-md border px-4 py-3",
        ok
          ? "border-emerald-200 bg-emerald-50 text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950/60 dark:text-emerald-100"
          : partial
            ? "border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-900 dark:bg-amber-950/60 dark:text-amber-100"
            : "border-rose-200 bg-rose-50 text-rose-900 dark:border-rose-900 dark:bg-rose-950/60 dark:text-rose-100",
      )}
    >
      <span className={cn("mt-0.5 flex h-6 w-6 shrink-0 items-center justify-center rounded-full text-white", ok ? "bg-emerald-600" : partial ? "bg-amber-600" : "bg-rose-600")} aria-hidden="true">
        {ok ? (
          <svg viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor">
            <path fillRule="evenodd" d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0Z" clipRule="evenodd" />
          </svg>
        ) : (
          <svg viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor">
            <path fillRule="evenodd" d="M4.3 4.3a1 1 0 0 1 1.4 0L10 8.6l4.3-4.3a1 1 0 1 1 1.4 1.4L11.4 10l4.3 4.3a1 1 0 0 1-1.4 1.4L10 11.4l-4.3 4.3a1 1 0 0 1-1.4-1.4L8.6 10 4.3 5.7a1 1 0 0 1 0-1.4Z" clipRule="evenodd" />
          </svg>
        )}
      </span>
      <div className="min-w-0">
        <p className="font-semibold">{title}</p>
        {detail && <p className="mt-0.5 break-words text-sm opacity-90">{detail}</p>}
      </div>
    </div>
  );
}

/** Decoded cause and fix of a failed send or IMAP test. */
export function DecodedError({ error }: { error: { code: string; message: string; cause: string; fix: string; remoteReply?: string } }) {
  return (
    <Alert tone="danger" title="What went wrong" className="space-y-1">
      <div className="space-y-2" data-testid="decoded-error">
        <p>
          <span className="font-medium">Cause: </span>
          {error.cause}
        </p>
        <p>
          <span className="font-medium">Fix: </span>
          {error.fix}
        </p>
        {error.remoteReply && (
          <p className="break-all font-mono text-xs">
            <span className="font-sans font-medium">Server said: </span>
            {error.remoteReply}
          </p>
        )}
        <p className="font-mono text-xs opacity-75">code: {error.code}</p>
      </div>
    </Alert>
  );
}

/** A term/description list with the console's usual two columns. */
export function Facts({ children, label }: { children: ReactNode; label?: string }) {
  return (
    <dl aria-label={label} className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
      {children}
    </dl>
  );
}

export function Fact({ term, children, mono, testId }: { term: string; children: ReactNode; mono?: boolean; testId?: string }) {
  return (
    <>
      <dt className="text-slate-500 dark:text-slate-400">{term}</dt>
      <dd data-testid={testId} className={cn("min-w-0 break-words text-slate-900 dark:text-slate-100", mono && "break-all font-mono text-xs leading-5")}>
        {children}
      </dd>
    </>
  );
}

/** A request the route refused before running (signed out, bad input, too large). */
export function RefusedAlert({ error }: { error: { code: string; message: string; hint?: string } }) {
  return (
    <Alert tone="danger" role="alert" title={error.message}>
      {error.hint}
      {error.code === "unauthorized" && (
        <Link href="/login" className="mt-1 block font-medium underline">
          Sign in again
        </Link>
      )}
    </Alert>
  );
}

/** "Recorded as <action> in the activity log", linking to that profile's entries of the action. */
export function RecordedIn({ action, profileId }: { action: string; profileId: string }) {
  return (
    <p className="text-xs text-slate-500 dark:text-slate-400">
      Recorded as <span className="font-mono">{action}</span> in the{" "}
      <Link href={`/logs?profile=${encodeURIComponent(profileId)}&action=${action}`} className="text-indigo-600 hover:underline dark:text-indigo-400">
        activity log
      </Link>
      .
    </p>
  );
}
