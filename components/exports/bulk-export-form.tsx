"use client";
import { useId, useRef, useState } from "react";
import type { ActionResult } from "@/lib/action-result";
import type { BulkExportData } from "@/lib/export/results";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, describedBy, inputClass } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { useZipDownload } from "./download";

/** What "Export all" returns: the ZIP (base64) and what went into it. */

export type BulkFormatOption = { id: string; label: string; description: string; count: number };

type Props = {
  action: (prev: ActionResult<BulkExportData>, form: FormData) => Promise<ActionResult<BulkExportData>>;
  formats: BulkFormatOption[];
  /** The selection, sent with the form: the list's filter (q, kind, status) or the ticked profiles (ids, comma-separated). */
  selection: Record<string, string | undefined>;
  selected: number;
};

/**
 * "Export all" as one ZIP, a folder per profile. Secrets are included only after the admin's
 * password is confirmed; the ZIP is then saved straight from memory (never a URL).
 */
export function BulkExportForm({ action, formats, selection, selected }: Props) {
  const uid = useId();
  const { state, pending, onSubmit } = useFormAction(action);
  const [format, setFormat] = useState(formats.find((f) => f.count > 0)?.id ?? formats[0]?.id ?? "");
  const [withSecrets, setWithSecrets] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};
  const chosen = formats.find((f) => f.id === format);

  useZipDownload(state, passwordRef);

  const ids = { format: `${uid}-format`, secrets: `${uid}-secrets`, password: `${uid}-password` };
  return (
    <form method="post" onSubmit={onSubmit} noValidate className="space-y-5">
      {Object.entries(selection).map(([name, value]) => value && <input key={name} type="hidden" name={name} value={value} />)}
      <Field id={ids.format} label="Format" error={errors.format} help={chosen ? `${chosen.description} ${chosen.count === selected ? `All ${selected} selected profile(s) have it.` : `${chosen.count} of the ${selected} selected profile(s) have it; the other ${selected - chosen.count} are left out (not available for their kind).`}` : undefined}>
        <select id={ids.format} name="format" value={format} onChange={(e) => setFormat(e.target.value)} className={`${inputClass} max-w-md`} aria-describedby={describedBy(ids.format, Boolean(chosen), Boolean(errors.format))}>
          {formats.map((f) => (
            <option key={f.id} value={f.id}>
              {f.label} — {f.count} profile{f.count === 1 ? "" : "s"}
            </option>
          ))}
        </select>
      </Field>
      <label htmlFor={ids.secrets} className="flex items-center gap-2 text-sm text-slate-800 dark:text-slate-200">
        <input id={ids.secrets} name="includeSecrets" type="checkbox" checked={withSecrets} onChange={(e) => setWithSecrets(e.target.checked)} className="h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900" />
        Include secrets (client secrets, passwords, private keys)
      </label>
      {withSecrets && (
        <Field id={ids.password} label="Your password" required error={errors.password} help="Secrets leave the console only after you confirm your admin password. The ZIP is not encrypted: store it like the secrets themselves. The export is written to the activity log.">
          <input ref={passwordRef} id={ids.password} name="password" type="password" autoComplete="current-password" required className={`${inputClass} max-w-sm`} aria-invalid={errors.password ? true : undefined} aria-describedby={describedBy(ids.password, true, Boolean(errors.password))} />
        </Field>
      )}
      <Button type="submit" pending={pending} disabled={pending || !chosen?.count} pendingLabel="Preparing the ZIP…">
        {withSecrets ? "Download ZIP with secrets" : "Download ZIP"}
      </Button>
      <div aria-live="polite" aria-atomic="true" className="space-y-3">
        {state.status === "error" && (
          <Alert tone="danger" role="alert" title={state.message}>
            {errors.password?.join(" ") ?? state.hint}
          </Alert>
        )}
        {state.status === "success" && state.data && (
          <Alert tone={state.data.failed.length ? "warning" : "success"} role="status" title={state.message}>
            Saved {state.data.filename}: one folder per profile.{" "}
            <span data-testid="bulk-export-summary">
              {state.data.written} exported, {state.data.failed.length} failed, {state.data.otherKinds} skipped{state.data.otherKinds ? " (the format is not available for their kind)" : ""}.
            </span>
            {state.data.failed.length > 0 && (
              <ul className="mt-2 list-disc space-y-1 pl-5">
                {state.data.failed.map((f) => (
                  <li key={f.profileId}>
                    <a href={`/profiles/${f.profileId}`} className="font-medium underline">{f.profileName}</a>: {f.message}
                  </li>
                ))}
              </ul>
            )}
          </Alert>
        )}
      </div>
    </form>
  );
}
