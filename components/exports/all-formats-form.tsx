"use client";
import { useId, useRef, useState } from "react";
import type { ActionResult } from "@/lib/action-result";
import type { AllFormatsData } from "@/lib/export/results";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, describedBy, inputClass } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { useZipDownload } from "./download";

type Props = {
  action: (prev: ActionResult<AllFormatsData>, form: FormData) => Promise<ActionResult<AllFormatsData>>;
  /** The files the ZIP will hold, for the description. */
  files: string[];
};

/**
 * "Download all formats": one ZIP with every export of this profile, each file exactly its single
 * download. Secrets only after the admin's password (the same check and log as "Include
 * secrets"); the ZIP is saved from memory, never a URL.
 */
export function AllFormatsForm({ action, files }: Props) {
  const uid = useId();
  const { state, pending, onSubmit } = useFormAction(action);
  const [withSecrets, setWithSecrets] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};

  useZipDownload(state, passwordRef);

  const ids = { secrets: `${uid}-secrets`, password: `${uid}-password` };
  return (
    <form method="post" onSubmit={onSubmit} noValidate className="space-y-4" data-testid="all-formats-form">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {files.length} files: <span className="font-mono text-xs [overflow-wrap:anywhere]">{files.join(", ")}</span>
      </p>
      <label htmlFor={ids.secrets} className="flex items-center gap-2 text-sm text-slate-800 dark:text-slate-200">
        <input id={ids.secrets} name="includeSecrets" type="checkbox" checked={withSecrets} onChange={(e) => setWithSecrets(e.target.checked)} className="h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900" />
        Include secrets (client secret, password, key; the cached token for iMail)
      </label>
      {withSecrets && (
        <Field id={ids.password} label="Your password" required error={errors.password} help="Secrets leave the console only after you confirm your admin password. The ZIP is not encrypted: store it like the secrets themselves. The export is written to the activity log.">
          <input ref={passwordRef} id={ids.password} name="password" type="password" autoComplete="current-password" required className={`${inputClass} max-w-sm`} aria-invalid={errors.password ? true : undefined} aria-describedby={describedBy(ids.password, true, Boolean(errors.password))} />
        </Field>
      )}
      <Button type="submit" pending={pending} disabled={pending} pendingLabel="Preparing the ZIP…">
        {withSecrets ? "Download all formats with secrets (ZIP)" : "Download all formats (ZIP)"}
      </Button>
      <div aria-live="polite" aria-atomic="true">
        {state.status === "error" && (
          <Alert tone="danger" role="alert" title={state.message}>
            {errors.password?.join(" ") ?? state.hint}
          </Alert>
        )}
        {state.status === "success" && state.data && (
          <Alert tone="success" role="status" title={state.message}>
            <span data-testid="all-formats-result">{state.data.entries.map((e) => e.path).join(", ")}</span>
            {state.data.token && (
              <span className="mt-1 block">{state.data.token.included ? "The cached access token is included in the iMail files." : `No access token included: ${state.data.token.note ?? "none is cached."}`}</span>
            )}
          </Alert>
        )}
      </div>
    </form>
  );
}
